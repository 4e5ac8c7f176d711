"""NMEA 0183 field text → typed values, each failure an AdapterError naming the field.

pynmea2 converts lazily and silently hands back the raw text when a conversion fails,
so the values the event depends on are read from the raw fields here instead.
"""

import functools
import math
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from rtcc.sources.base import AdapterError

_TIME = re.compile(r"^(\d{2})(\d{2})(\d{2})(\.\d{1,6})?$")
_DATE = re.compile(r"^(\d{2})(\d{2})(\d{2})$")
_ANGLE = re.compile(r"^(\d{1,3})(\d{2}(?:\.\d+)?)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LATITUDE = (90.0, {"N": 1.0, "S": -1.0})  # limit in degrees, sign of each hemisphere
_LONGITUDE = (180.0, {"E": 1.0, "W": -1.0})


def positions(sentence_type: Any, names: str) -> tuple[int, ...]:
    """Where the named fields sit in a sentence type's data (checked once, at import)."""
    return tuple(sentence_type.name_to_idx[name] for name in names.split())


def texts(data: Sequence[str], where: tuple[int, ...]) -> list[str]:
    """The fields at `where` as raw text, '' when the sentence ends before one."""
    count = len(data)
    return [data[i].strip() if i < count else "" for i in where]


def required(field: str, raw: str) -> str:
    if not raw:
        raise AdapterError(field, "missing", "empty field")
    return raw


def utc_time(field: str, raw: str) -> time:
    """hhmmss[.sss] in UTC (the standard allows no other zone)."""
    match = _TIME.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not hhmmss[.ss]: {raw!r}")
    hh, mm, ss, fraction = match.groups()
    hour, minute, second = int(hh), int(mm), int(ss)
    if hour > 23 or minute > 59 or second > 59:
        raise AdapterError(field, "bad_timestamp", f"no such time of day: {raw!r}")
    micros = round(float(fraction) * 1_000_000) if fraction else 0
    return time(hour, minute, second, min(micros, 999_999))


@functools.lru_cache(maxsize=64)
def utc_date(field: str, raw: str) -> date:
    """ddmmyy; two-digit years are 1980-2079 (GPS time starts in 1980). Cached: every RMC
    of a day carries the same date."""
    match = _DATE.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not ddmmyy: {raw!r}")
    dd, mm, yy = match.groups()
    day, month, year = int(dd), int(mm), int(yy)
    year += 1900 if year >= 80 else 2000
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise AdapterError(field, "bad_timestamp", f"no such date: {raw!r}") from exc


def utc_datetime(day: date, time_of_day: time) -> datetime:
    return datetime.combine(day, time_of_day, UTC)


def coordinate(field: str, raw: str, hemisphere: str, *, is_lat: bool) -> float:
    """(d)ddmm.mmmm plus N/S or E/W → signed decimal degrees."""
    match = _ANGLE.match(required(field, raw))
    if not match:
        raise AdapterError(field, "bad_value", f"not (d)ddmm.mmmm: {raw!r}")
    whole, fraction = match.groups()
    degrees, minutes = int(whole), float(fraction)
    if minutes >= 60:
        raise AdapterError(field, "out_of_range", f"minutes ≥ 60 in {raw!r}")
    value = degrees + minutes / 60
    limit, signs = _LATITUDE if is_lat else _LONGITUDE
    if value > limit:
        raise AdapterError(field, "out_of_range", f"{value:.6f}° beyond ±{limit:g}°")
    sign = signs.get(hemisphere)
    if sign is None:
        reason = "missing" if not hemisphere else "bad_value"
        expected = "/".join(signs)
        raise AdapterError(f"{field}_dir", reason, f"expected {expected}: {hemisphere!r}")
    return round(sign * value, 7)


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
