"""One plate read, whatever it arrived in: named wire values → an `lpr_read` wire event.

Both the webhook and the CSV adapter first collect a `RawRead` (canonical name →
(wire field, value)) and hand it here, so plates, directions, times and ids are
normalised one way for every LPR feed.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rtcc.core.geo import COMPASS_POINTS, compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.values import confidence, number

RawRead = dict[str, tuple[str, Any]]
_SEPARATORS = re.compile(r"[\s\-._·•]+")
_PLATE = re.compile(r"^[A-Z0-9]+$")
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.:\-]+")
_WORDS = {"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W"}


@dataclass(slots=True)
class Notes:
    """Problems met while building one read that did not sink it."""

    dropped: list[tuple[str, str, str]] = field(default_factory=list)


def plate(name: str, value: Any) -> str:
    """Upper case A-Z0-9: spaces, dashes, dots are separators; anything else is refused."""
    if value is None:
        raise AdapterError(name, "missing", "no plate")
    text = _SEPARATORS.sub("", str(value)).upper()
    if not text:
        raise AdapterError(name, "empty", f"{value!r} holds no plate characters")
    if not _PLATE.match(text):
        raise AdapterError(name, "bad_chars", f"{value!r} is not A-Z/0-9")
    if len(text) > 10:
        raise AdapterError(name, "too_long", f"{text!r} is longer than 10 characters")
    return text


def plate_state(name: str, value: Any) -> str | None:
    """Two-letter state/province code; `US-CA` style ISO 3166-2 codes keep the subdivision."""
    if value is None:
        return None
    text = str(value).strip().upper().rsplit("-", 1)[-1]
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise AdapterError(name, "bad_state", f"{value!r} is not a two-letter state code")
    return text


def direction(name: str, value: Any) -> float | None:
    """Degrees (any sign, taken modulo 360) or a compass word: N, NE, NNW, Northbound, SB…"""
    if value is None:
        return None
    text = str(value).strip().upper()
    if isinstance(value, int | float) or re.fullmatch(r"-?\d+(\.\d+)?", text):
        return compass(number(name, value))
    text = re.sub(r"[\s_\-]+", "", text).removesuffix("BOUND")
    if len(text) == 2 and text.endswith("B") and text[0] in "NSEW":
        text = text[0]
    for word, letter in _WORDS.items():
        text = text.replace(word, letter)
    if text not in COMPASS_POINTS:
        raise AdapterError(name, "bad_direction", f"{value!r} is not a heading or compass point")
    return COMPASS_POINTS[text]


def coordinate(name: str, value: Any, limit: float) -> float:
    result = number(name, value)
    if not -limit <= result <= limit:
        raise AdapterError(name, "out_of_range", f"{result} is outside ±{limit}")
    return result


def ident(name: str, value: Any, max_length: int = 64) -> str:
    """A source id made safe for the event envelope: disallowed characters become `_`."""
    if value is None:
        raise AdapterError(name, "missing", "no id")
    raw = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    text = _NOT_IDENT.sub("_", raw.strip()).strip("_")
    if not text:
        raise AdapterError(name, "missing", f"{value!r} holds no id characters")
    if len(text) > max_length:
        raise AdapterError(name, "too_long", f"id longer than {max_length} characters")
    return text


def timestamp(name: str, value: Any, zone: ZoneInfo | None, fmt: str = "iso") -> datetime:
    """ISO 8601 (zone, or the configured zone for naive text), epoch s/ms, or a strptime format."""
    if value is None:
        raise AdapterError(name, "missing", "no time")
    text = str(value).strip()
    if fmt in ("epoch_s", "epoch_ms") or (
        fmt == "iso" and (isinstance(value, int | float) or re.fullmatch(r"\d{9,13}", text))
    ):
        seconds = number(name, value)
        if fmt == "epoch_ms" or (fmt == "iso" and seconds > 1e11):
            seconds /= 1000
        if not 0 <= seconds < 32503680000:
            raise AdapterError(name, "bad_timestamp", f"epoch {value!r} out of range")
        return datetime.fromtimestamp(seconds, UTC)
    try:
        if fmt == "iso":
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            parsed = datetime.strptime(text, fmt)
    except ValueError:
        raise AdapterError(name, "bad_timestamp", f"{text[:60]!r} does not match {fmt}") from None
    if parsed.tzinfo is None:
        if zone is None:
            raise AdapterError(name, "no_timezone", f"{text!r} has no zone and none is set")
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _get(raw: RawRead, key: str, default_name: str) -> tuple[str, Any]:
    """(wire field, value) with blank text read as absent."""
    name, value = raw.get(key, (default_name, None))
    if isinstance(value, str) and not value.strip():
        value = None
    return name, value


def _text(raw: RawRead, key: str) -> tuple[str, str | None]:
    name, value = _get(raw, key, key)
    if value is None or isinstance(value, dict | list):
        return name, None
    return name, str(value).strip()


def build(raw: RawRead, zone: ZoneInfo | None, notes: Notes, fmt: str = "iso") -> WireEvent:
    """The `lpr_read` wire event for one read (raises AdapterError on a refused value)."""
    number_plate = plate(*raw.get("plate", ("plate", None)))
    at = timestamp(*_get(raw, "time", "timestamp"), zone, fmt)
    reader = ident(*_get(raw, "reader_id", "camera.id"))
    payload: dict[str, Any] = {"reader_id": reader, "plate": number_plate}
    words = (_text(raw, k)[1] for k in ("color", "make", "model", "vehicle_type"))
    optional: dict[str, Any] = {
        "plate_state": plate_state(*_get(raw, "state", "state")),
        "confidence": confidence(*_get(raw, "confidence", "confidence")),
        "direction_deg": direction(*_get(raw, "direction", "direction")),
        "vehicle": " ".join(w for w in words if w)[:200] or None,
    }
    for key, limit in (("hotlist", 64), ("image_ref", 500)):
        name, text = _text(raw, key)
        if text is not None and len(text) > limit:
            notes.dropped.append((name, "too_long", f"longer than {limit} characters, dropped"))
            text = None
        optional[key] = text
    payload.update({k: val for k, val in optional.items() if val is not None})
    event: WireEvent = {"kind": "lpr_read", "occurred_at": at.isoformat(), "payload": payload}
    id_name, vendor_id = _get(raw, "id", "id")
    stamp = int(at.timestamp() * 1000)
    fallback = f"{reader}-{stamp}-{number_plate}"
    event["id"] = ident(id_name, vendor_id, max_length=128) if vendor_id else fallback
    lat_name, lat = _get(raw, "lat", "latitude")
    lon_name, lon = _get(raw, "lon", "longitude")
    if (lat is None) != (lon is None):
        missing = lat_name if lat is None else lon_name
        raise AdapterError(missing, "missing", "a location needs both latitude and longitude")
    if lat is not None:
        event["location"] = {
            "lat": coordinate(lat_name, lat, 90),
            "lon": coordinate(lon_name, lon, 180),
        }
    return event
