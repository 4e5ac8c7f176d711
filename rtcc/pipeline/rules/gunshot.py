"""Gunshot → one alert per incident with the cameras, plate reads and units around it.

Genetec-style correlation, a time window by a radius around the shot: the nearest cameras
(and whether they can see it), plate reads in the window, units in service. The shot's
incident was set before it was stored (rtcc/pipeline/gunshot_incident.py); the first
shot of an incident raises the alert, a follow-up shot within the window joins it
silently (its stored event carries the incident id) instead of raising a second alert.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rtcc.core.alerts import Alert, derived_id
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import Event, EventKind, Hops
from rtcc.core.payloads import Gunshot
from rtcc.pipeline.gunshot_incident import new_incident_id
from rtcc.pipeline.rules.nearby import nearby_cameras, nearby_units
from rtcc.storage.base import EventStore, NearbyEvent


@dataclass(frozen=True, slots=True)
class _Shot:
    event: Event
    lat: float
    lon: float
    incident_id: str


class GunshotNearbyRule:
    name = "gunshot_nearby"

    def __init__(
        self,
        radius_m: float = 1000.0,
        max_cameras: int = 8,
        window: timedelta = timedelta(minutes=10),
        max_reads: int = 50,
    ) -> None:
        self.radius_m = radius_m
        self.max_cameras = max_cameras
        self.window = window
        self.max_reads = max_reads

    def applies_to(self, event: Event) -> bool:
        return event.kind is EventKind.GUNSHOT and event.location is not None

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert event.location is not None and isinstance(event.payload, Gunshot)
        shot = _Shot(
            event,
            event.location.lat,
            event.location.lon,
            event.payload.incident_id or new_incident_id(event),
        )
        detections = self._incident_shots(shot, store)
        if any(_before(d.event, event) for d in detections):
            return None  # a follow-up: the incident's alert is already out
        return self._alert(shot, detections, store)

    def _incident_shots(self, shot: _Shot, store: EventStore) -> list[NearbyEvent]:
        """Shots of the same incident within the window either side (this one included)."""
        at = shot.event.occurred_at
        near = store.events_near(
            shot.lat, shot.lon, self.radius_m, ["gunshot"], at - self.window, at + self.window
        )
        return [
            n
            for n in near
            if n.event["id"] == shot.event.id
            or n.event["payload"].get("incident_id") == shot.incident_id
        ]

    def _plate_reads(self, shot: _Shot, store: EventStore) -> list[dict[str, Any]]:
        at = shot.event.occurred_at
        reads = store.events_near(
            shot.lat,
            shot.lon,
            self.radius_m,
            ["lpr_read"],
            at - self.window,
            at + self.window,
            nearest=self.max_reads,
        )
        return [_read_summary(n) for n in reads]

    def _alert(self, shot: _Shot, detections: list[NearbyEvent], store: EventStore) -> Alert:
        event = shot.event
        assert event.location is not None and isinstance(event.payload, Gunshot)
        payload = event.payload
        cameras = nearby_cameras(store, shot.lat, shot.lon, self.radius_m, self.max_cameras)
        units = nearby_units(store, shot.lat, shot.lon, self.radius_m)
        reads = self._plate_reads(shot, store)
        joined_cad = not shot.incident_id.startswith("RTCC-")
        rounds = f"{payload.rounds} round{'s' if payload.rounds != 1 else ''}"
        seeing = sum(1 for c in cameras if c["in_view"])
        incident_text = (
            f"joins incident {shot.incident_id}"
            if joined_cad
            else f"new incident {shot.incident_id}"
        )
        detail: dict[str, Any] = {
            "detection_id": payload.detection_id,
            "rounds": payload.rounds,
            "classification": payload.classification,
            "radius_m": self.radius_m,
            "window_s": self.window.total_seconds(),
            "location_method": payload.location_method,
            "location_note": payload.location_note,
            "uncertainty_m": event.location.accuracy_m,
            "incident": {
                "id": shot.incident_id,
                "source": "cad" if joined_cad else "rtcc",
                "joined": joined_cad,
            },
            "detections": [_detection_summary(d) for d in detections],
            "cameras": cameras,
            "plate_reads": reads,
            "units": units,
        }
        now = utcnow()
        return Alert(
            id=derived_id(self.name, event.id),
            rule=self.name,
            created_at=now,
            severity="critical",
            title=(
                f"Gunshot, {rounds}: {len(cameras)} cameras ({seeing} in view), "
                f"{len(reads)} plate reads, {len(units)} units within "
                f"{self.radius_m / 1000:g} km; {incident_text}"
            ),
            event_id=event.id,
            location=event.location,
            detail=detail,
            hops=Hops(
                received_at=event.hops.received_at,
                persisted_at=event.hops.persisted_at,
                alerted_at=now,
            ),
        )


def _before(other: dict[str, Any], event: Event) -> bool:
    """Whether a stored shot came first: by time, then by id so a tie has one winner."""
    if other["id"] == event.id:
        return False
    mine = iso(event.occurred_at)
    theirs = str(other["occurred_at"])
    return (theirs, str(other["id"])) < (mine, event.id)


def _detection_summary(near: NearbyEvent) -> dict[str, Any]:
    e = near.event
    return {
        "event_id": e["id"],
        "detection_id": e["payload"].get("detection_id"),
        "occurred_at": e["occurred_at"],
        "rounds": e["payload"].get("rounds"),
        "distance_m": round(near.distance_m, 1),
        "location": e["location"],
    }


def _read_summary(near: NearbyEvent) -> dict[str, Any]:
    """A nearby read, without the reader's own hotlist flag: a hit reaches officers only
    after an analyst confirms it (rtcc.analysis.hotlists), never through a gunshot alert."""
    e, p = near.event, near.event["payload"]
    return {
        "event_id": e["id"],
        "plate": p.get("plate"),
        "plate_state": p.get("plate_state"),
        "reader_id": p.get("reader_id"),
        "occurred_at": e["occurred_at"],
        "distance_m": round(near.distance_m, 1),
        "location": e["location"],
    }
