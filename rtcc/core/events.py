"""The event envelope: what every input becomes and every component passes on.

`EventIn` is the wire model (strict, validated per item at ingest); `Event` is the
trusted internal record with server-side id, times and per-hop timestamps.
"""

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from rtcc.core.clock import iso
from rtcc.core.geo import Location
from rtcc.core.payloads import (
    CadIncident,
    CallerLocation,
    CameraStatus,
    Gunshot,
    LprRead,
    Payload,
    UnitPosition,
)


class EventKind(StrEnum):
    CAD_INCIDENT = "cad_incident"
    CALLER_LOCATION = "caller_location"
    UNIT_POSITION = "unit_position"
    LPR_READ = "lpr_read"
    GUNSHOT = "gunshot"
    CAMERA_STATUS = "camera_status"


def _timestamp_from_text(value: object) -> object:
    """Accept ISO 8601 text only (no epoch numbers), so a zone-less time is an error."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an ISO 8601 string with a time zone")


Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp_from_text)]
SourceRef = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
]


class _EventInBase(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    id: SourceRef | None = Field(default=None, description="the source's own id for the event")
    occurred_at: Timestamp
    dedup_key: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    location: Location | None = None


class CadIncidentIn(_EventInBase):
    kind: Literal["cad_incident"]
    payload: CadIncident


class CallerLocationIn(_EventInBase):
    kind: Literal["caller_location"]
    location: Location
    payload: CallerLocation


class UnitPositionIn(_EventInBase):
    kind: Literal["unit_position"]
    location: Location
    payload: UnitPosition


class LprReadIn(_EventInBase):
    kind: Literal["lpr_read"]
    payload: LprRead


class GunshotIn(_EventInBase):
    """Vendor-located (location) or sensor-level (payload.sensors, located at ingest)."""

    kind: Literal["gunshot"]
    payload: Gunshot

    @model_validator(mode="after")
    def _located_or_locatable(self) -> "GunshotIn":
        if self.location is None and not self.payload.sensors:
            reason = "a gunshot without a location needs payload.sensors to locate it from"
            error = PydanticCustomError("missing", reason)
            raise ValidationError.from_exception_data(
                "GunshotIn", [InitErrorDetails(type=error, loc=("location",), input=None)]
            )
        return self


class CameraStatusIn(_EventInBase):
    kind: Literal["camera_status"]
    location: Location
    payload: CameraStatus


AnyEventIn = (
    CadIncidentIn | CallerLocationIn | UnitPositionIn | LprReadIn | GunshotIn | CameraStatusIn
)
EventIn = Annotated[AnyEventIn, Field(discriminator="kind")]
# Passed as Any: mypy's incremental cache resolves TypeAdapter's overloads on a union
# alias differently from a clean run.
_EVENT_IN_FORM: Any = EventIn
EVENT_IN_ADAPTER: TypeAdapter[AnyEventIn] = TypeAdapter(_EVENT_IN_FORM)


@dataclass(slots=True)
class Hops:
    """Per-hop timestamps so end-to-end latency can be measured at every step."""

    received_at: datetime
    persisted_at: datetime | None = None
    published_at: datetime | None = None
    alerted_at: datetime | None = None
    delivered_at: datetime | None = None

    def to_wire(self) -> dict[str, str | None]:
        return {
            name: iso(value) if value else None
            for name, value in (
                ("received_at", self.received_at),
                ("persisted_at", self.persisted_at),
                ("published_at", self.published_at),
                ("alerted_at", self.alerted_at),
                ("delivered_at", self.delivered_at),
            )
        }


@dataclass(frozen=True, slots=True)
class Event:
    """A validated event as the pipeline carries it."""

    id: str
    kind: EventKind
    source: str
    occurred_at: datetime
    received_at: datetime
    payload: Payload
    dedup_key: str
    location: Location | None = None
    source_ref: str | None = None
    hops: Hops = field(default_factory=lambda: Hops(received_at=datetime.now(UTC)))

    @property
    def entity_key(self) -> str | None:
        """The live-state entity this event updates, if it describes one."""
        p = self.payload
        if isinstance(p, UnitPosition):
            return f"unit:{p.unit_id}"
        if isinstance(p, CameraStatus):
            return f"camera:{p.camera_id}"
        if isinstance(p, CadIncident):
            return f"incident:{p.incident_id}"
        if isinstance(p, CallerLocation):
            return f"call:{p.call_id}"
        return None

    def to_wire(self, *, hops: bool = True) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "source": self.source,
            "source_ref": self.source_ref,
            "occurred_at": iso(self.occurred_at),
            "received_at": iso(self.received_at),
            "location": self.location.model_dump() if self.location else None,
            "payload": self.payload.model_dump(),
            "dedup_key": self.dedup_key,
        }
        if hops:
            wire["hops"] = self.hops.to_wire()
        return wire


def new_id() -> str:
    """128 random bits as hex: as unguessable as a UUID4, at a fifth of the cost."""
    return os.urandom(16).hex()


def default_dedup_key(source: str, item: _EventInBase) -> str:
    """Stable across re-sends: the source's own id, else a hash of the content."""
    kind = getattr(item, "kind", "")
    if item.dedup_key:
        return f"{source}/{item.dedup_key}"
    if item.id:
        return f"{source}/{kind}/{item.id}"
    content = item.model_dump_json(exclude={"dedup_key", "id"})
    return f"{source}/{kind}/sha256:{hashlib.sha256(content.encode()).hexdigest()[:32]}"


def event_from_wire(item: _EventInBase, source: str, received_at: datetime) -> Event:
    """Build the trusted internal event from one validated wire item."""
    payload: Payload = item.payload  # type: ignore[attr-defined]
    return Event(
        id=new_id(),
        kind=EventKind(item.kind),  # type: ignore[attr-defined]
        source=source,
        occurred_at=item.occurred_at.astimezone(UTC),
        received_at=received_at,
        payload=payload,
        dedup_key=default_dedup_key(source, item),
        location=item.location,
        source_ref=item.id,
        hops=Hops(received_at=received_at),
    )


PAYLOAD_TYPES: dict[EventKind, type[BaseModel]] = {
    EventKind.CAD_INCIDENT: CadIncident,
    EventKind.CALLER_LOCATION: CallerLocation,
    EventKind.UNIT_POSITION: UnitPosition,
    EventKind.LPR_READ: LprRead,
    EventKind.GUNSHOT: Gunshot,
    EventKind.CAMERA_STATUS: CameraStatus,
}


def event_from_stored(wire: dict[str, Any]) -> Event:
    """Rebuild a trusted event from its own `to_wire()` form (a queued or relayed event).

    Only for wire forms this system produced; outside input goes through `EventIn`.
    """
    kind = EventKind(wire["kind"])
    location = wire.get("location")
    received_at = datetime.fromisoformat(wire["received_at"])
    payload: Payload = PAYLOAD_TYPES[kind].model_validate(wire["payload"], strict=False)  # type: ignore[assignment]
    return Event(
        id=wire["id"],
        kind=kind,
        source=wire["source"],
        occurred_at=datetime.fromisoformat(wire["occurred_at"]),
        received_at=received_at,
        payload=payload,
        dedup_key=wire["dedup_key"],
        location=Location.model_validate(location, strict=False) if location else None,
        source_ref=wire.get("source_ref"),
        hops=_hops_from_wire(wire.get("hops"), received_at),
    )


def _hops_from_wire(wire: dict[str, str | None] | None, received_at: datetime) -> Hops:
    hops = Hops(received_at=received_at)
    for name, value in (wire or {}).items():
        if value and name != "received_at" and hasattr(hops, name):
            setattr(hops, name, datetime.fromisoformat(value))
    return hops
