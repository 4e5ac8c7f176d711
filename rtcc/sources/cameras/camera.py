"""One registry record → one `camera_status` wire event (or an AdapterError for that record)."""

import math
import re
from datetime import datetime
from typing import Any

from rtcc.core.geo import COMPASS_POINTS, compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.cameras.options import CameraRegistryOptions
from rtcc.sources.cameras.records import Record, coordinate, lookup

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_.:\-]+")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def heading(field: str, value: Any) -> float | None:
    """Degrees clockwise from north; OSM `direction` may list several ("90;270"): the first
    is taken. Compass points (N, NE, NNW…) are read too; any angle is taken modulo 360."""
    text = _text(value)
    if text is None:
        return None
    first = re.split(r"[;,]", text, maxsplit=1)[0].strip().upper()
    if first in COMPASS_POINTS:
        return COMPASS_POINTS[first]
    try:
        degrees = float(first)
    except ValueError:
        raise AdapterError(field, "bad_direction", f"{text[:40]!r} is not a heading") from None
    if not math.isfinite(degrees):
        raise AdapterError(field, "bad_direction", f"{text[:40]!r} is not a heading")
    return compass(degrees)


def camera_id(options: CameraRegistryOptions, record: Record, lat: float, lon: float) -> str:
    raw = _text(lookup(record.fields, options.id_field)) if options.id_field else None
    own = _NOT_IDENT.sub("_", raw).strip("_") if raw else ""
    ident = options.id_prefix + (own or f"{lat:.6f}_{lon:.6f}")
    if len(ident) > 64:
        field = f"row.{options.id_field}" if options.format == "csv" else f"{options.id_field}"
        raise AdapterError(field, "too_long", f"camera id {ident[:70]!r}… is over 64 characters")
    return ident


def to_event(
    options: CameraRegistryOptions, record: Record, at: datetime, notes: list[tuple[str, str, str]]
) -> WireEvent:
    lat = coordinate(record.lat[0], record.lat[1], 90)
    lon = coordinate(record.lon[0], record.lon[1], 180)
    ident = camera_id(options, record, lat, lon)
    prefix = "row." if options.format == "csv" else "properties."
    payload: dict[str, Any] = {
        "camera_id": ident,
        "camera_type": options.camera_type,
        "fov_deg": options.fov_deg,
        "range_m": options.range_m,
    }
    names = [t for f in options.name_fields if (t := _text(lookup(record.fields, f)))]
    if names:
        payload["name"] = " & ".join(names)[:200]
    owner = next((t for f in options.owner_fields if (t := _text(lookup(record.fields, f)))), None)
    if owner:
        payload["owner"] = owner[:200]
    for field in options.heading_fields:
        try:
            value = heading(prefix + field, lookup(record.fields, field))
        except AdapterError as exc:
            notes.append((exc.field, exc.reason, exc.message))
            continue
        if value is not None:
            payload["heading_deg"] = value
            break
    return {
        "kind": "camera_status",
        "id": f"{ident}:{at.strftime('%Y%m%dT%H%M%SZ')}",
        "occurred_at": at.isoformat(),
        "location": {"lat": lat, "lon": lon},
        "payload": payload,
    }
