"""Geofence geometry: validate a drawn or uploaded polygon, and find the fences around a point.

Coordinates are GeoJSON order, [lon, lat] in WGS84. A caller's fix is a point with an
uncertainty radius: inside when the point is in the polygon, "possibly inside" when only
the uncertainty circle reaches it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, Polygon, shape
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from rtcc.core.errors import FieldError
from rtcc.core.geo import EARTH_RADIUS_M
from rtcc.storage.base import Geofence

MAX_AREA_KM2 = 500.0
MIN_AREA_M2 = 1.0
MAX_VERTICES = 1000
CIRCLE_SEGMENTS = 32
_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0


class GeometryError(FieldError):
    """A polygon that cannot be a geofence; `field` is a JSON path, `reason` a short code."""


@dataclass(frozen=True, slots=True)
class ValidPolygon:
    geojson: dict[str, Any]  # normalised: 2-D positions, floats
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    area_m2: float
    vertices: int


def _position(value: Any, field: str) -> list[float]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise GeometryError(field, "not_a_position", "a position must be [lon, lat]")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise GeometryError(field, "not_a_number", "longitude and latitude must be numbers")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError(field, "not_a_number", "coordinates must be finite")
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(field, "out_of_range", f"longitude {lon} is outside -180..180")
    if not -90.0 <= lat <= 90.0:
        hint = " (positions are [lon, lat])" if -180.0 <= lon <= 180.0 else ""
        raise GeometryError(field, "out_of_range", f"latitude {lat} is outside -90..90{hint}")
    return [lon, lat]


def _ring(value: Any, field: str) -> list[list[float]]:
    if not isinstance(value, list):
        raise GeometryError(field, "not_a_ring", "a ring must be a list of positions")
    ring = [_position(p, f"{field}[{i}]") for i, p in enumerate(value)]
    if len(ring) < 4:
        raise GeometryError(field, "too_short", "a ring needs at least 4 positions")
    if ring[0] != ring[-1]:
        raise GeometryError(field, "not_closed", "the last position must repeat the first")
    return ring


def _polygon(value: Any, field: str) -> list[list[list[float]]]:
    if not isinstance(value, list) or not value:
        raise GeometryError(field, "not_a_polygon", "a polygon must be a non-empty list of rings")
    return [_ring(r, f"{field}[{i}]") for i, r in enumerate(value)]


def area_m2(geom: Any) -> float:
    """Area on a local equirectangular projection: good to well under 1% at city scale."""
    lat0 = math.radians(float(geom.centroid.y))
    scale = [_M_PER_DEG * math.cos(lat0), _M_PER_DEG]
    return float(shapely.transform(geom, lambda xy: xy * scale).area)


def validate_polygon(value: Any, field: str = "geometry") -> ValidPolygon:
    """A GeoJSON Polygon or MultiPolygon fit to be a geofence, else GeometryError."""
    if not isinstance(value, dict):
        raise GeometryError(field, "not_an_object", "must be a GeoJSON geometry object")
    kind = value.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        message = f"must be a GeoJSON Polygon or MultiPolygon, not {kind!r}"
        raise GeometryError(f"{field}.type", "unsupported_type", message)
    coords_field = f"{field}.coordinates"
    raw = value.get("coordinates")
    if kind == "Polygon":
        coordinates: Any = _polygon(raw, coords_field)
        rings = coordinates
    else:
        if not isinstance(raw, list) or not raw:
            message = "a MultiPolygon must be a non-empty list of polygons"
            raise GeometryError(coords_field, "not_a_polygon", message)
        coordinates = [_polygon(p, f"{coords_field}[{i}]") for i, p in enumerate(raw)]
        rings = [ring for polygon in coordinates for ring in polygon]
    vertices = sum(len(ring) - 1 for ring in rings)
    if vertices > MAX_VERTICES:
        message = f"{vertices} vertices; at most {MAX_VERTICES} are allowed"
        raise GeometryError(coords_field, "too_many_vertices", message)
    geojson = {"type": kind, "coordinates": coordinates}
    geom = shape(geojson)
    if not geom.is_valid:
        why = str(explain_validity(geom))
        reason = "self_intersection" if "self-intersection" in why.lower() else "invalid"
        raise GeometryError(coords_field, reason, f"not a valid polygon: {why}")
    area = area_m2(geom)
    if area < MIN_AREA_M2:
        raise GeometryError(coords_field, "too_small", "the polygon encloses no area")
    if area > MAX_AREA_KM2 * 1e6:
        message = f"{area / 1e6:.1f} km² is larger than the {MAX_AREA_KM2:g} km² allowed"
        raise GeometryError(coords_field, "too_large", message)
    min_lon, min_lat, max_lon, max_lat = (float(b) for b in geom.bounds)
    return ValidPolygon(geojson, (min_lon, min_lat, max_lon, max_lat), area, vertices)


def uncertainty_circle(lat: float, lon: float, radius_m: float) -> Polygon:
    """The circle of `radius_m` around the point, as a lon/lat polygon (an ellipse in degrees)."""
    dlat = radius_m / _M_PER_DEG
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    steps = [2 * math.pi * i / CIRCLE_SEGMENTS for i in range(CIRCLE_SEGMENTS)]
    return Polygon([(lon + dlon * math.cos(t), lat + dlat * math.sin(t)) for t in steps])


@dataclass(frozen=True, slots=True)
class GeofenceHit:
    geofence: Geofence
    inside: bool  # False: only the uncertainty circle reaches it ("possibly inside")


class GeofenceIndex:
    """Which geofences hold a point: an STRtree over prepared polygons, built once per set."""

    def __init__(self, geofences: Sequence[Geofence]) -> None:
        self.geofences = list(geofences)
        self._shapes: list[Any] = [shape(g.geometry) for g in self.geofences]
        for geom in self._shapes:
            shapely.prepare(geom)
        self._tree = STRtree(self._shapes)

    def __len__(self) -> int:
        return len(self.geofences)

    def locate(self, lat: float, lon: float, accuracy_m: float | None = None) -> list[GeofenceHit]:
        """Fences the point is inside, then those its uncertainty circle only touches."""
        if not self.geofences:
            return []
        point = Point(lon, lat)
        radius = accuracy_m or 0.0
        probe = uncertainty_circle(lat, lon, radius) if radius > 0 else point
        inside: list[GeofenceHit] = []
        possibly: list[GeofenceHit] = []
        for index in self._tree.query(probe):
            i = int(index)
            geom = self._shapes[i]
            if bool(shapely.covers(geom, point)):
                inside.append(GeofenceHit(self.geofences[i], True))
            elif radius > 0 and bool(shapely.intersects(geom, probe)):
                possibly.append(GeofenceHit(self.geofences[i], False))
        inside.sort(key=lambda hit: hit.geofence.created_at)
        possibly.sort(key=lambda hit: hit.geofence.created_at)
        return inside + possibly
