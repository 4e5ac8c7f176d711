"""The synthetic city: a real street graph, districts and sensors placed on it."""

import math
import random

import pytest

from rtcc.core.geo import haversine_m
from rtcc.simulator import build_city


def test_grid_has_named_streets_intersections_and_two_diagonals() -> None:
    city = build_city(blocks=16, block_m=160.0)
    assert len(city.intersections) == 17 * 17
    names = {s.name for s in city.streets}
    assert {"1st Ave", "5th Ave", "17th Ave", "Oak St", "Grandview Blvd", "Harbor Pkwy"} <= names
    assert {s.street_class for s in city.streets} == {"arterial", "local"}
    block = city.segments[0]
    a, b = city.intersections[block.a], city.intersections[block.b]
    assert abs(haversine_m(a.lat, a.lon, b.lat, b.lon) - 160.0) < 1.0
    diagonal = next(s for s in city.segments if s.street == "Grandview Blvd")
    assert abs(diagonal.length_m - 160.0 * math.sqrt(2)) < 1e-6


def test_graph_is_connected() -> None:
    city = build_city()
    seen, todo = {0}, [0]
    while todo:
        for nbr, _ in city.adjacency[todo.pop()]:
            if nbr not in seen:
                seen.add(nbr)
                todo.append(nbr)
    assert len(seen) == len(city.intersections)


def test_sensors_and_units_are_placed_as_specified() -> None:
    city = build_city()
    assert len(city.cameras) == 30
    kinds = [c.camera_type for c in city.cameras]
    assert kinds.count("fixed") > 20 and kinds.count("ptz") >= 2
    assert kinds.count("private_registered") >= 2
    assert len({c.camera_id for c in city.cameras}) == 30
    assert all(0 <= c.heading_deg < 360 and c.range_m > 0 for c in city.cameras)
    assert len(city.lpr_readers) == 8
    assert all(city.segments[r.segment].street_class == "arterial" for r in city.lpr_readers)
    assert len(city.units) == 12
    for unit in city.units:
        home = city.intersections[unit.home_node]
        assert city.district_of(home.north_m, home.east_m) == unit.district


def test_same_seed_same_city_other_seed_other_sensors() -> None:
    assert build_city(7) == build_city(7)
    assert build_city(7).cameras != build_city(8).cameras


def test_basemap_geojson_has_streets_and_districts() -> None:
    city = build_city()
    features = city.basemap_geojson()["features"]
    streets = [f for f in features if f["properties"]["layer"] == "street"]
    districts = [f for f in features if f["properties"]["layer"] == "district"]
    assert len(streets) == 17 + 17 + 2
    assert {f["properties"]["class"] for f in streets} == {"arterial", "local"}
    assert all(f["geometry"]["type"] == "LineString" for f in streets)
    assert sorted(f["properties"]["name"] for f in districts) == ["East", "North", "South", "West"]
    for feature in districts:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        lon, lat = ring[1]
        assert abs(lat - 39.9612) < 0.05 and abs(lon + 82.9988) < 0.05
    assert city.streets_geojson()["features"] == streets


def test_random_points_are_on_streets_with_block_addresses() -> None:
    city = build_city()
    rng = random.Random(1)
    for _ in range(200):
        point = city.random_point_on_street(rng)
        seg = city.segments[point.segment]
        a = city.intersections[seg.a]
        along = math.hypot(point.north_m - a.north_m, point.east_m - a.east_m)
        assert abs(along - point.fraction * seg.length_m) < 1e-6
        north, east = city.local_m(point.lat, point.lon)
        assert north == pytest.approx(point.north_m, abs=0.01)
        assert east == pytest.approx(point.east_m, abs=0.01)
        address = city.address(point)
        assert address.endswith(f"block of {seg.street}") and address[0].isdigit()
