"""One plate read, whatever it arrived in: named wire values → an `lpr_read` wire event.

Both the webhook and the CSV adapter first collect a `RawRead` (canonical name →
(wire field, value)) and hand it here, so plates, directions, times and ids are
normalised one way for every LPR feed.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rtcc.core.geo import COMPASS_POINTS, compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.timeformat import TimeFormat
from rtcc.sources.values import confidence, number

RawRead = dict[str, tuple[str, Any]]
_SEPARATORS = re.compile(r"[\s\-._·•]+")
_PLATE = re.compile(r"^[A-Z0-9]+$")
_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.:\-]+")
_STATE = re.compile(r"[A-Z]{2}")
_DEGREES = re.compile(r"-?\d+(\.\d+)?")
_HEADING_SEPARATORS = re.compile(r"[\s_\-]+")
_EPOCH_DIGITS = re.compile(r"\d{9,13}")
_WORDS = {"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W"}
_VEHICLE_WORDS = ("color", "make", "model", "vehicle_type")


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
    if not _STATE.fullmatch(text):
        raise AdapterError(name, "bad_state", f"{value!r} is not a two-letter state code")
    return text


def direction(name: str, value: Any) -> float | None:
    """Degrees (any sign, taken modulo 360) or a compass word: N, NE, NNW, Northbound, SB…"""
    if value is None:
        return None
    text = str(value).strip().upper()
    if isinstance(value, (int, float)) or _DEGREES.fullmatch(text):
        return compass(number(name, value))
    if text in COMPASS_POINTS:  # the common case, which the rewriting below leaves as is
        return COMPASS_POINTS[text]
    text = _HEADING_SEPARATORS.sub("", text).removesuffix("BOUND")
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
        fmt == "iso" and (isinstance(value, (int, float)) or _EPOCH_DIGITS.fullmatch(text))
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
            parsed = _time_format(fmt).parse(text, zone)
    except ValueError:
        raise AdapterError(name, "bad_timestamp", f"{text[:60]!r} does not match {fmt}") from None
    if parsed.tzinfo is None:
        if zone is None:
            raise AdapterError(name, "no_timezone", f"{text!r} has no zone and none is set")
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


@lru_cache(maxsize=32)
def _time_format(pattern: str) -> TimeFormat:
    """A strptime pattern compiled once (options name a handful of patterns at most)."""
    return TimeFormat(pattern)


def _get(raw: RawRead, key: str, default_name: str) -> tuple[str, Any]:
    """(wire field, value) with blank text read as absent."""
    found = raw.get(key)
    if found is None:
        return default_name, None
    if isinstance(found[1], str) and not found[1].strip():
        return found[0], None
    return found


def _plain(value: Any) -> str | None:
    """A wire value as free text: None when absent, blank, an object or an array."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _text(raw: RawRead, key: str) -> tuple[str, str | None]:
    name, value = raw.get(key, (key, None))
    return name, _plain(value)


def _vehicle(raw: RawRead) -> str | None:
    """Colour, make, model and type in one phrase ("Silver Toyota Camry Sedan")."""
    words = []
    for key in _VEHICLE_WORDS:
        found = raw.get(key)
        if found is not None and (text := _plain(found[1])):
            words.append(text)
    return " ".join(words)[:200] or None


def _capped(raw: RawRead, key: str, limit: int, notes: Notes) -> str | None:
    """Free text kept only when it fits; a longer one is dropped with a note."""
    name, text = _text(raw, key)
    if text is not None and len(text) > limit:
        notes.dropped.append((name, "too_long", f"longer than {limit} characters, dropped"))
        return None
    return text


def build(raw: RawRead, zone: ZoneInfo | None, notes: Notes, fmt: str = "iso") -> WireEvent:
    """The `lpr_read` wire event for one read (raises AdapterError on a refused value)."""
    number_plate = plate(*raw.get("plate", ("plate", None)))
    at = timestamp(*_get(raw, "time", "timestamp"), zone, fmt)
    reader = ident(*_get(raw, "reader_id", "camera.id"))
    payload: dict[str, Any] = {"reader_id": reader, "plate": number_plate}
    optional = (
        ("plate_state", plate_state(*_get(raw, "state", "state"))),
        ("confidence", confidence(*_get(raw, "confidence", "confidence"))),
        ("direction_deg", direction(*_get(raw, "direction", "direction"))),
        ("vehicle", _vehicle(raw)),
        ("hotlist", _capped(raw, "hotlist", 64, notes)),
        ("image_ref", _capped(raw, "image_ref", 500, notes)),
    )
    payload.update((key, value) for key, value in optional if value is not None)
    event: WireEvent = {"kind": "lpr_read", "occurred_at": at.isoformat(), "payload": payload}
    id_name, vendor_id = _get(raw, "id", "id")
    if vendor_id:
        event["id"] = ident(id_name, vendor_id, max_length=128)
    else:
        event["id"] = f"{reader}-{int(at.timestamp() * 1000)}-{number_plate}"
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
