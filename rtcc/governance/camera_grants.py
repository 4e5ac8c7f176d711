"""The rule for reaching a private camera: a time-boxed grant tied to a case, and the
owner's sharing mode. Pure decisions with a named rule; the routes only carry them out.

- A *registered* camera is map-only: nobody is ever given its footage or stream.
- An *integrated* camera is shared as its owner chose: `always` (live and recorded under
  a grant), `alarm_only` (only while an open incident lies within the alarm radius) or
  `registry_only` (on the map, never accessible).
- A grant names an incident or case, starts no earlier than when it is made (it cannot be
  backdated) and lasts at most `max_grant_hours`. It reaches footage recorded inside
  [start, end] only, and only while it is live: a grant cannot reach footage recorded
  before it began.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CameraKind = Literal["registered", "integrated"]
SharingMode = Literal["always", "alarm_only", "registry_only"]
SHARING_MODES: tuple[SharingMode, ...] = ("always", "alarm_only", "registry_only")
#: Clock skew tolerated between the grant's requested start and the server's clock.
BACKDATE_TOLERANCE = timedelta(minutes=1)


class GrantPolicy(BaseModel):
    """The agency's limits on grants and on what counts as an alarm near a camera."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_grant_hours: float = Field(72.0, gt=0, le=720, description="longest grant allowed")
    alarm_radius_m: float = Field(
        500.0, gt=0, le=5000, description="alarm_only: an open CAD incident this close opens it"
    )


@dataclass(frozen=True, slots=True)
class PrivateCamera:
    """A resident's or business's camera as registered; contact details stay with staff."""

    id: str
    kind: CameraKind
    sharing: SharingMode | None  # None for a registered (map-only) camera
    label: str
    owner_name: str
    email: str | None
    phone: str | None
    address: str
    lat: float
    lon: float
    heading_deg: float | None
    fov_deg: float
    range_m: float
    stream_url: str | None
    created_at: datetime
    withdrawn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CameraGrant:
    id: str
    camera_id: str
    case_number: str
    granted_by: str
    agency: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FootageSegment:
    """A recording the owner's system holds: its time span and where the clip is fetched."""

    camera_id: str
    starts_at: datetime
    ends_at: datetime
    clip_url: str
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class CameraAccess:
    """One access (or refused attempt) to a private camera, as its owner sees it."""

    camera_id: str
    at: datetime
    actor: str
    role: str
    agency: str
    case_number: str | None
    purpose: str | None
    range_start: datetime
    range_end: datetime
    outcome: Literal["allow", "deny"]
    rule: str
    reason: str
    grant_id: str | None


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """Allow or deny; `rule` names the rule that decided, `field` what the caller asked wrong."""

    allowed: bool
    rule: str
    reason: str
    field: str = "camera_id"


class GrantRefused(ValueError):
    """A grant that may not be made: the field at fault, a reason code and a message."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason
        self.message = message


def shareable(camera: PrivateCamera) -> AccessDecision:
    """Whether the camera may be reached at all (before any grant is looked at)."""
    if camera.withdrawn_at is not None:
        return AccessDecision(False, "camera_withdrawn", "the owner withdrew this camera")
    if camera.kind == "registered":
        return AccessDecision(
            False, "registered_map_only", "a registered camera is on the map only, never accessed"
        )
    if camera.sharing == "registry_only":
        return AccessDecision(
            False, "registry_only", "the owner shares this camera on the map only (registry_only)"
        )
    return AccessDecision(True, "shareable", f"integrated camera shared {camera.sharing}")


def plan_grant(
    camera: PrivateCamera,
    starts_at: datetime | None,
    hours: float,
    now: datetime,
    policy: GrantPolicy,
) -> tuple[datetime, datetime]:
    """(start, end) of a new grant, or GrantRefused naming the field and the rule."""
    allowed = shareable(camera)
    if not allowed.allowed:
        raise GrantRefused("camera_id", allowed.rule, allowed.reason)
    start = now if starts_at is None else starts_at
    if start < now - BACKDATE_TOLERANCE:
        raise GrantRefused(
            "starts_at",
            "backdated",
            "a grant cannot start before it is made: it may not reach footage recorded "
            "before it began",
        )
    if hours > policy.max_grant_hours:
        raise GrantRefused(
            "hours",
            "too_long",
            f"a grant lasts at most {policy.max_grant_hours:g} h (asked {hours:g} h)",
        )
    return start, start + timedelta(hours=hours)


def decide_access(
    camera: PrivateCamera,
    grant: CameraGrant | None,
    range_start: datetime,
    range_end: datetime,
    now: datetime,
    nearby_incident: str | None,
    stated_case: str | None,
) -> AccessDecision:
    """May footage recorded in [range_start, range_end] be reached now under `grant`?

    `nearby_incident` is the open incident within the alarm radius (for alarm_only).
    """
    allowed = shareable(camera)
    if not allowed.allowed:
        return allowed
    if grant is None or grant.camera_id != camera.id:
        return AccessDecision(
            False, "no_grant", "no live grant for this camera and case", "grant_id"
        )
    if stated_case is not None and stated_case != grant.case_number:
        return AccessDecision(
            False,
            "case_mismatch",
            f"grant {grant.id} is for case {grant.case_number}, not {stated_case}",
            "case_number",
        )
    if now < grant.starts_at:
        return AccessDecision(
            False, "grant_not_started", f"grant starts at {grant.starts_at.isoformat()}", "grant_id"
        )
    if now > grant.ends_at:
        return AccessDecision(
            False, "grant_expired", f"grant ended at {grant.ends_at.isoformat()}", "grant_id"
        )
    if range_start < grant.starts_at:
        return AccessDecision(
            False,
            "before_grant_start",
            "a grant cannot reach footage recorded before it began: grant began "
            f"{grant.starts_at.isoformat()}, request starts {range_start.isoformat()}",
            "start",
        )
    if range_end > grant.ends_at:
        return AccessDecision(
            False,
            "after_grant_end",
            f"the grant ends {grant.ends_at.isoformat()}, request ends {range_end.isoformat()}",
            "end",
        )
    if camera.sharing == "alarm_only" and nearby_incident is None:
        return AccessDecision(
            False,
            "alarm_only_no_incident",
            "the owner shares this camera only while an incident is open nearby, "
            "and none is open within the alarm radius",
        )
    why = f"grant {grant.id} for case {grant.case_number} covers the range"
    if camera.sharing == "alarm_only":
        why += f"; incident {nearby_incident} is open nearby (alarm_only)"
    return AccessDecision(True, "grant_window", why)


def segments_inside(
    segments: list[FootageSegment], range_start: datetime, range_end: datetime
) -> list[FootageSegment]:
    """Only whole segments inside the range: a clip that begins earlier is withheld."""
    return [s for s in segments if s.starts_at >= range_start and s.ends_at <= range_end]
