"""Gunshot → the nearest cameras (and whether they can see it) and units within 1 km."""

import uuid
from typing import Any

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, EventKind, Hops
from rtcc.core.payloads import Gunshot
from rtcc.pipeline.rules.nearby import nearby_cameras, nearby_units
from rtcc.storage.base import EventStore


class GunshotNearbyRule:
    name = "gunshot_nearby"

    def __init__(self, radius_m: float = 1000.0, max_cameras: int = 8) -> None:
        self.radius_m = radius_m
        self.max_cameras = max_cameras

    def applies_to(self, event: Event) -> bool:
        return event.kind is EventKind.GUNSHOT and event.location is not None

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert event.location is not None and isinstance(event.payload, Gunshot)
        lat, lon = event.location.lat, event.location.lon
        cameras = nearby_cameras(store, lat, lon, self.radius_m, self.max_cameras)
        units = nearby_units(store, lat, lon, self.radius_m)
        shot = event.payload
        rounds = f"{shot.rounds} round{'s' if shot.rounds != 1 else ''}"
        seeing = sum(1 for c in cameras if c["in_view"])
        detail: dict[str, Any] = {
            "detection_id": shot.detection_id,
            "rounds": shot.rounds,
            "classification": shot.classification,
            "radius_m": self.radius_m,
            "cameras": cameras,
            "units": units,
        }
        now = utcnow()
        return Alert(
            id=uuid.uuid4().hex,
            rule=self.name,
            created_at=now,
            severity="critical",
            title=(
                f"Gunshot, {rounds}: {len(cameras)} cameras ({seeing} in view), "
                f"{len(units)} units within {self.radius_m / 1000:g} km"
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
