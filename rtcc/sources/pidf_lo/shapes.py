"""GML / RFC 5491 geodetic shapes → one point with a horizontal uncertainty radius.

Point (no radius), Circle and Sphere (radius), Ellipse and Ellipsoid (semi-major axis),
Polygon and Prism (area centroid; radius = farthest vertex), ArcBand (centroid of the band
outline; radius = farthest outline point). Coordinates are EPSG:4326/4979, latitude first.
"""

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from rtcc.core.geo import haversine_m, offset_m
from rtcc.sources.base import AdapterError
from rtcc.sources.pidf_lo.xml import all_text, any_namespace, child, local

Shape = Literal["point", "circle", "ellipse", "polygon"]
SHAPES = ("Point", "Circle", "Sphere", "Ellipse", "Ellipsoid", "Polygon", "Prism", "ArcBand")
_SHAPE_TAGS = any_namespace(*SHAPES)
_POSITION_TAGS = any_namespace("pos", "posList", "coordinates")
_CRS_OK = ("4326", "4979")
_METRES = ("", "urn:ogc:def:uom:EPSG::9001")
_DEGREES = ("", "urn:ogc:def:uom:EPSG::9102")
_DMS = re.compile(r"^(\d+):(\d+):(\d+(?:\.\d+)?)([NSEW])$")


@dataclass(frozen=True, slots=True)
class Geodetic:
    lat: float
    lon: float
    accuracy_m: float | None
    shape: Shape


def _number(value: str, where: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise AdapterError(where, "not_a_number", f"{value[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise AdapterError(where, "not_a_number", f"{value[:40]!r} is not finite")
    return number


def _dms(value: str, where: str) -> float:
    """RFC 4119's first example writes `37:46:30N 122:25:10W` (GML 2 coordinates)."""
    match = _DMS.match(value)
    if not match:
        return _number(value, where)
    deg, minutes, sec, hemi = match.groups()
    number = int(deg) + int(minutes) / 60 + float(sec) / 3600
    return -number if hemi in "SW" else number


def _point(lat: float, lon: float, where: str) -> tuple[float, float]:
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise AdapterError(where, "out_of_range", f"lat {lat}, lon {lon} outside WGS84")
    return lat, lon


def _positions(shape: Any, name: str) -> list[tuple[float, float]]:
    """Every pos / posList / coordinates under `shape`, as (lat, lon) pairs."""
    where = f"{name}.pos"
    out: list[tuple[float, float]] = []
    for element in shape.iter(*_POSITION_TAGS):
        kind = local(element)
        raw = all_text(element).replace(",", " ").split()
        if kind == "coordinates":
            if len(raw) < 2:
                raise AdapterError(where, "bad_coordinates", "coordinates need lat and lon")
            out.append(_point(_dms(raw[0], where), _dms(raw[1], where), where))
            continue
        dim = 3 if (kind == "posList" and _dimension(shape) == 3) else 2
        if kind == "pos":
            dim = len(raw)
        if dim < 2 or len(raw) % dim:
            raise AdapterError(where, "bad_coordinates", f"{len(raw)} numbers in {kind}")
        values = [_number(v, where) for v in raw]
        out.extend(_point(values[i], values[i + 1], where) for i in range(0, len(values), dim))
    if not out:
        raise AdapterError(where, "missing", f"{name} has no coordinates")
    return out


def _dimension(shape: Any) -> int:
    srs = " ".join(str(e.get("srsName") or "") for e in shape.iter() if hasattr(e, "get"))
    return 3 if "4979" in srs else 2


def _length(shape: Any, name: str, part: str, units: tuple[str, ...] = _METRES) -> float:
    element = child(shape, part)
    where = f"{name}.{part}"
    if element is None:
        raise AdapterError(where, "missing", f"{name} without {part}")
    uom = str(element.get("uom") or "")
    if uom not in units:
        raise AdapterError(where, "unsupported_uom", f"unit {uom[:60]!r}")
    value = _number(all_text(element), where)
    if value < 0:
        raise AdapterError(where, "out_of_range", f"negative {part}")
    return value


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid on a local tangent plane (city-scale shapes)."""
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    lat0, lon0 = points[0]
    k = math.cos(math.radians(lat0))
    xy = [((lon - lon0) * k, lat - lat0) for lat, lon in points]
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(xy, xy[1:] + xy[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-18:  # degenerate (line or single point): plain mean
        x = sum(p[0] for p in xy) / len(xy)
        y = sum(p[1] for p in xy) / len(xy)
    else:
        x, y = cx / (3 * area), cy / (3 * area)
    return lat0 + y, lon0 + x / k


def _region(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    lat, lon = _centroid(points)
    radius = max(haversine_m(lat, lon, p_lat, p_lon) for p_lat, p_lon in points)
    return lat, lon, radius


def _arc_band(shape: Any) -> list[tuple[float, float]]:
    lat, lon = _positions(shape, "ArcBand")[0]
    inner = _length(shape, "ArcBand", "innerRadius")
    outer = _length(shape, "ArcBand", "outerRadius")
    start = _length(shape, "ArcBand", "startAngle", _DEGREES)
    opening = _length(shape, "ArcBand", "openingAngle", _DEGREES)
    if outer > 2e6 or inner > outer:
        raise AdapterError("ArcBand.outerRadius", "out_of_range", "radii out of range")
    outline: list[tuple[float, float]] = []
    steps = 8
    for radius, order in ((outer, range(steps + 1)), (inner, reversed(range(steps + 1)))):
        for i in order:
            bearing = math.radians(start + opening * i / steps)
            outline.append(
                offset_m(lat, lon, radius * math.cos(bearing), radius * math.sin(bearing))
            )
    return outline


def geodetic(shape: Any) -> Geodetic:
    """Reduce one shape element (its local name is in SHAPES) to a point + radius."""
    name = local(shape)
    srs = str(shape.get("srsName") or "")
    if srs and not any(code in srs for code in _CRS_OK):
        raise AdapterError(f"{name}@srsName", "unsupported_crs", srs[:80])
    if name == "Point":
        lat, lon = _positions(shape, name)[0]
        return Geodetic(lat, lon, None, "point")
    if name in ("Circle", "Sphere"):
        lat, lon = _positions(shape, name)[0]
        return Geodetic(lat, lon, _length(shape, name, "radius"), "circle")
    if name in ("Ellipse", "Ellipsoid"):
        lat, lon = _positions(shape, name)[0]
        return Geodetic(lat, lon, _length(shape, name, "semiMajorAxis"), "ellipse")
    if name in ("Polygon", "Prism"):
        points = _positions(shape, name)
        if len(points) < 3:
            raise AdapterError(f"{name}.pos", "bad_coordinates", "a polygon needs 3 points")
        return Geodetic(*_region(points), "polygon")
    if name == "ArcBand":
        return Geodetic(*_region(_arc_band(shape)), "polygon")
    raise AdapterError("location-info", "unsupported_shape", name)


def find_shape(location_info: Any) -> Any | None:
    """The first element (document order) whose local name is in SHAPES."""
    return next(location_info.iter(*_SHAPE_TAGS), None)


__all__ = ["SHAPES", "Geodetic", "find_shape", "geodetic"]
