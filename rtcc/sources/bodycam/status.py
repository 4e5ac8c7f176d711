"""One body-worn camera status object → one `camera_status` wire event.

The shape (docs/sources/bodycam.md) is modelled on what evidence-management device-status
APIs carry (device, officer, recording state, battery, GPS fix); no vendor specification is
in the shared data, so field names are ours, with the few aliases listed there.
"""

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from rtcc.core.clock import iso
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.bodycam.options import BodycamOptions

Status = Literal["online", "offline", "degraded"]
_NOT_ID = re.compile(r"[^A-Za-z0-9_.:\-]+")
# recording state → (recording, camera status when the device says nothing else)
RECORDING: dict[str, tuple[bool, Status]] = {
    "recording": (True, "online"),
    "buffering": (False, "online"),  # pre-event buffer: video kept only if recording starts
    "idle": (False, "online"),
    "off": (False, "offline"),  # powered off: its last word
}
CONNECTION: dict[str, Status] = {"online": "online", "offline": "offline", "docked": "offline"}
TIME_KEYS = ("occurredAt", "timestamp", "updatedAt")


def _text(value: Any, field: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise AdapterError(field, "bad_type", f"expected text, got {type(value).__name__}")
    text = " ".join(str(value).split())
    return text[:limit] or None


def _object(record: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AdapterError(key, "bad_type", "expected an object")
    return value


def _number(value: Any, field: str) -> float:
    if type(value) is float and math.isfinite(value):  # the usual JSON number
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AdapterError(field, "not_a_number", f"expected a number, got {value!r}"[:80])
    try:
        number = float(value)
    except OverflowError as exc:  # a JSON integer beyond any float
        raise AdapterError(field, "out_of_range", "too large to be a number") from exc
    if not math.isfinite(number):
        raise AdapterError(field, "out_of_range", "not a finite number")
    return number


def timestamp(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise AdapterError(field, "missing" if value is None else "bad_timestamp", "ISO 8601")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise AdapterError(field, "bad_timestamp", f"not ISO 8601: {value[:40]!r}") from exc
    if parsed.utcoffset() is None:
        raise AdapterError(field, "bad_timestamp", f"no time zone: {value[:40]!r}")
    return parsed.astimezone(UTC)


_DEVICE_IDS = (("device.serial", "serial"), ("device.id", "id"))
_RECORD_IDS = (("deviceId", "deviceId"), ("serial", "serial"))


def camera_id(record: Mapping[str, Any], device: Mapping[str, Any], prefix: str) -> str:
    """The first usable of device.serial, device.id, deviceId, serial (each checked in turn)."""
    for source, keys in ((device, _DEVICE_IDS), (record, _RECORD_IDS)):
        for field, key in keys:
            text = _text(source.get(key), field)
            if text:
                ident = _NOT_ID.sub("_", text).strip("_")
                if ident:
                    return f"{prefix}{ident}"[:64]
    raise AdapterError("device.serial", "missing", "no device serial or id")


def location(record: Mapping[str, Any]) -> dict[str, float]:
    """The GPS fix; a status without one (absent, null, `fix: false`, 0/0) is refused."""
    gps = _object(record, "gps")
    lat = gps.get("lat", gps.get("latitude"))
    lon = gps.get("lon", gps.get("longitude"))
    if not gps or gps.get("fix") is False or lat is None or lon is None:
        raise AdapterError("gps", "no_fix", "no GPS fix: a camera_status needs a location")
    lat_f, lon_f = _number(lat, "gps.lat"), _number(lon, "gps.lon")
    if lat_f == 0 and lon_f == 0:
        raise AdapterError("gps", "no_fix", "0/0 is a receiver without a fix")
    if not -90 <= lat_f <= 90:
        raise AdapterError("gps.lat", "out_of_range", f"{lat_f} not in ±90")
    if not -180 <= lon_f <= 180:
        raise AdapterError("gps.lon", "out_of_range", f"{lon_f} not in ±180")
    out = {"lat": lat_f, "lon": lon_f}
    accuracy = gps.get("accuracy")
    # An accuracy the model cannot hold (negative, NaN, 999999) is dropped, not guessed.
    if isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool):
        out.update({"accuracy_m": float(accuracy)} if 0 <= accuracy <= 100_000 else {})
    fix_time = gps.get("time")
    if fix_time is not None:
        timestamp(fix_time, "gps.time")  # checked; the status time is the event's
    return out


def _states(record: Mapping[str, Any]) -> tuple[bool, Status]:
    raw = _text(record.get("recordingState"), "recordingState")
    if raw is None:
        raise AdapterError("recordingState", "missing", "recording / buffering / idle / off")
    known = RECORDING.get(raw.lower())
    if known is None:
        raise AdapterError("recordingState", "unknown_value", f"{raw[:40]!r}")
    recording, status = known
    connection = _text(record.get("connection"), "connection")
    if connection is not None:
        if connection.lower() not in CONNECTION:
            raise AdapterError("connection", "unknown_value", f"{connection[:40]!r}")
        status = "offline" if status == "offline" else CONNECTION[connection.lower()]
    return recording, status


def to_event(record: Any, options: BodycamOptions) -> WireEvent:
    if not isinstance(record, dict):
        raise AdapterError("status", "not_an_object", "a status must be a JSON object")
    key = _time_key(record)
    at = timestamp(record.get(key), key)
    device = _object(record, "device")
    camera = camera_id(record, device, options.id_prefix)
    recording, status = _states(record)
    officer = _object(record, "officer")
    where = location(record)
    payload: dict[str, Any] = {
        "camera_id": camera,
        "camera_type": "body_worn",
        "status": status,
        "recording": recording,
    }
    name = _text(device.get("name"), "device.name") or _text(device.get("model"), "device.model")
    owner = _text(officer.get("badge"), "officer.badge") or _text(officer.get("id"), "officer.id")
    if name is not None:
        payload["name"] = name
    if owner is not None:
        payload["owner"] = owner
    if options.fov_deg is not None:
        payload["fov_deg"] = options.fov_deg
    if options.range_m is not None:
        payload["range_m"] = options.range_m
    return {
        "kind": "camera_status",
        "id": f"{camera}-{round(at.timestamp() * 1000)}",
        "occurred_at": iso(at),
        "location": where,
        "payload": payload,
    }


def _time_key(record: Mapping[str, Any]) -> str:
    """The first of TIME_KEYS the status carries (the first one, to be refused, if none)."""
    for key in TIME_KEYS:
        if record.get(key) is not None:
            return key
    return TIME_KEYS[0]
