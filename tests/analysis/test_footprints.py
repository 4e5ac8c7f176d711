"""Occlusion by building footprints: real OSM buildings of West Oakland, GeoJSON too."""

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from rtcc.analysis.camera_live import LiveCameras
from rtcc.analysis.footprints import Footprints
from rtcc.analysis.visibility import CameraView

POST_OFFICE_CENTRE = (37.80522, -122.30064)  # Oakland Main Post Office, building=yes
WEST = (37.80522, -122.30250)  # street west of it
EAST = (37.80522, -122.29900)  # street east of it


@pytest.fixture(scope="module")
def oakland(shared_data: Path) -> Footprints:
    return Footprints.from_file(shared_data / "network" / "west_oakland.osm.bz2")


def blocked(fp: Footprints, cam: tuple[float, float], point: tuple[float, float]) -> bool:
    return bool(fp.occluded(np.array([cam[0]]), np.array([cam[1]]), *point)[0])


def buildings_on(fp: Footprints, a: tuple[float, float], b: tuple[float, float]) -> int:
    line = shapely.LineString([(a[1], a[0]), (b[1], b[0])])
    return sum(p.intersects(line) for p in fp.polygons)


def test_osm_ways_tagged_building_are_loaded(oakland: Footprints) -> None:
    assert len(oakland) == 23
    assert all(p.geom_type in ("Polygon", "MultiPolygon") and p.is_valid for p in oakland.polygons)
    post_office = shapely.Point(POST_OFFICE_CENTRE[1], POST_OFFICE_CENTRE[0])
    assert sum(p.contains(post_office) for p in oakland.polygons) == 1


def test_a_building_between_camera_and_point_blocks_the_view(oakland: Footprints) -> None:
    assert buildings_on(oakland, WEST, EAST) >= 1
    assert blocked(oakland, WEST, EAST)
    assert blocked(oakland, EAST, WEST)


def test_a_clear_street_does_not_block(oakland: Footprints) -> None:
    a, b = (37.80380, -122.30250), (37.80380, -122.29900)
    assert buildings_on(oakland, a, b) == 0
    assert not blocked(oakland, a, b)


def test_the_cameras_own_building_and_the_points_building_do_not_block(
    oakland: Footprints,
) -> None:
    on_roof = (37.80522, -122.30010)  # inside the post office, near its east side
    assert buildings_on(oakland, on_roof, EAST) == 1
    assert not blocked(oakland, on_roof, EAST)
    # An incident geocoded inside the post office is still watched from the street...
    assert buildings_on(oakland, EAST, POST_OFFICE_CENTRE) == 1
    assert not blocked(oakland, EAST, POST_OFFICE_CENTRE)
    # ...but not through another building on the way.
    far_side = (37.80700, -122.30300)
    assert buildings_on(oakland, far_side, POST_OFFICE_CENTRE) == 2
    assert blocked(oakland, far_side, POST_OFFICE_CENTRE)


def test_live_cameras_leave_out_a_camera_whose_view_is_blocked(oakland: Footprints) -> None:
    live = LiveCameras(footprints=oakland)
    live.index.upsert(CameraView("BEHIND-PO", *WEST, heading_deg=90.0, range_m=500.0))
    live.index.upsert(
        CameraView("ACROSS-ST", 37.80522, -122.29850, heading_deg=270.0, range_m=500.0)
    )
    found = [v.camera.camera_id for v in live.visible_cameras(*EAST, 5)]
    assert found == ["ACROSS-ST"]
    without = LiveCameras()
    without.index.upsert(CameraView("BEHIND-PO", *WEST, heading_deg=90.0, range_m=500.0))
    assert [v.camera.camera_id for v in without.visible_cameras(*EAST, 5)] == ["BEHIND-PO"]


def test_geojson_footprints_and_bad_input(tmp_path: Path) -> None:
    square = [[[-0.001, -0.001], [0.001, -0.001], [0.001, 0.001], [-0.001, 0.001]]]
    square[0].append(square[0][0])
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [0, 0]},
            },
        ],
    }
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(doc))
    fp = Footprints.from_file(path)
    assert len(fp) == 1
    assert blocked(fp, (0.0, -0.002), (0.0, 0.002))
    assert not blocked(fp, (0.002, -0.002), (0.002, 0.002))
    doc["features"][0]["geometry"]["coordinates"] = [[[0, 0], [1]]]
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"features\[0\]\.geometry: bad Polygon"):
        Footprints.from_file(path)
    with pytest.raises(ValueError, match=r"must be \.geojson"):
        Footprints.from_file(tmp_path / "b.shp")
