"""The Flock-style ALPR webhook body: one read object, an array of reads, or an envelope.

Field names are matched case-insensitively against the aliases below (the ones
docs/sources/lpr_webhook.md lists); nested `camera`, `vehicle`, `location` and
`hotlist`/`alert` objects are read as Flock-style payloads nest them.
"""

from collections.abc import Mapping
from typing import Any

from rtcc.sources.base import AdapterError, json_records
from rtcc.sources.lpr.read import RawRead

BATCH_KEYS = ("reads", "data", "events", "results", "detections")
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "readId", "read_id", "eventId", "event_id", "alertId", "alert_id"),
    "plate": ("plate", "plateNumber", "plate_number", "licensePlate", "license_plate"),
    "state": ("plateState", "plate_state", "state", "region", "plateRegion"),
    "confidence": ("confidence", "plateConfidence", "plate_confidence", "score"),
    "time": ("timestamp", "capturedAt", "captured_at", "readTime", "read_time", "time"),
    "direction": ("direction", "heading", "travelDirection", "travel_direction"),
    "image_ref": ("imageUrl", "image_url", "fullImageUrl", "plateImageUrl", "image", "imageRef"),
    "reader_id": ("cameraId", "camera_id", "readerId", "reader_id", "deviceId", "device_id"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "lng"),
    "make": ("vehicleMake", "vehicle_make", "make"),
    "model": ("vehicleModel", "vehicle_model", "model"),
    "color": ("vehicleColor", "vehicle_color", "color"),
    "vehicle_type": ("vehicleType", "vehicle_type", "bodyType", "body_type"),
    "hotlist": ("hotlistName", "hotlist_name", "hotlist", "alertName", "alert_name"),
}
_NESTED: dict[str, tuple[str, ...]] = {
    "camera": ("reader_id", "lat", "lon", "direction"),
    "reader": ("reader_id", "lat", "lon", "direction"),
    "device": ("reader_id", "lat", "lon", "direction"),
    "location": ("lat", "lon"),
    "vehicle": ("make", "model", "color", "vehicle_type"),
    "hotlist": ("hotlist",),
    "alert": ("hotlist",),
}
_NESTED_ALIASES: dict[str, tuple[str, ...]] = {
    "reader_id": ("id", "cameraId", "readerId", "deviceId"),
    "hotlist": ("name", "hotlistName", "reason"),
    "vehicle_type": ("type",),
}


def parse_reads(message: bytes) -> tuple[bool, list[Any]]:
    """(is a batch, the read objects) of one webhook body."""
    return json_records(message, BATCH_KEYS, "a read")


def _find(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    lowered = {str(k).lower(): k for k in record}
    for name in names:
        key = lowered.get(name.lower())
        if key is not None and record[key] is not None and not isinstance(record[key], dict):
            return str(key), record[key]
    return None


def raw_read(record: Any) -> RawRead:
    """Canonical name → (wire field, value) for one read object."""
    if not isinstance(record, dict):
        raise AdapterError("read", "not_an_object", "a read must be a JSON object")
    raw: RawRead = {}
    for canonical, names in ALIASES.items():
        hit = _find(record, names)
        if hit is not None and not (canonical == "hotlist" and isinstance(hit[1], bool)):
            raw[canonical] = hit
    lowered = {str(k).lower(): k for k in record}
    for container, wanted in _NESTED.items():
        key = lowered.get(container)
        inner = record.get(key) if key is not None else None
        if not isinstance(inner, dict):
            continue
        for canonical in wanted:
            hit = _find(inner, _NESTED_ALIASES.get(canonical, ()) + ALIASES[canonical])
            if hit is not None and canonical not in raw:
                raw[canonical] = (f"{key}.{hit[0]}", hit[1])
    if "plate" not in raw:
        raw["plate"] = ("plate", None)
    return raw
