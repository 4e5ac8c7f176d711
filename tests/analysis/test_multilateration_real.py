"""Real shot locations (SF 2013-15, Wilmington NC 2013-15 ShotSpotter exports): simulated
arrays at deployed density around each, 1 ms timing noise, located back within 8 m."""

import random
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyproj import Geod

from rtcc.analysis.multilateration import locate
from rtcc.simulator.acoustic import hear, real_shot_locations, sensor_grid

GEOD = Geod(ellps="WGS84")
FILES = ["sf_shotspotter_2013_2015.csv", "wilmington_nc_shotspotter_cad_calls.csv"]


@pytest.mark.parametrize("name", FILES)
def test_real_locations_are_found_within_8_m_median(shared_data: Path, name: str) -> None:
    points = real_shot_locations(shared_data / "gunshot" / name)
    assert len(points) > 1000
    rng = random.Random(name)
    errors, inside = [], 0
    for lat, lon in rng.sample(points, 80):
        sensors = sensor_grid(lat, lon, rng, per_square_mile=rng.choice([15.0, 20.0]))
        temperature = rng.uniform(-5, 35)
        fired = datetime(2014, 7, 4, 23, 30, tzinfo=UTC)
        arrivals = hear(sensors, lat, lon, fired, rng, temperature_c=temperature)
        fix = locate(arrivals, temperature)
        error = float(GEOD.inv(lon, lat, fix.lon, fix.lat)[2])
        errors.append(error)
        inside += error <= fix.uncertainty_m
    assert statistics.median(errors) < 8.0
    assert inside / len(errors) >= 0.9
