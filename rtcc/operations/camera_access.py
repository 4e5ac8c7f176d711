"""Reaching a private camera's footage: pick the grant, decide, and log the access for the
owner whatever the outcome. The one path every footage request takes."""

from dataclasses import dataclass
from datetime import datetime

from rtcc.core.clock import utcnow
from rtcc.governance.camera_grants import (
    AccessDecision,
    CameraAccess,
    CameraGrant,
    FootageSegment,
    GrantPolicy,
    PrivateCamera,
    decide_access,
    segments_inside,
)
from rtcc.governance.identity import Principal
from rtcc.operations.private_cameras import active_incident_near
from rtcc.storage.base import EventStore, PrivateCameraStore

MAX_RANGE_HOURS = 24 * 30  # one request covers at most this much recorded time


@dataclass(frozen=True, slots=True)
class FootageRequest:
    """Who asks for what: the range of recorded time, the stated purpose and case."""

    principal: Principal
    range_start: datetime
    range_end: datetime
    purpose: str | None
    case_number: str | None
    grant_id: str | None = None


@dataclass(frozen=True, slots=True)
class FootageAnswer:
    decision: AccessDecision
    grant: CameraGrant | None
    segments: list[FootageSegment]
    live_stream_url: str | None


def choose_grant(
    grants: list[CameraGrant], grant_id: str | None, case_number: str | None, now: datetime
) -> CameraGrant | None:
    """The grant named, else the newest live grant for the stated case."""
    if grant_id is not None:
        return next((g for g in grants if g.id == grant_id), None)
    for grant in grants:  # newest first
        if grant.case_number == case_number and grant.starts_at <= now <= grant.ends_at:
            return grant
    return None


def request_footage(
    cameras: PrivateCameraStore,
    events: EventStore,
    camera: PrivateCamera,
    request: FootageRequest,
    policy: GrantPolicy,
    agency: str,
) -> FootageAnswer:
    """Decide, fetch what the grant reaches, and write the owner's access log entry."""
    now = utcnow()
    grant = choose_grant(cameras.grants(camera.id), request.grant_id, request.case_number, now)
    nearby = (
        active_incident_near(events, camera, policy.alarm_radius_m)
        if camera.sharing == "alarm_only"
        else None
    )
    decision = decide_access(
        camera, grant, request.range_start, request.range_end, now, nearby, request.case_number
    )
    segments: list[FootageSegment] = []
    stream = None
    if decision.allowed:
        found = cameras.segments(camera.id, request.range_start, request.range_end)
        segments = segments_inside(found, request.range_start, request.range_end)
        stream = camera.stream_url
    cameras.log_access(
        CameraAccess(
            camera_id=camera.id,
            at=now,
            actor=request.principal.name,
            role=request.principal.role_name,
            agency=agency,
            case_number=request.case_number or (grant.case_number if grant else None),
            purpose=request.purpose,
            range_start=request.range_start,
            range_end=request.range_end,
            outcome="allow" if decision.allowed else "deny",
            rule=decision.rule,
            reason=decision.reason,
            grant_id=grant.id if grant else None,
        )
    )
    return FootageAnswer(decision, grant, segments, stream)
