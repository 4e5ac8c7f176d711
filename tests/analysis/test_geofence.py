"""Geofence geometry: what a valid fence is, and which fences hold a caller's fix."""

import math
import random
from typing import Any

import pytest
from shapely.geometry import shape

from rtcc.analysis.geofence import (
    MAX_VERTICES,
    GeofenceIndex,
    GeometryError,
    area_m2,
    validate_polygon,
)
from rtcc.core.geo import offset_m
from rtcc.storage.base import Geofence

LAT, LON = 39.9612, -82.9988  # Columbus, Ohio


def square(lat: float, lon: float, half_m: float) -> dict[str, Any]:
    """A square `2 * half_m` wide centred on (lat, lon), GeoJSON [lon, lat] order."""
    s_lat, w_lon = offset_m(lat, lon, -half_m, -half_m)
    n_lat, e_lon = offset_m(lat, lon, half_m, half_m)
    ring = [[w_lon, s_lat], [e_lon, s_lat], [e_lon, n_lat], [w_lon, n_lat], [w_lon, s_lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def fence(fence_id: str, geometry: dict[str, Any], owner: str = "ana") -> Geofence:
    valid = validate_polygon(geometry)
    return Geofence(fence_id, f"fence {fence_id}", owner, valid.geojson, valid.bbox, fence_id)


def refused(geometry: Any) -> GeometryError:
    with pytest.raises(GeometryError) as info:
        validate_polygon(geometry)
    return info.value


def test_a_square_is_valid_with_its_area_and_bbox() -> None:
    valid = validate_polygon(square(LAT, LON, 100.0))
    assert valid.area_m2 == pytest.approx(200.0 * 200.0, rel=0.01)
    assert valid.vertices == 4
    min_lon, min_lat, max_lon, max_lat = valid.bbox
    assert min_lon < LON < max_lon and min_lat < LAT < max_lat


def test_multipolygon_and_holes_are_accepted() -> None:
    outer = square(LAT, LON, 200.0)["coordinates"][0]
    hole = list(reversed(square(LAT, LON, 50.0)["coordinates"][0]))
    other = square(LAT + 0.01, LON, 100.0)["coordinates"]
    valid = validate_polygon({"type": "MultiPolygon", "coordinates": [[outer, hole], other]})
    assert valid.area_m2 == pytest.approx(400.0**2 - 100.0**2 + 200.0**2, rel=0.01)


@pytest.mark.parametrize(
    ("geometry", "field", "reason"),
    [
        ({"type": "Point", "coordinates": [LON, LAT]}, "geometry.type", "unsupported_type"),
        ([1, 2], "geometry", "not_an_object"),
        ({"type": "Polygon", "coordinates": []}, "geometry.coordinates", "not_a_polygon"),
        (
            {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON, LAT]]]},
            "geometry.coordinates[0]",
            "too_short",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.002]]]},
            "geometry.coordinates[0]",
            "not_closed",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["a", 1], [0, 0]]]},
            "geometry.coordinates[0][2]",
            "not_a_number",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]},
            "geometry.coordinates[0][1]",
            "out_of_range",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]],
            },
            "geometry.coordinates",
            "self_intersection",
        ),
        (
            {  # a hole outside its shell
                "type": "Polygon",
                "coordinates": [
                    [[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01], [0, 0]],
                    [[1, 1], [1.01, 1], [1.01, 1.01], [1, 1]],
                ],
            },
            "geometry.coordinates",
            "invalid",
        ),
        (square(LAT, LON, 20_000.0), "geometry.coordinates", "too_large"),
    ],
)
def test_bad_polygons_name_the_field_and_reason(geometry: Any, field: str, reason: str) -> None:
    error = refused(geometry)
    assert (error.field, error.reason) == (field, reason), error.message


def test_self_intersection_message_says_where() -> None:
    bowtie = [[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]
    error = refused({"type": "Polygon", "coordinates": [bowtie]})
    assert "Self-intersection" in error.message


def test_latitude_out_of_range_hints_at_lon_lat_order() -> None:
    error = refused(
        {"type": "Polygon", "coordinates": [[[39.9, -182.0], [0, 0], [1, 1], [39.9, -182.0]]]}
    )
    assert error.field == "geometry.coordinates[0][0]"
    error = refused({"type": "Polygon", "coordinates": [[[10, 95], [0, 0], [1, 1], [10, 95]]]})
    assert error.reason == "out_of_range" and "[lon, lat]" in error.message


def test_too_many_vertices() -> None:
    def ring(n: int) -> list[list[float]]:
        points = []
        for i in range(n):
            angle = 2 * math.pi * i / n
            lat, lon = offset_m(LAT, LON, 500 * math.sin(angle), 500 * math.cos(angle))
            points.append([lon, lat])
        return [*points, points[0]]

    error = refused({"type": "Polygon", "coordinates": [ring(MAX_VERTICES + 1)]})
    assert (error.field, error.reason) == ("geometry.coordinates", "too_many_vertices")
    assert validate_polygon({"type": "Polygon", "coordinates": [ring(MAX_VERTICES)]}).vertices


def test_area_is_in_square_metres_at_any_latitude() -> None:
    for lat in (0.0, 45.0, 64.0):
        assert area_m2(shape(square(lat, 10.0, 500.0))) == pytest.approx(1e6, rel=0.01)


def test_inside_possibly_inside_and_outside() -> None:
    index = GeofenceIndex([fence("a", square(LAT, LON, 100.0))])
    [hit] = index.locate(LAT, LON, None)
    assert hit.geofence.id == "a" and hit.inside
    # 150 m east of the centre is 50 m outside the east edge.
    lat, lon = offset_m(LAT, LON, 0.0, 150.0)
    assert index.locate(lat, lon, None) == []
    assert index.locate(lat, lon, 30.0) == []  # the circle stops 20 m short
    [maybe] = index.locate(lat, lon, 80.0)
    assert maybe.geofence.id == "a" and not maybe.inside
    # A fix inside stays "inside" however uncertain it is.
    [sure] = index.locate(LAT, LON, 5_000.0)
    assert sure.inside


def test_inside_hits_come_before_possible_ones() -> None:
    west = fence("west", square(LAT, LON - 0.003, 100.0))
    east = fence("east", square(LAT, LON, 100.0))
    index = GeofenceIndex([west, east])
    hits = index.locate(LAT, LON, 300.0)
    assert [(h.geofence.id, h.inside) for h in hits] == [("east", True), ("west", False)]


def test_empty_index_finds_nothing() -> None:
    assert GeofenceIndex([]).locate(LAT, LON, 100.0) == []


def test_index_of_many_polygons_agrees_with_brute_force() -> None:
    """2,000 squares (axis-aligned, so each is its own box): the index finds exactly the
    fences a brute-force check finds, inside and possibly inside."""
    rng = random.Random(3)
    fences = []
    for i in range(2_000):
        lat, lon = offset_m(LAT, LON, rng.uniform(-8_000, 8_000), rng.uniform(-8_000, 8_000))
        fences.append(fence(f"f{i:04d}", square(lat, lon, rng.uniform(30, 400))))
    index = GeofenceIndex(fences)
    assert len(index) == 2_000
    counts = {True: 0, False: 0}
    for _ in range(300):
        lat, lon = offset_m(LAT, LON, rng.uniform(-8_000, 8_000), rng.uniform(-8_000, 8_000))
        accuracy = rng.choice([None, 10.0, 150.0])
        got = {h.geofence.id: h.inside for h in index.locate(lat, lon, accuracy)}
        for f in fences:
            distance = _box_distance_m(f, lat, lon)
            if distance == 0.0:
                assert got.get(f.id) is True
            elif accuracy is not None and distance < accuracy * 0.99:
                assert got.get(f.id) is False
            elif accuracy is None or distance > accuracy * 1.01:
                assert f.id not in got
        for inside in got.values():
            counts[inside] += 1
    assert counts[True] > 20 and counts[False] > 20  # the sample exercised both answers


def _box_distance_m(f: Geofence, lat: float, lon: float) -> float:
    min_lon, min_lat, max_lon, max_lat = f.bbox
    dlon = max(min_lon - lon, 0.0, lon - max_lon)
    dlat = max(min_lat - lat, 0.0, lat - max_lat)
    m_per_deg = 111_195.0
    return math.hypot(dlat * m_per_deg, dlon * m_per_deg * math.cos(math.radians(lat)))
