"""GTFS-realtime VehiclePositions (one FeedMessage per poll) → unit_position events.

Each entity whose `vehicle` carries a `position` becomes one event. Entities without a
position, deleted entities (DIFFERENTIAL feeds) and "null island" (0, 0) fixes are
skipped and counted in `skipped`. A feed whose entities carry no VehiclePosition at all
(a TripUpdates or Alerts feed at the wrong URL) is refused as `no_vehicle_positions`,
so a misconfigured source shows up as errors instead of silence.
"""

import hashlib
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
_KIND = EventKind.UNIT_POSITION.value
_TIMESTAMP = "entity.vehicle.timestamp"
_LATITUDE = "entity.vehicle.position.latitude"
_LONGITUDE = "entity.vehicle.position.longitude"
_SPEED = "entity.vehicle.position.speed"
_BEARING = "entity.vehicle.position.bearing"


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
        header_time = int(header.timestamp) if header.HasField("timestamp") else None
        entities = feed.entity
        _refuse_feed_without_vehicles(entities)
        memo = _FeedMemo()
        events: list[WireEvent] = []
        for entity in entities:
            skip = _skip_reason(entity)
            if skip:
                self.skipped[skip] += 1
                continue
            try:
                events.append(self._event(entity, header_time, memo))
            except AdapterError as error:
                if not self.options.skip_bad_entities:
                    raise
                self.skipped[error.reason] += 1
        return events

    def _event(self, entity: Any, header_time: int | None, memo: "_FeedMemo") -> WireEvent:
        vehicle = entity.vehicle
        unit_id = self.options.unit_id_prefix + _unit_id(entity)
        at = _timestamp(vehicle, header_time, unit_id)
        position = vehicle.position
        lat = memo.value(_LATITUDE, position.latitude, -90, 90, unit_id)
        lon = memo.value(_LONGITUDE, position.longitude, -180, 180, unit_id)
        payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": self.options.unit_type}
        if position.HasField("speed"):
            payload["speed_mps"] = memo.value(_SPEED, position.speed, 0, MAX_SPEED_MPS, unit_id)
        if position.HasField("bearing"):
            bearing = memo.value(_BEARING, position.bearing, 0, 360, unit_id)
            payload["heading_deg"] = compass(bearing)
        return {
            "kind": _KIND,
            "id": f"{unit_id}-{at * 1000}",
            "occurred_at": memo.iso_time(at),
            "location": {"lat": lat, "lon": lon},
            "payload": payload,
        }


def _refuse_feed_without_vehicles(entities: Any) -> None:
    """Refuse a feed whose live (not deleted) entities all lack a VehiclePosition."""
    live = False
    for entity in entities:
        if not entity.is_deleted:
            if entity.HasField("vehicle"):
                return
            live = True
    if live:
        raise AdapterError("entity", "no_vehicle_positions", "no entity carries a VehiclePosition")


def _skip_reason(entity: Any) -> str | None:
    if entity.is_deleted:
        return "deleted"
    if not entity.HasField("vehicle"):
        return "no_vehicle"
    vehicle = entity.vehicle
    if not vehicle.HasField("position"):
        return "no_position"
    position = vehicle.position
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
    stamp = int(vehicle.timestamp) if vehicle.HasField("timestamp") else header_time
    if stamp is None:
        raise AdapterError(_TIMESTAMP, "missing", f"{unit_id}: no vehicle or header timestamp")
    if not EARLIEST <= stamp < LATEST:
        raise AdapterError(_TIMESTAMP, "bad_timestamp", f"{unit_id}: {stamp} is not POSIX seconds")
    return stamp


class _FeedMemo:
    """What the vehicles of one feed share is converted once: a poll stamps many vehicles
    with the same time, and stopped or parked ones report the same speed and bearing."""

    __slots__ = ("_texts", "_times")

    def __init__(self) -> None:
        self._texts: dict[float, float] = {}
        self._times: dict[int, str] = {}

    def value(self, field: str, value: float, low: float, high: float, unit_id: str) -> float:
        """A float32 field as the producer wrote it (float32_text), within [low, high]."""
        if not low <= value <= high:  # NaN and ±inf fail this too: only finite values pass
            problem = f"{unit_id}: {value:g} not in [{low}, {high}]"
            raise AdapterError(field, "out_of_range", problem)
        if not value:
            return value  # as it is: the dict would not tell 0.0 from -0.0
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = float32_text(value)
        return text

    def iso_time(self, stamp: int) -> str:
        text = self._times.get(stamp)
        if text is None:
            text = self._times[stamp] = datetime.fromtimestamp(stamp, UTC).isoformat()
        return text
