"""A registry file → (index, fields, lat, lon) per camera record, GeoJSON or CSV.

Only a file that cannot be read at all raises here; a record's own faults are raised
per record by `camera.py`, so one bad camera never sinks the file.
"""

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rtcc.sources.base import AdapterError


@dataclass(frozen=True, slots=True)
class Record:
    index: int
    fields: dict[str, Any]
    lat: tuple[str, Any]
    lon: tuple[str, Any]


def lookup(fields: dict[str, Any], path: str) -> Any:
    """A value by CSV column / property name, or a dotted path into nested objects."""
    if path in fields:
        return fields[path]
    head, dot, rest = path.partition(".")
    inner = fields.get(head)
    if dot and isinstance(inner, dict):
        return lookup(inner, rest)
    return None


def geojson_records(data: bytes) -> Iterator[Record]:
    try:
        doc: Any = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise AdapterError("document", "not_json", str(exc)[:200]) from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Feature":
        features: Any = [doc]
    elif kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise AdapterError("features", "missing", "a FeatureCollection without features")
    else:
        raise AdapterError("type", "not_geojson", f"type {kind!r}, not a FeatureCollection")
    for index, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        fields = props if isinstance(props, dict) else {}
        coords: Any = None
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates")
        elif isinstance(geometry, dict):
            coords = ("not_point", geometry.get("type"))
        lon: Any = None
        lat: Any = None
        if isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]
        elif isinstance(coords, tuple):
            lon = lat = coords
        yield Record(
            index, fields, ("geometry.coordinates[1]", lat), ("geometry.coordinates[0]", lon)
        )


def csv_records(data: bytes, lat_field: str, lon_field: str) -> Iterator[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AdapterError("document", "not_utf8", str(exc)[:200]) from exc
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        for name in (lat_field, lon_field):
            if name not in header:
                raise AdapterError(f"row.{name}", "missing", f"no column {name!r} in the header")
        for index, row in enumerate(reader):
            fields = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            yield Record(
                index,
                fields,
                (f"row.{lat_field}", fields.get(lat_field) or None),
                (f"row.{lon_field}", fields.get(lon_field) or None),
            )
    except csv.Error as exc:
        raise AdapterError("document", "not_csv", str(exc)[:200]) from exc


def coordinate(field: str, value: Any, limit: float) -> float:
    if value is None:
        raise AdapterError(field, "missing", "no coordinate")
    if isinstance(value, tuple):
        raise AdapterError("geometry.type", "not_point", f"{value[1]!r} is not a Point")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AdapterError(field, "not_a_number", f"{value!r} is not a number")
    try:
        result = float(value)
    except ValueError:
        raise AdapterError(field, "not_a_number", f"{value!r} is not a number") from None
    if not math.isfinite(result) or not -limit <= result <= limit:
        raise AdapterError(field, "out_of_range", f"{value!r} is outside ±{limit}")
    return result
