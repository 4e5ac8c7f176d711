"""Which incident a located gunshot belongs to, decided before it is stored.

The answer is written into the shot's own payload (`incident_id`), so the durable record
says it and a later shot, a restart or a replay reach the same answer from the store.
Order: an earlier shot near it in time and space (its incident continues), else an open
CAD incident near it, else a new RTCC incident.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rtcc.core.events import Event, EventKind
from rtcc.core.geo import haversine_m
from rtcc.core.payloads import Gunshot
from rtcc.storage.base import EventStore


@dataclass(frozen=True, slots=True)
class IncidentJoin:
    """A shot joins what lies within `radius_m` and `window` of it."""

    radius_m: float = 300.0
    window: timedelta = timedelta(minutes=10)


def new_incident_id(event: Event) -> str:
    return f"RTCC-{event.occurred_at:%Y%m%d}-{event.id[:8]}"


def assign_incidents(events: Sequence[Event], store: EventStore, join: IncidentJoin) -> list[Event]:
    """The same events, each located gunshot without an incident given one."""
    out = list(events)
    placed: list[Event] = []  # shots of this batch already given an incident
    order = sorted(
        (i for i, e in enumerate(out) if _needs_incident(e)), key=lambda i: out[i].occurred_at
    )
    for i in order:
        shot = out[i]
        incident = (
            _earlier_shot_incident(shot, placed, store, join)
            or _open_cad_incident(shot, store, join)
            or new_incident_id(shot)
        )
        assert isinstance(shot.payload, Gunshot)
        out[i] = replace(shot, payload=shot.payload.model_copy(update={"incident_id": incident}))
        placed.append(out[i])
    return out


def _needs_incident(event: Event) -> bool:
    return (
        event.kind is EventKind.GUNSHOT
        and event.location is not None
        and isinstance(event.payload, Gunshot)
        and event.payload.incident_id is None
    )


def _earlier_shot_incident(
    shot: Event, batch: list[Event], store: EventStore, join: IncidentJoin
) -> str | None:
    """The incident of the nearest earlier shot within the radius and window."""
    assert shot.location is not None
    lat, lon = shot.location.lat, shot.location.lon
    since = shot.occurred_at - join.window
    candidates: list[tuple[float, str]] = []
    for near in store.events_near(lat, lon, join.radius_m, ["gunshot"], since, shot.occurred_at):
        incident = near.event["payload"].get("incident_id")
        if incident:
            candidates.append((near.distance_m, str(incident)))
    for other in batch:
        assert other.location is not None and isinstance(other.payload, Gunshot)
        distance = haversine_m(lat, lon, other.location.lat, other.location.lon)
        if distance <= join.radius_m and since <= other.occurred_at and other.payload.incident_id:
            candidates.append((distance, other.payload.incident_id))
    return min(candidates)[1] if candidates else None


def _open_cad_incident(shot: Event, store: EventStore, join: IncidentJoin) -> str | None:
    """The nearest CAD incident that is not closed and changed within the window."""
    assert shot.location is not None
    since = shot.occurred_at - join.window
    for near in store.entities_near(
        shot.location.lat, shot.location.lon, join.radius_m, "incident"
    ):
        event = near.entity.event
        if event["payload"].get("status") == "closed":
            continue
        if datetime.fromisoformat(event["occurred_at"]) >= since:
            return str(event["payload"]["incident_id"])
    return None
