"""Which dock launches for an incident, and the ground a drone camera sees."""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from shapely.geometry import Point, Polygon

from rtcc.analysis.dfr import (
    AirspaceZone,
    DfrSettings,
    DfrWeather,
    DroneDock,
    DroneState,
    camera_footprint,
    drone_states,
    recommend,
)
from rtcc.core.geo import bearing_deg, haversine_m, offset_m
from rtcc.storage.base import EntityState

INCIDENT = (39.9612, -82.9988)
CLEAR = DfrWeather()
ORIGIN = Point(0, 0)


def at(north_m: float, east_m: float) -> tuple[float, float]:
    return offset_m(*INCIDENT, north_m, east_m)


def dock(dock_id: str, north_m: float, east_m: float, **extra: Any) -> DroneDock:
    lat, lon = at(north_m, east_m)
    fields: dict[str, Any] = {"max_range_m": 5_000.0} | extra
    return DroneDock(
        id=dock_id, name=f"Dock {dock_id}", lat=lat, lon=lon, unit_id=f"uav-{dock_id}", **fields
    )


def docked(d: DroneDock, battery: float | None = 95.0, **extra: Any) -> DroneState:
    return DroneState(unit_id=d.unit_id, lat=d.lat, lon=d.lon, battery_pct=battery, **extra)


def zone(
    zone_id: str, kind: str, south: float, west: float, north: float, east: float
) -> AirspaceZone:
    """A box given in metres from the incident (south/north along lat, west/east along lon)."""
    corners = [at(south, west), at(south, east), at(north, east), at(north, west)]
    ring = [[lon, lat] for lat, lon in corners]
    polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return AirspaceZone.model_validate(
        {"id": zone_id, "name": zone_id, "kind": kind, "polygon": polygon}
    )


def run(
    docks: list[DroneDock],
    states: list[DroneState],
    zones: list[AirspaceZone] | None = None,
    weather: DfrWeather = CLEAR,
    **kw: Any,
) -> Any:
    return recommend(*INCIDENT, docks, {s.unit_id: s for s in states}, zones or [], weather, **kw)


def option(result: Any, dock_id: str) -> Any:
    return next(o for o in result.options if o.dock_id == dock_id)


# --- ranking ---------------------------------------------------------------------------------


def test_eligible_docks_rank_by_launch_time_plus_distance_over_cruise_speed() -> None:
    near, far = dock("N", 1_000, 0), dock("E", 0, 2_000)
    result = run([far, near], [docked(near), docked(far)])
    assert [o.dock_id for o in result.options] == ["N", "E"]
    assert result.recommended_dock_id == "N"
    d = haversine_m(near.lat, near.lon, *INCIDENT)
    assert option(result, "N").eta_s == pytest.approx(25 + d / 18, abs=0.1)
    assert option(result, "N").eligible and option(result, "N").reason == "eligible"
    assert result.summary.startswith("launch Dock N: ETA 1 min")


def test_a_slow_launch_can_lose_to_a_further_dock() -> None:
    slow = dock("S", 900, 0, launch_time_s=120)
    quick = dock("Q", 0, 1_200, launch_time_s=20, cruise_speed_mps=20)
    result = run([slow, quick], [docked(slow), docked(quick)])
    assert result.recommended_dock_id == "Q"
    assert option(result, "S").eta_s > option(result, "Q").eta_s


def test_ineligible_docks_rank_after_every_eligible_one() -> None:
    near, far = dock("N", 500, 0), dock("F", 3_000, 0)
    result = run([near, far], [docked(near, battery=10), docked(far)])
    assert [(o.dock_id, o.eligible) for o in result.options] == [("F", True), ("N", False)]


# --- each reason ---------------------------------------------------------------------------


def test_battery_below_the_launch_minimum() -> None:
    d = dock("B", 800, 0, min_launch_battery_pct=50)
    o = option(run([d], [docked(d, battery=42)]), "B")
    assert not o.eligible and o.blockers == ["battery 42% below the 50% minimum"]
    assert o.battery_pct == 42


def test_unknown_battery_is_not_assumed_full() -> None:
    d = dock("B", 800, 0)
    assert "battery level unknown" in option(run([d], [docked(d, battery=None)]), "B").reason


def test_drone_away_from_its_dock() -> None:
    d = dock("A", 800, 0)
    away = DroneState(d.unit_id, *offset_m(d.lat, d.lon, 0, 200), battery_pct=90, speed_mps=0.0)
    o = option(run([d], [away]), "A")
    assert not o.eligible and o.blockers[0].startswith("drone not at its dock (200 m")


def test_drone_within_50_m_of_its_dock_counts_as_docked() -> None:
    d = dock("A", 800, 0)
    near = DroneState(d.unit_id, *offset_m(d.lat, d.lon, 30, 0), battery_pct=90)
    assert option(run([d], [near]), "A").eligible


def test_drone_already_flying() -> None:
    d = dock("F", 800, 0)
    o = option(run([d], [docked(d, speed_mps=6.5)]), "F")
    assert o.blockers == ["drone already flying (6.5 m/s)"]


def test_drone_that_never_reported() -> None:
    d = dock("X", 800, 0)
    o = option(run([d], []), "X")
    assert o.blockers == ["no position ever received from drone uav-X"]


def test_out_of_range() -> None:
    d = dock("R", 4_000, 0, max_range_m=3_000)
    o = option(run([d], [docked(d)]), "R")
    assert o.blockers == ["out of range (4.0 km > 3.0 km)"]


def test_grounded_weather_stops_every_dock_and_the_summary_says_why() -> None:
    a, b = dock("A", 800, 0), dock("B", 0, 900)
    weather = DfrWeather(wind_mps=14, grounded=True, reason="gusts above 12 m/s")
    result = run([a, b], [docked(a), docked(b)], weather=weather)
    assert result.recommended_dock_id is None
    assert all(o.blockers == ["weather grounded: gusts above 12 m/s"] for o in result.options)
    assert result.summary == "no dock can launch: weather grounded: gusts above 12 m/s"


def test_no_eligible_dock_is_explained_in_one_line() -> None:
    a, b = dock("A", 800, 0), dock("B", 0, 9_000)
    result = run([a, b], [docked(a, battery=5), docked(b)])
    assert result.recommended_dock_id is None and "\n" not in result.summary
    assert "Dock A: battery 5% below" in result.summary and "Dock B: out of range" in result.summary


def test_no_docks_configured() -> None:
    result = run([], [])
    assert result.summary == "no DFR docks configured" and result.options == []


# --- airspace --------------------------------------------------------------------------------


def test_a_no_fly_zone_across_the_flight_path_blocks_the_dock() -> None:
    north, east = dock("N", 2_000, 0), dock("E", 0, 2_500)
    airport = zone("KCMH", "no_fly", 800, -300, 1_200, 300)  # straddles the N → incident line
    result = run([north, east], [docked(north), docked(east)], [airport])
    assert option(result, "N").blockers == ["flight path crosses no-fly zone KCMH"]
    assert result.recommended_dock_id == "E"


def test_a_no_fly_zone_beside_the_path_does_not_block() -> None:
    north = dock("N", 2_000, 0)
    beside = zone("park", "no_fly", 800, 100, 1_200, 500)
    assert option(run([north], [docked(north)], [beside]), "N").eligible


def test_an_incident_inside_a_no_fly_zone_cannot_be_reached() -> None:
    north = dock("N", 2_000, 0)
    around = zone("tfr", "no_fly", -100, -100, 100, 100)
    assert not option(run([north], [docked(north)], [around]), "N").eligible


def test_authorization_required_keeps_the_dock_eligible_but_flags_it() -> None:
    north = dock("N", 2_000, 0)
    class_c = zone("class-c", "authorization_required", 800, -300, 1_200, 300)
    result = run([north], [docked(north)], [class_c])
    o = option(result, "N")
    assert o.eligible and o.authorization_required
    assert o.flags == ["authorization required: class-c"]
    assert result.recommended_dock_id == "N" and "authorization required" in result.summary


def test_old_telemetry_is_flagged_not_hidden() -> None:
    d = dock("A", 800, 0)
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    state = docked(d, occurred_at=now - timedelta(minutes=30))
    o = option(run([d], [state], now=now, stale_after_s=600), "A")
    assert o.eligible and o.flags == ["latest drone position is 30 min old"]


# --- configuration and store -------------------------------------------------------------


def test_zone_polygons_must_be_closed_and_ids_unique() -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    with pytest.raises(ValidationError, match="closed"):
        AirspaceZone.model_validate(
            {"id": "z", "name": "z", "kind": "no_fly", "polygon": open_ring}
        )
    d = dock("A", 0, 0)
    with pytest.raises(ValidationError, match="dock ids must be unique: A"):
        DfrSettings(docks=[d, d])


def test_drone_states_keep_only_drones() -> None:
    def entity(unit_type: str, unit_id: str) -> EntityState:
        event = {
            "occurred_at": "2026-11-25T20:14:00Z",
            "payload": {"unit_id": unit_id, "unit_type": unit_type, "battery_pct": 77.0},
        }
        return EntityState(f"unit:{unit_id}", "unit", 39.96, -83.0, event)

    states = drone_states([entity("drone", "uav-1"), entity("patrol", "1A12")])
    assert list(states) == ["uav-1"]
    assert states["uav-1"].battery_pct == 77.0
    assert states["uav-1"].occurred_at == datetime(2026, 11, 25, 20, 14, tzinfo=UTC)


# --- camera footprint ----------------------------------------------------------------------


def _local(footprint: dict[str, Any], lat: float, lon: float) -> Polygon:
    """The footprint in metres east/north of the drone."""
    k = math.cos(math.radians(lat)) * 111_195.0
    ring = footprint["coordinates"][0]
    return Polygon([((x - lon) * k, (y - lat) * 111_195.0) for x, y in ring])


@pytest.mark.parametrize("heading", [0.0, 90.0, 225.0, 359.0])
def test_footprint_is_centred_ahead_along_the_heading(heading: float) -> None:
    lat, lon = INCIDENT
    fp = camera_footprint(lat, lon, 100.0, heading)
    centre = _local(fp, lat, lon).centroid
    c_lat, c_lon = (
        lat + centre.y / 111_195.0,
        lon + centre.x / (math.cos(math.radians(lat)) * 111_195.0),
    )
    diff = abs((bearing_deg(lat, lon, c_lat, c_lon) - heading + 180) % 360 - 180)
    assert diff < 0.5 and centre.distance(ORIGIN) > 50


def test_footprint_near_edge_matches_the_flat_earth_formula() -> None:
    lat, lon = INCIDENT
    poly = _local(camera_footprint(lat, lon, 100.0, 0.0), lat, lon)
    (x1, y1), (x2, y2) = list(poly.exterior.coords)[:2]  # near-left, near-right
    assert (y1 + y2) / 2 == pytest.approx(100 / math.tan(math.radians(70)), rel=1e-3)
    assert x1 < 0 < x2  # left is west when facing north


def test_footprint_grows_with_altitude() -> None:
    lat, lon = INCIDENT
    low = _local(camera_footprint(lat, lon, 60.0, 30.0), lat, lon).area
    high = _local(camera_footprint(lat, lon, 120.0, 30.0), lat, lon).area
    assert high == pytest.approx(4 * low, rel=1e-3)  # no clipping: area scales with height²


def test_straight_down_footprint_is_under_the_drone() -> None:
    lat, lon = INCIDENT
    poly = _local(camera_footprint(lat, lon, 100.0, 0.0, pitch_deg=-90), lat, lon)
    assert poly.centroid.distance(ORIGIN) < 0.5
    minx, miny, maxx, maxy = poly.bounds
    assert maxx - minx == pytest.approx(200 * math.tan(math.radians(35)), rel=1e-3)
    assert maxy - miny == pytest.approx(200 * math.tan(math.radians(25)), rel=1e-3)


def test_a_ray_above_the_horizon_is_clipped_at_the_maximum_distance() -> None:
    lat, lon = INCIDENT
    poly = _local(camera_footprint(lat, lon, 100.0, 0.0, pitch_deg=-10), lat, lon)
    far = max(math.hypot(x, y) for x, y in poly.exterior.coords)
    assert far == pytest.approx(1_000, rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"altitude_m": 0.0}, "not above the ground"),
        ({"altitude_m": 250.0, "ground_elevation_m": 260.0}, "not above the ground"),
        ({"pitch_deg": 5.0}, "pitch_deg"),
        ({"hfov_deg": 180.0}, "fields of view"),
    ],
)
def test_footprint_refuses_impossible_cameras(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, Any] = {"lat": 40.0, "lon": -83.0, "altitude_m": 100.0, "heading_deg": 0.0}
    with pytest.raises(ValueError, match=message):
        camera_footprint(**(args | kwargs))
