"""Field readers shared by the alert push and the CSV exports: one wire value → one typed value.

Each reader names the wire field it read in the `AdapterError` it raises, so a refused
alert says exactly which element, key or column was wrong.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.values import confidence as confidence
from rtcc.sources.values import number

IDENT = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_EPOCH = re.compile(r"\d{9,13}(\.\d+)?")
_CLASSES = {
    "single gunshot": "single_gunshot",
    "single_gunshot": "single_gunshot",
    "single": "single_gunshot",
    "multiple gunshots": "multiple_gunshots",
    "multiple_gunshots": "multiple_gunshots",
    "multiple gunshot": "multiple_gunshots",
    "multiple": "multiple_gunshots",
    "probable gunfire": "possible_gunshot",
    "probable_gunfire": "possible_gunshot",
    "possible gunshot": "possible_gunshot",
    "possible_gunshot": "possible_gunshot",
    "gunshot or firecracker": "possible_gunshot",
    "gunshot_or_firecracker": "possible_gunshot",
}


Spellings = tuple[str, tuple[str, ...]]


def spellings(*names: str) -> Spellings:
    """A field's accepted keys, folded once at import: the first is the name an error reports
    when the field is absent; all are tried case-insensitively, in order."""
    return names[0], tuple(dict.fromkeys(name.lower() for name in names))


class Fields:
    """One record's values by case-folded key, folded once per record (not once per field),
    with the prefix that names its fields in errors."""

    __slots__ = ("_by_key", "prefix", "xml")

    def __init__(self, prefix: str, record: Mapping[str, Any]) -> None:
        self.prefix = prefix
        self.xml = prefix.endswith("/")
        self._by_key = {k.lower(): (k, v) for k, v in record.items()}  # JSON/XML keys: str

    def pick(self, names: Spellings) -> tuple[str, Any]:
        """(prefixed wire key, value) of the first present, non-blank value among `names`."""
        for name in names[1]:
            hit = self._by_key.get(name)
            if hit is not None:
                value = hit[1]
                if value is not None and (not isinstance(value, str) or value.strip()):
                    return self.prefix + hit[0], value
        return self.prefix + names[0], None


def coordinate(field: str, value: Any, limit: float) -> float:
    if value is None:
        raise AdapterError(field, "missing", "no coordinate")
    result = number(field, value)
    if not -limit <= result <= limit:
        raise AdapterError(field, "out_of_range", f"{result} is outside ±{limit}")
    return result


def rounds(field: str, value: Any) -> int | None:
    if value is None:
        return None
    result = number(field, value)
    if result != int(result) or not 1 <= result <= 500:
        raise AdapterError(field, "out_of_range", f"{value!r} is not a round count 1..500")
    return int(result)


def classification(field: str, value: Any, count: int | None) -> str:
    """The vendor's alert type; absent → inferred from the round count."""
    if value is None:
        return "multiple_gunshots" if count is not None and count > 1 else "single_gunshot"
    key = " ".join(str(value).strip().lower().split())
    if key not in _CLASSES:
        raise AdapterError(field, "unknown_type", f"alert type {value!r} is not known")
    return _CLASSES[key]


def identifier(field: str, value: Any) -> str:
    if value is None:
        raise AdapterError(field, "missing", "no alert id")
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not IDENT.match(text):
        raise AdapterError(field, "bad_id", f"{text[:80]!r} is not a usable id")
    return text


def timestamp(field: str, value: Any) -> datetime:
    """ISO 8601 with a zone, or epoch seconds / milliseconds (number or digits)."""
    if value is None:
        raise AdapterError(field, "missing", "no time")
    text = str(value).strip()
    if (isinstance(value, (int, float)) and not isinstance(value, bool)) or _EPOCH.fullmatch(text):
        seconds = number(field, value)
        if seconds > 1e11:
            seconds /= 1000
        if not 0 <= seconds < 32503680000:
            raise AdapterError(field, "bad_timestamp", f"epoch {value!r} out of range")
        return datetime.fromtimestamp(seconds, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise AdapterError(field, "bad_timestamp", f"{text[:60]!r} is not ISO 8601") from None
    if parsed.utcoffset() is None:
        raise AdapterError(field, "no_timezone", f"{text!r} has no zone offset")
    return parsed.astimezone(UTC)


def gunshot_event(
    ref: str,
    at: datetime,
    lat: float | None,
    lon: float | None,
    count: int | None,
    kind: str,
    conf: float | None = None,
) -> WireEvent:
    payload: dict[str, Any] = {"detection_id": ref, "rounds": count or 1, "classification": kind}
    if conf is not None:
        payload["confidence"] = conf
    event: WireEvent = {"kind": "gunshot", "id": ref, "occurred_at": at.astimezone(UTC).isoformat()}
    if lat is not None and lon is not None:  # else a sensor report, located at ingest
        event["location"] = {"lat": lat, "lon": lon}
    event["payload"] = payload
    return event
