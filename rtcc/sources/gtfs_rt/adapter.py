"""GTFS-realtime VehiclePositions (one FeedMessage per poll) → unit_position events.

Each entity whose `vehicle` carries a `position` becomes one event. Entities without a
position, deleted entities (DIFFERENTIAL feeds) and "null island" (0, 0) fixes are
skipped and counted in `skipped`. A feed whose entities carry no VehiclePosition at all
(a TripUpdates or Alerts feed at the wrong URL) is refused as `no_vehicle_positions`,
so a misconfigured source shows up as errors instead of silence.
"""

import hashlib
import math
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any, ClassVar

from rtcc.core.events import EventKind
from rtcc.core.geo import compass
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, Framing, WireEvent
from rtcc.sources.gtfs_rt.options import GtfsRtOptions
from rtcc.sources.gtfs_rt.wire import decode_feed, float32_text

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()  # older stamps are broken clocks
LATEST = datetime(2100, 1, 1, tzinfo=UTC).timestamp()  # later ones are usually milliseconds
MAX_SPEED_MPS = 120.0
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.:\-]")
_POSITION = "entity.vehicle.position"


class GtfsRtAdapter:
    name: ClassVar[str] = "gtfs_rt"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.UNIT_POSITION,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[GtfsRtOptions]] = GtfsRtOptions

    def __init__(self, options: GtfsRtOptions) -> None:
        self.options = options
        self.skipped: Counter[str] = Counter()  # entities passed over, by reason, since start

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("FeedMessage", "too_large", f"{len(message)} bytes")
        feed = decode_feed(message)
        header = feed.header
        header_time = int(header.timestamp) if _has(header, "timestamp") else None
        live = [e for e in feed.entity if not e.is_deleted]
        if live and not any(_has(e, "vehicle") for e in live):
            raise AdapterError(
                "entity", "no_vehicle_positions", "no entity carries a VehiclePosition"
            )
        events: list[WireEvent] = []
        for entity in feed.entity:
            skip = _skip_reason(entity)
            if skip:
                self.skipped[skip] += 1
                continue
            try:
                events.append(self._event(entity, header_time))
            except AdapterError as error:
                if not self.options.skip_bad_entities:
                    raise
                self.skipped[error.reason] += 1
        return events

    def _event(self, entity: Any, header_time: int | None) -> WireEvent:
        vehicle = entity.vehicle
        unit_id = self.options.unit_id_prefix + _unit_id(entity)
        at = _timestamp(vehicle, header_time, unit_id)
        position = vehicle.position
        lat = _finite(f"{_POSITION}.latitude", float(position.latitude), -90, 90, unit_id)
        lon = _finite(f"{_POSITION}.longitude", float(position.longitude), -180, 180, unit_id)
        payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": self.options.unit_type}
        if _has(position, "speed"):
            speed = float(position.speed)
            payload["speed_mps"] = _finite(f"{_POSITION}.speed", speed, 0, MAX_SPEED_MPS, unit_id)
        if _has(position, "bearing"):
            bearing = _finite(f"{_POSITION}.bearing", float(position.bearing), 0, 360, unit_id)
            payload["heading_deg"] = compass(bearing)
        return {
            "kind": EventKind.UNIT_POSITION.value,
            "id": f"{unit_id}-{at * 1000}",
            "occurred_at": datetime.fromtimestamp(at, UTC).isoformat(),
            "location": {"lat": lat, "lon": lon},
            "payload": payload,
        }


def _has(message: Any, field: str) -> bool:
    return bool(message.HasField(field))


def _skip_reason(entity: Any) -> str | None:
    if entity.is_deleted:
        return "deleted"
    if not _has(entity, "vehicle"):
        return "no_vehicle"
    if not _has(entity.vehicle, "position"):
        return "no_position"
    position = entity.vehicle.position
    if position.latitude == 0 and position.longitude == 0:
        return "null_island"  # what many AVL boxes send before their first GPS fix
    return None


def _unit_id(entity: Any) -> str:
    """vehicle.id, else vehicle.label, else the entity id, made safe for an Ident."""
    descriptor = entity.vehicle.vehicle
    raw = str(descriptor.id or descriptor.label or entity.id)
    safe = _NOT_IDENT.sub("_", raw.strip()) or "_"
    if len(safe) <= 48:
        return safe
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{safe[:39]}.{digest}"


def _timestamp(vehicle: Any, header_time: int | None, unit_id: str) -> int:
    stamp = int(vehicle.timestamp) if _has(vehicle, "timestamp") else header_time
    field = "entity.vehicle.timestamp"
    if stamp is None:
        raise AdapterError(field, "missing", f"{unit_id}: no vehicle or header timestamp")
    if not EARLIEST <= stamp < LATEST:
        raise AdapterError(field, "bad_timestamp", f"{unit_id}: {stamp} is not POSIX seconds")
    return stamp


def _finite(field: str, value: float, low: float, high: float, unit_id: str) -> float:
    """A float32 field as the producer wrote it, within [low, high]."""
    if not math.isfinite(value) or not low <= value <= high:
        raise AdapterError(field, "out_of_range", f"{unit_id}: {value:g} not in [{low}, {high}]")
    return float32_text(value)
