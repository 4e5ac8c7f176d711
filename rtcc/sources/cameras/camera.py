"""One registry record → one `camera_status` wire event (or an AdapterError for that record).

A registry file holds thousands of cameras read with the same options, so `CameraReader`
settles per file what the options decide (field names, the event time text, lookups of
flat or dotted property names) and does only the per-record work per record.
"""

import math
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from rtcc.core.geo import COMPASS_POINTS, compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.cameras.options import CameraRegistryOptions
from rtcc.sources.cameras.records import Raw, coordinate, lookup

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.:\-]+")
Getter = Callable[[dict[str, Any]], Any]


def _text(value: Any) -> str | None:
    """A property as text: JSON strings and numbers (1.0 as "1"); None for anything else."""
    if type(value) is str:  # the usual case first
        return value.strip() or None
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def getter(path: str) -> Getter:
    """`lookup` of one option's property name, specialised once: a name without a dot is one
    dict read; with one dot ("tags.direction"), the flat key first, then one level down."""
    head, dot, rest = path.partition(".")
    if not dot:
        return lambda fields: fields.get(path)
    if "." in rest:
        return lambda fields: lookup(fields, path)

    def one_level_down(fields: dict[str, Any]) -> Any:
        if path in fields:
            return fields[path]
        inner = fields.get(head)
        return inner.get(rest) if isinstance(inner, dict) else None

    return one_level_down


def _first_text(getters: list[Getter], fields: dict[str, Any]) -> str | None:
    for get in getters:
        value = get(fields)
        if value is not None and (text := _text(value)):
            return text
    return None


def heading(field: str, value: Any) -> float | None:
    """Degrees clockwise from north; OSM `direction` may list several ("90;270"): the first
    is taken. Compass points (N, NE, NNW…) are read too; any angle is taken modulo 360."""
    text = _text(value)
    if text is None:
        return None
    degrees = _cached_bearing(text) if len(text) <= _CACHED_TEXT else _bearing(text)
    if degrees is None:
        raise AdapterError(field, "bad_direction", f"{text[:40]!r} is not a heading")
    return degrees


def _bearing(text: str) -> float | None:
    first = text.partition(";")[0].partition(",")[0].strip().upper()  # before any ; or ,
    if first in COMPASS_POINTS:
        return COMPASS_POINTS[first]
    try:
        degrees = float(first)
    except ValueError:
        return None
    return compass(degrees) if math.isfinite(degrees) else None


# A registry repeats the same few directions thousands of times; longer texts are no real
# heading and stay out of the cache, so it holds at most 1024 short strings.
_CACHED_TEXT = 24
_cached_bearing = lru_cache(maxsize=1024)(_bearing)


class CameraReader:
    """The options of one registry import, applied to each of its records."""

    def __init__(self, options: CameraRegistryOptions, at: datetime) -> None:
        csv = options.format == "csv"
        prefix = "row." if csv else "properties."
        self._id_prefix = options.id_prefix
        self._id = getter(options.id_field) if options.id_field else None
        self._id_name = f"row.{options.id_field}" if csv else f"{options.id_field}"
        self._names = [getter(f) for f in options.name_fields]
        self._owners = [getter(f) for f in options.owner_fields]
        self._headings = [(prefix + f, getter(f)) for f in options.heading_fields]
        self._stamp = at.strftime("%Y%m%dT%H%M%SZ")  # the same for every record of the file
        self._occurred_at = at.isoformat()
        self._kind = (options.camera_type, options.fov_deg, options.range_m)

    def camera_id(self, fields: dict[str, Any], lat: float, lon: float) -> str:
        raw = _text(self._id(fields)) if self._id is not None else None
        if raw and raw.isascii() and raw.isalnum():  # nothing to replace: skip the regex
            own = raw
        else:
            own = _NOT_IDENT.sub("_", raw).strip("_") if raw else ""
        ident = self._id_prefix + (own or f"{lat:.6f}_{lon:.6f}")
        if len(ident) > 64:
            raise AdapterError(
                self._id_name, "too_long", f"camera id {ident[:70]!r}… is over 64 characters"
            )
        return ident

    def to_event(
        self, fields: dict[str, Any], raw_lat: Raw, raw_lon: Raw, notes: list[tuple[str, str, str]]
    ) -> WireEvent:
        """The record's event; a heading it cannot read is added to `notes`, not raised."""
        lat = coordinate(*raw_lat, 90)
        lon = coordinate(*raw_lon, 180)
        ident = self.camera_id(fields, lat, lon)
        camera_type, fov_deg, range_m = self._kind
        payload: dict[str, Any] = {
            "camera_id": ident,
            "camera_type": camera_type,
            "fov_deg": fov_deg,
            "range_m": range_m,
        }
        names = [t for get in self._names if (t := _text(get(fields)))]
        if names:
            payload["name"] = " & ".join(names)[:200]
        owner = _first_text(self._owners, fields)
        if owner:
            payload["owner"] = owner[:200]
        for field, get in self._headings:
            raw = get(fields)
            if raw is None:  # absent: no heading, no note
                continue
            try:
                value = heading(field, raw)
            except AdapterError as exc:
                notes.append((exc.field, exc.reason, exc.message))
                continue
            if value is not None:
                payload["heading_deg"] = value
                break
        return {
            "kind": "camera_status",
            "id": f"{ident}:{self._stamp}",
            "occurred_at": self._occurred_at,
            "location": {"lat": lat, "lon": lon},
            "payload": payload,
        }
