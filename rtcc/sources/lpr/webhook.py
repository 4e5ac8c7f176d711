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


# Lower-case alias → (canonical name, rank): rank is the alias's place in its list, and
# the best-ranked alias present with a usable value wins. One pass over a read's keys
# then finds every field, instead of one case-folded scan per alias.
AliasTable = dict[str, tuple[str, int]]


def _alias_table(names_of: dict[str, tuple[str, ...]]) -> AliasTable:
    table: AliasTable = {}
    for canonical, names in names_of.items():
        for rank, name in enumerate(names):
            known = table.setdefault(name.lower(), (canonical, rank))  # a repeat keeps rank
            if known[0] != canonical:
                raise ValueError(f"alias {name!r} names both {known[0]} and {canonical}")
    return table


_TOP_LEVEL = _alias_table(ALIASES)
_INSIDE = {
    container: _alias_table({c: _NESTED_ALIASES.get(c, ()) + ALIASES[c] for c in wanted})
    for container, wanted in _NESTED.items()
}


def parse_reads(message: bytes) -> tuple[bool, list[Any]]:
    """(is a batch, the read objects) of one webhook body."""
    return json_records(message, BATCH_KEYS, "a read")


def _case_folded(record: Mapping[str, Any]) -> dict[str, str]:
    """Lower-case key → the record's key (of keys differing only in case, the last)."""
    return {key.lower(): key for key in record}


def _pick(record: Mapping[str, Any], keys: dict[str, str], table: AliasTable) -> RawRead:
    """Canonical name → (key, value) of its best-ranked alias holding a value (not null,
    not an object)."""
    found: RawRead = {}
    ranks: dict[str, int] = {}
    for lowered, key in keys.items():
        alias = table.get(lowered)
        if alias is None:
            continue
        value = record[key]
        if value is None or isinstance(value, dict):
            continue
        canonical, rank = alias
        best = ranks.get(canonical)
        if best is None or rank < best:
            ranks[canonical] = rank
            found[canonical] = (key, value)
    return found


def raw_read(record: Any) -> RawRead:
    """Canonical name → (wire field, value) for one read object."""
    if not isinstance(record, dict):
        raise AdapterError("read", "not_an_object", "a read must be a JSON object")
    keys = _case_folded(record)
    raw = _pick(record, keys, _TOP_LEVEL)
    hotlist = raw.get("hotlist")
    if hotlist is not None and isinstance(hotlist[1], bool):
        del raw["hotlist"]  # `"hotlist": true` is a flag, not a list name
    for container, table in _INSIDE.items():
        key = keys.get(container)
        inner = record.get(key) if key is not None else None
        if not isinstance(inner, dict):
            continue
        for canonical, (name, value) in _pick(inner, _case_folded(inner), table).items():
            if canonical not in raw:
                raw[canonical] = (f"{key}.{name}", value)
    if "plate" not in raw:
        raw["plate"] = ("plate", None)
    return raw
