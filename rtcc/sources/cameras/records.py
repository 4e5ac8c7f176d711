"""A registry file → (index, fields, lat, lon) per camera record, GeoJSON or CSV.

Only a file that cannot be read at all raises here; a record's own faults are raised
per record by `camera.py`, so one bad camera never sinks the file.
"""

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

from rtcc.sources.base import AdapterError

Raw = tuple[str, Any]
"""A coordinate as read: (its wire field, its raw value), checked by `coordinate`."""
Record = tuple[int, dict[str, Any], Raw, Raw]
"""One camera record: (index in the file, its fields, lat, lon). A plain tuple, not a
NamedTuple: a registry holds thousands and building a NamedTuple costs 5x more."""


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
        props = geometry = None
        if isinstance(feature, dict):
            props, geometry = feature.get("properties"), feature.get("geometry")
        lon: Any = None
        lat: Any = None
        if isinstance(geometry, dict):
            if geometry.get("type") != "Point":
                lon = lat = ("not_point", geometry.get("type"))  # refused by `coordinate`
            elif isinstance(coords := geometry.get("coordinates"), list) and len(coords) >= 2:
                lon, lat = coords[0], coords[1]
        fields = props if isinstance(props, dict) else {}
        yield index, fields, ("geometry.coordinates[1]", lat), ("geometry.coordinates[0]", lon)


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
            lat = (f"row.{lat_field}", fields.get(lat_field) or None)
            yield index, fields, lat, (f"row.{lon_field}", fields.get(lon_field) or None)
    except csv.Error as exc:
        raise AdapterError("document", "not_csv", str(exc)[:200]) from exc


def coordinate(field: str, value: Any, limit: float) -> float:
    if type(value) is float and -limit <= value <= limit:  # the usual GeoJSON number
        return value
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
