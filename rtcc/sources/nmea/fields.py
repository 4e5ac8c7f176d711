"""NMEA 0183 field text → typed values, each failure an AdapterError naming the field.

pynmea2 converts lazily and silently hands back the raw text when a conversion fails,
so the values the event depends on are read from the raw fields here instead.
"""

import math
import re
from datetime import date, time

from rtcc.sources.base import AdapterError

_TIME = re.compile(r"^(\d{2})(\d{2})(\d{2})(\.\d{1,6})?$")
_DATE = re.compile(r"^(\d{2})(\d{2})(\d{2})$")
_ANGLE = re.compile(r"^(\d{1,3})(\d{2}(?:\.\d+)?)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def required(field: str, raw: str) -> str:
    if not raw:
        raise AdapterError(field, "missing", "empty field")
    return raw


def utc_time(field: str, raw: str) -> time:
    """hhmmss[.sss] in UTC (the standard allows no other zone)."""
    match = _TIME.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not hhmmss[.ss]: {raw!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if hour > 23 or minute > 59 or second > 59:
        raise AdapterError(field, "bad_timestamp", f"no such time of day: {raw!r}")
    micros = round(float(match[4]) * 1_000_000) if match[4] else 0
    return time(hour, minute, second, min(micros, 999_999))


def utc_date(field: str, raw: str) -> date:
    """ddmmyy; two-digit years are 1980-2079 (GPS time starts in 1980)."""
    match = _DATE.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not ddmmyy: {raw!r}")
    day, month, yy = int(match[1]), int(match[2]), int(match[3])
    year = 1900 + yy if yy >= 80 else 2000 + yy
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise AdapterError(field, "bad_timestamp", f"no such date: {raw!r}") from exc


def coordinate(field: str, raw: str, hemisphere: str, *, is_lat: bool) -> float:
    """(d)ddmm.mmmm plus N/S or E/W → signed decimal degrees."""
    match = _ANGLE.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_value", f"not (d)ddmm.mmmm: {raw!r}")
    degrees, minutes = int(match[1]), float(match[2])
    if minutes >= 60:
        raise AdapterError(field, "out_of_range", f"minutes ≥ 60 in {raw!r}")
    value = degrees + minutes / 60
    limit = 90.0 if is_lat else 180.0
    if value > limit:
        raise AdapterError(field, "out_of_range", f"{value:.6f}° beyond ±{limit:g}°")
    signs = {"N": 1.0, "S": -1.0} if is_lat else {"E": 1.0, "W": -1.0}
    direction_field = f"{field}_dir"
    if hemisphere not in signs:
        reason = "missing" if not hemisphere else "bad_value"
        raise AdapterError(direction_field, reason, f"expected {'/'.join(signs)}: {hemisphere!r}")
    return round(signs[hemisphere] * value, 7)


def number(field: str, raw: str, *, low: float, high: float) -> float | None:
    """An optional decimal field (empty → None) that must lie in [low, high]."""
    if not raw:
        return None
    if not _NUMBER.match(raw):
        raise AdapterError(field, "bad_value", f"not a number: {raw!r}")
    value = float(raw)
    if not math.isfinite(value) or not low <= value <= high:
        raise AdapterError(field, "out_of_range", f"{value:g} outside [{low:g}, {high:g}]")
    return value
