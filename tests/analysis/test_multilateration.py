"""Multilateration: exact geometry, noise, outliers, refusals, and a property over layouts."""

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from rtcc.analysis.multilateration import Arrival, LocateError, locate, speed_of_sound
from rtcc.core.geo import offset_m
from rtcc.simulator.acoustic import hear, sensor_grid

SHOT = (37.73668188, -122.3908474)  # SF export, alert 26868
FIRED = datetime(2013, 1, 1, 8, 1, 47, tzinfo=UTC)
GEOD = Geod(ellps="WGS84")


def distance_m(a: tuple[float, float], lat: float, lon: float) -> float:
    return float(GEOD.inv(a[1], a[0], lon, lat)[2])


def exact_arrivals(
    points: list[tuple[float, float]], shot: tuple[float, float], temperature_c: float = 20.0
) -> list[Arrival]:
    speed = speed_of_sound(temperature_c)
    return [
        Arrival(f"S{i}", lat, lon, FIRED + timedelta(seconds=distance_m(shot, lat, lon) / speed))
        for i, (lat, lon) in enumerate(points)
    ]


def square(n: int, spacing_m: float) -> list[tuple[float, float]]:
    steps = [(i - n / 2) * spacing_m for i in range(n)]
    return [offset_m(*SHOT, north, east) for north in steps for east in steps]


def test_speed_of_sound_follows_temperature() -> None:
    assert speed_of_sound(0.0) == pytest.approx(331.3)
    assert speed_of_sound(20.0) == pytest.approx(343.2, abs=0.1)
    assert speed_of_sound(-10.0) < speed_of_sound(30.0)


def test_exact_times_recover_the_point_and_emission_time() -> None:
    fix = locate(exact_arrivals(square(3, 400), offset_m(*SHOT, 123, -77)), 20.0)
    assert distance_m(offset_m(*SHOT, 123, -77), fix.lat, fix.lon) < 0.05
    assert abs((fix.emitted_at - FIRED).total_seconds()) < 1e-4
    assert fix.sensors_used == 9 and fix.dropped == ()
    assert fix.uncertainty_m < 1.5  # the 1 ms nominal timing floor, not zero


def test_wrong_temperature_costs_metres_not_the_fix() -> None:
    arrivals = exact_arrivals(square(3, 400), SHOT, temperature_c=30.0)
    right = locate(arrivals, 30.0)
    wrong = locate(arrivals, 0.0)
    assert distance_m(SHOT, right.lat, right.lon) < 0.05
    assert 0.05 < distance_m(SHOT, wrong.lat, wrong.lon) < 30


def test_noise_at_realistic_density_stays_within_bounds() -> None:
    rng = random.Random(7)
    errors, inside = [], 0
    for _ in range(60):
        sensors = sensor_grid(*SHOT, rng, per_square_mile=15)
        arrivals = hear(sensors, *SHOT, FIRED, rng, temperature_c=12.0, timing_sigma_s=0.001)
        fix = locate(arrivals, 12.0)
        error = distance_m(SHOT, fix.lat, fix.lon)
        errors.append(error)
        inside += error <= fix.uncertainty_m
    assert statistics.median(errors) < 8.0
    assert max(errors) < 30.0
    assert inside / len(errors) >= 0.9


def test_one_echo_is_dropped_and_named() -> None:
    rng = random.Random(3)
    arrivals = hear(sensor_grid(*SHOT, rng), *SHOT, FIRED, rng, timing_sigma_s=0.0005)
    late = arrivals[2]
    arrivals[2] = Arrival(late.sensor_id, late.lat, late.lon, late.at + timedelta(seconds=0.08))
    fix = locate(arrivals, 15.0)
    assert fix.dropped == (late.sensor_id,)
    assert distance_m(SHOT, fix.lat, fix.lon) < 5.0
    assert late.sensor_id in fix.note


def test_too_few_sensors_is_refused_with_the_reason() -> None:
    arrivals = exact_arrivals(square(3, 400), SHOT)[:3]
    with pytest.raises(LocateError) as refused:
        locate(arrivals)
    assert (refused.value.field, refused.value.reason) == ("sensors", "too_few_sensors")
    assert "3 sensors" in refused.value.message


def test_sensors_on_one_line_are_refused_as_degenerate() -> None:
    line = [offset_m(*SHOT, 0.0, east) for east in (-600.0, -200.0, 200.0, 600.0, 900.0)]
    with pytest.raises(LocateError) as refused:
        locate(exact_arrivals(line, offset_m(*SHOT, 300, 0)))
    assert refused.value.reason == "degenerate_geometry"


def test_times_far_apart_are_not_one_shot() -> None:
    arrivals = exact_arrivals(square(2, 400) + square(1, 10), SHOT)
    arrivals[0] = Arrival("S0", arrivals[0].lat, arrivals[0].lon, FIRED + timedelta(minutes=2))
    with pytest.raises(LocateError) as refused:
        locate(arrivals)
    assert refused.value.reason == "inconsistent_times"


def test_a_sensor_listed_twice_is_refused() -> None:
    arrivals = exact_arrivals(square(3, 400), SHOT)
    arrivals[1] = Arrival("S0", arrivals[1].lat, arrivals[1].lon, arrivals[1].at)
    with pytest.raises(LocateError) as refused:
        locate(arrivals)
    assert refused.value.reason == "duplicate_sensor"


@settings(max_examples=40, deadline=None)
@given(
    north=st.floats(-700, 700),
    east=st.floats(-700, 700),
    temperature=st.floats(-20, 40),
    seed=st.integers(0, 10_000),
)
def test_any_shot_inside_an_array_is_found(
    north: float, east: float, temperature: float, seed: int
) -> None:
    """Exact times from ≥ 5 scattered sensors around the shot give it back to centimetres."""
    rng = random.Random(seed)
    shot = offset_m(*SHOT, north, east)
    points = [offset_m(*shot, rng.uniform(-900, 900), rng.uniform(-900, 900)) for _ in range(8)]
    fix = locate(exact_arrivals(points, shot, temperature), temperature)
    assert distance_m(shot, fix.lat, fix.lon) < 0.1
