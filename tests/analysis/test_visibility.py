"""Which cameras can see a point: sector edges, ranking, PTZ, offline, and the index
agreeing exactly with a brute-force geodesic check (random and real cameras)."""

import csv
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.analysis.camera_cells import FLAT_MAX_LAT
from rtcc.analysis.camera_index import CameraIndex, cell_rows
from rtcc.analysis.camera_live import LiveCameras
from rtcc.analysis.visibility import GEOD, CameraView, brute_force_visible, geodesic_sees
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.sources.cameras import CameraRegistryAdapter, CameraRegistryOptions

HERE = (41.8781, -87.6298)  # Chicago Loop


def at(lat: float, lon: float, bearing: float, distance_m: float) -> tuple[float, float]:
    """The point `distance_m` along the geodesic from (lat, lon) at `bearing` (reference)."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, distance_m)
    return float(lat2), float(lon2)


def ids(found: list) -> list[str]:  # type: ignore[type-arg]
    return [f.camera.camera_id for f in found]


def index_of(*views: CameraView) -> CameraIndex:
    index = CameraIndex()
    for view in views:
        index.upsert(view)
    return index


def test_fov_edge_is_exact_on_the_geodesic_bearing() -> None:
    cam = CameraView("C", *HERE, heading_deg=90.0, fov_deg=90.0, range_m=200.0)
    index = index_of(cam)
    for bearing, seen in [(45.01, True), (44.99, False), (134.99, True), (135.01, False)]:
        point = at(*HERE, bearing, 150.0)
        assert bool(index.visible(*point)) is seen, bearing


def test_range_edge_is_exact_on_the_ellipsoid_distance() -> None:
    cam = CameraView("C", *HERE, heading_deg=0.0, fov_deg=60.0, range_m=300.0)
    index = index_of(cam)
    assert ids(index.visible(*at(*HERE, 0.0, 299.999))) == ["C"]
    assert index.visible(*at(*HERE, 0.0, 300.001)) == []
    # The sphere (haversine) puts this point inside 300 m; the ellipsoid does not.
    far = at(*HERE, 0.0, 300.5)
    assert index.visible(*far) == [] == brute_force_visible([cam], *far)


def test_ranked_by_distance_then_angle_off_axis_then_id() -> None:
    point = HERE
    cams = [
        CameraView("FAR", *at(*point, 180.0, 150.0), 0.0, 90.0, range_m=200.0),
        # both 100 m away (same decimetre): the one looking straight at it comes first
        CameraView("NEAR-SKEW", *at(*point, 90.0, 100.0), heading_deg=300.0, fov_deg=90.0),
        CameraView("NEAR-STRAIGHT", *at(*point, 270.0, 100.0), heading_deg=90.0, fov_deg=90.0),
    ]
    index = index_of(*cams)
    found = index.visible(*point)
    assert ids(found) == ["NEAR-STRAIGHT", "NEAR-SKEW", "FAR"]
    assert found[0].angle_off_axis_deg < 0.01 < 29.0 < found[1].angle_off_axis_deg < 31.0
    assert found[2].distance_m == pytest.approx(150.0, abs=1e-6)
    assert ids(index.visible(*point, limit=1)) == ["NEAR-STRAIGHT"]
    assert ids(index.visible(*point, max_radius_m=120.0)) == ["NEAR-STRAIGHT", "NEAR-SKEW"]
    twins = [CameraView(c, *at(*point, 0.0, 50.0), heading_deg=180.0) for c in ("B", "A")]
    assert ids(index_of(*twins).visible(*point)) == ["A", "B"]
    assert ids(index_of(*twins).visible(*point, limit=1)) == ["A"]


def test_ptz_sees_within_its_pan_range_and_a_headless_camera_all_round() -> None:
    behind = at(*HERE, 180.0, 100.0)
    ptz = CameraView("PTZ", *HERE, heading_deg=0.0, fov_deg=60.0, camera_type="ptz")
    fixed = CameraView("FIX", *HERE, heading_deg=0.0, fov_deg=60.0)
    limited = CameraView("PAN90", *HERE, 0.0, 60.0, camera_type="ptz", pan_range_deg=90.0)
    headless = CameraView("ROUND", *HERE, heading_deg=None, fov_deg=60.0)
    index = index_of(ptz, fixed, limited, headless)
    assert set(ids(index.visible(*behind))) == {"PTZ", "ROUND"}
    # pan ±45° plus half the 60° field of view: 75° either side of the home heading
    assert "PAN90" in ids(index.visible(*at(*HERE, 74.9, 100.0)))
    assert "PAN90" not in ids(index.visible(*at(*HERE, 75.1, 100.0)))
    assert (
        next(v for v in index.visible(*behind) if v.camera.camera_id == "ROUND").angle_off_axis_deg
        == 0.0
    )


def test_update_move_and_remove_keep_the_index_current() -> None:
    index = index_of(CameraView("C", *HERE, heading_deg=0.0, range_m=100.0))
    north = at(*HERE, 0.0, 80.0)
    assert ids(index.visible(*north)) == ["C"]
    index.upsert(CameraView("C", *HERE, heading_deg=180.0, range_m=100.0))  # re-aimed
    assert index.visible(*north) == []
    elsewhere = at(*HERE, 90.0, 5000.0)
    index.upsert(CameraView("C", *elsewhere, heading_deg=0.0, range_m=100.0))  # moved
    assert index.visible(*at(*HERE, 180.0, 50.0)) == []
    assert ids(index.visible(*at(*elsewhere, 0.0, 50.0))) == ["C"]
    assert index.remove("C") and not index.remove("C")
    assert len(index) == 0 and index.visible(*at(*elsewhere, 0.0, 50.0)) == []


def _status(camera_id: str, lat: float, lon: float, status: str, minute: int) -> Event:
    wire = {
        "kind": "camera_status",
        "id": f"{camera_id}-{minute}",
        "occurred_at": (
            datetime(2026, 11, 25, 20, tzinfo=UTC) + timedelta(minutes=minute)
        ).isoformat(),
        "location": {"lat": lat, "lon": lon},
        "payload": {"camera_id": camera_id, "status": status, "heading_deg": 0.0},
    }
    return event_from_wire(EVENT_IN_ADAPTER.validate_python(wire), "t", datetime.now(UTC))


def test_offline_cameras_do_not_count_and_older_statuses_do_not_win() -> None:
    live = LiveCameras()
    north = at(*HERE, 0.0, 100.0)
    live.apply([_status("C", *HERE, "online", 0)])
    assert ids(live.visible_cameras(*north, 5)) == ["C"]
    live.apply([_status("C", *HERE, "offline", 10)])
    assert live.visible_cameras(*north, 5) == []
    assert live.apply([_status("C", *HERE, "online", 5)]) == 0  # older than the offline
    assert live.visible_cameras(*north, 5) == []
    live.apply([_status("C", *HERE, "degraded", 11)])
    assert ids(live.visible_cameras(*north, 5)) == ["C"]
    with pytest.raises(ValueError, match="limit must be at least 1"):
        live.visible_cameras(*north, 0)


def test_bad_camera_values_are_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="camera X: fov_deg must be"):
        CameraView("X", *HERE, fov_deg=0.0)
    with pytest.raises(ValueError, match="camera X: range_m must be"):
        CameraView("X", *HERE, range_m=-1.0)
    with pytest.raises(ValueError, match="cell_deg"):
        CameraIndex(cell_deg=5.0)


def test_antimeridian_and_polar_cameras_are_found() -> None:
    fiji = CameraView("FIJI", -16.5, 179.9995, heading_deg=90.0, range_m=500.0)
    pole = CameraView("POLE", 89.999, 10.0, heading_deg=None, range_m=1000.0)
    index = index_of(fiji, pole)
    across = at(-16.5, 179.9995, 90.0, 300.0)
    assert across[1] < 0  # the point lies across the antimeridian
    assert ids(index.visible(*across)) == ["FIJI"]
    assert ids(index.visible(*at(89.999, 10.0, 200.0, 800.0))) == ["POLE"]


# --- the index equals the brute-force geodesic check ------------------------------------

CENTRE = (40.75, -73.98)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[list[CameraView], list[tuple[float, float]]]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 60))
    rnd = random.Random(seed)
    cams = []
    for i in range(n):
        kind = rnd.choice(["fixed", "fixed", "fixed", "ptz"])
        cams.append(
            CameraView(
                f"c{i}",
                *at(*CENTRE, rnd.uniform(0, 360), rnd.uniform(0, 1500)),
                heading_deg=None if rnd.random() < 0.1 else rnd.uniform(0, 359.999),
                fov_deg=rnd.choice([30.0, 60.0, 90.0, 120.0, 360.0]),
                range_m=rnd.uniform(20, 600),
                camera_type=kind,
                pan_range_deg=rnd.choice([360.0, 180.0, 90.0]),
            )
        )
    points = []
    for _ in range(20):
        cam = rnd.choice(cams)
        # on the edges: range and sector boundaries, a hair either side
        eps = rnd.choice([-1e-3, -1e-6, 0.0, 1e-6, 1e-3])
        edge = (cam.heading_deg or 0.0) + rnd.choice([-1, 1]) * cam.half_angle_deg
        bearing = rnd.choice([rnd.uniform(0, 360), edge + eps * 100])
        distance = rnd.choice([cam.range_m * (1 + eps), rnd.uniform(0, cam.range_m)])
        points.append(at(cam.lat, cam.lon, bearing % 360.0, max(distance, 0.0)))
    points.append(at(*CENTRE, rnd.uniform(0, 360), rnd.uniform(0, 2000)))
    return cams, points


@settings(max_examples=60, deadline=None)
@given(scenes())
def test_index_equals_brute_force_geodesic_check(
    scene: tuple[list[CameraView], list[tuple[float, float]]],
) -> None:
    cams, points = scene
    index = CameraIndex(cell_deg=0.001)
    index.bulk_load(cams[: len(cams) // 2])
    for cam in cams[len(cams) // 2 :]:
        index.upsert(cam)
    for lat, lon in points:
        expected = brute_force_visible(cams, lat, lon)
        found = index.visible(lat, lon)
        assert ids(found) == ids(expected)
        assert [f.distance_m for f in found] == [e.distance_m for e in expected]


def _deflock_views(path: Path) -> list[CameraView]:
    options = CameraRegistryOptions(registered_at="2025-10-04T00:00:00Z", id_prefix="osm-")
    views = []
    for wire in CameraRegistryAdapter(options).translate(path.read_bytes()):
        event = event_from_wire(EVENT_IN_ADAPTER.validate_python(wire), "t", datetime.now(UTC))
        assert event.location is not None
        views.append(
            CameraView.from_payload(event.location.lat, event.location.lon, wire["payload"])
        )
    return views


def test_real_cameras_nyc_dot_and_deflock_alpr_match_the_geodesic_check(
    shared_data: Path,
) -> None:
    cams = shared_data / "cameras"
    with (cams / "nyc_dot_traffic_cameras_nyctmc.csv").open() as f:
        nyc = [
            CameraView(f"nyc-{r['camera_id']}", float(r["lat"]), float(r["lon"]), range_m=150.0)
            for r in csv.DictReader(f)
        ]
    alpr = _deflock_views(cams / "osm_alpr_deflock" / "osm_alpr_Illinois.geojson")
    assert len(nyc) == 723 and len(alpr) > 2000
    aimed = [v for v in alpr if v.heading_deg is not None]
    assert len(aimed) > 0.9 * len(alpr)  # OSM direction tags, read as headings
    everyone = nyc + alpr
    index = CameraIndex()
    index.bulk_load(everyone)
    rnd = random.Random(7)
    seen_any = 0
    for _ in range(300):
        cam = rnd.choice(everyone)
        point = at(cam.lat, cam.lon, rnd.uniform(0, 360), rnd.uniform(0, 200))
        expected = brute_force_visible(everyone, *point)
        assert ids(index.visible(*point)) == ids(expected)
        seen_any += bool(expected)
    assert seen_any > 100
    # A DeFlock ALPR facing 180° sees 100 m south of itself, not 100 m north.
    south_facing = next(v for v in aimed if v.heading_deg == 180.0)
    south = at(south_facing.lat, south_facing.lon, 180.0, 100.0)
    north = at(south_facing.lat, south_facing.lon, 0.0, 100.0)
    assert south_facing.camera_id in ids(index.visible(*south))
    assert south_facing.camera_id not in ids(index.visible(*north))
    assert json.loads((cams / "osm_alpr_deflock" / "index.json").read_text())


def test_flat_prefilter_never_drops_a_camera_the_geodesic_test_keeps() -> None:
    """The index's cheap range + sector prefilter, at every latitude it is used (< 70°),
    ranges to 20 km and narrow sectors, on points a hair around the exact edges."""
    rnd = random.Random(5)
    rows, points = [], []
    for _ in range(20_000):
        lat, lon = rnd.uniform(-69.8, 69.8), rnd.uniform(-180.0, 180.0)
        heading = None if rnd.random() < 0.05 else rnd.uniform(0.0, 359.999)
        cam = CameraView(
            "c",
            lat,
            lon,
            heading,
            fov_deg=rnd.choice([1.0, 30.0, 90.0, 170.0, 355.0]),
            range_m=rnd.choice([1.0, 50.0, 400.0, 5_000.0, 20_000.0]),
            camera_type=rnd.choice(["fixed", "ptz"]),
            pan_range_deg=rnd.choice([0.0, 90.0, 360.0]),
        )
        edge = (heading or 0.0) + rnd.choice([-1, 1]) * cam.half_angle_deg
        bearing = rnd.choice([edge + rnd.uniform(-0.01, 0.01), rnd.uniform(0, 360)])
        dist = rnd.choice([cam.range_m * rnd.uniform(0.9999, 1.0001), rnd.uniform(0, 0.02)])
        rows.append(
            (lat, lon, np.nan if heading is None else heading, cam.half_angle_deg, cam.range_m)
        )
        points.append(at(lat, lon, bearing % 360.0, dist))
    cols = np.array(rows)
    block = cell_rows(cols)
    kept = 0
    for i, (plat, plon) in enumerate(points):
        if abs(plat) >= FLAT_MAX_LAT:
            continue
        c = cols[i : i + 1]
        sees = geodesic_sees(c[:, 0], c[:, 1], c[:, 2], c[:, 3], c[:, 4], plat, plon)[0]
        passed = CameraIndex._prefilter(block[:, i : i + 1], plat, plon)
        assert passed[0] or not sees[0], (rows[i], plat, plon)
        kept += int(sees[0])
    assert kept > 5_000


def test_cell_blocks_follow_upserts_and_removals_of_cameras_sharing_cells() -> None:
    cams = [CameraView(f"c{i}", *at(*HERE, 36.0 * i, 30.0), heading_deg=0.0) for i in range(10)]
    index = CameraIndex()
    index.bulk_load(cams[:5])
    for cam in cams[5:]:
        index.upsert(cam)
    point = at(*HERE, 0.0, 100.0)
    assert ids(index.visible(*point)) == ids(brute_force_visible(cams, *point))
    index.remove("c3")
    index.upsert(CameraView("c7", *at(*HERE, 252.0, 30.0), heading_deg=180.0))  # re-aimed
    left = [c for c in cams if c.camera_id not in {"c3", "c7"}]
    assert ids(index.visible(*point)) == ids(brute_force_visible(left, *point))
    # a point under a camera (within 1 cm) is seen whatever way it faces
    under = at(cams[0].lat, cams[0].lon, 180.0, 0.005)
    assert "c0" in ids(index.visible(*under))
