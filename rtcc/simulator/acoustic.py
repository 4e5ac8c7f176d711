"""Acoustic sensors around a shot and the times they hear it, for tests, demos and benches.

Sensors stand on a jittered square grid at a deployed density (ShotSpotter-style
coverage is 15-20 sensors per square mile); a sensor within the detection range hears
the shot after the WGS84 geodesic distance divided by the speed of sound at the air
temperature, plus Gaussian timing noise.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyproj import Geod

from rtcc.analysis.multilateration import Arrival, speed_of_sound
from rtcc.core.geo import offset_m
from rtcc.sources.base import AdapterError, split_messages
from rtcc.sources.shotspotter import GunshotCsvAdapter, GunshotCsvOptions

SQUARE_MILE_M2 = 1609.344**2
DETECTION_RANGE_M = 1600.0
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Sensor:
    sensor_id: str
    lat: float
    lon: float


def sensor_grid(
    lat: float,
    lon: float,
    rng: random.Random,
    *,
    per_square_mile: float = 18.0,
    half_width_m: float = 2000.0,
    jitter: float = 0.3,
) -> list[Sensor]:
    """Sensors over a square around (lat, lon): grid spacing from the density, the grid
    shifted at random (a shot is not on a node) and each sensor moved up to `jitter`
    spacings (rooftops and poles are where they are)."""
    if not 0 < per_square_mile <= 400:
        raise ValueError(f"per_square_mile: {per_square_mile} is not a deployable density")
    spacing = math.sqrt(SQUARE_MILE_M2 / per_square_mile)
    shift_n, shift_e = rng.uniform(0, spacing), rng.uniform(0, spacing)
    steps = int(half_width_m // spacing) + 1
    sensors: list[Sensor] = []
    for i in range(-steps, steps + 1):
        for j in range(-steps, steps + 1):
            north = i * spacing + shift_n + rng.uniform(-jitter, jitter) * spacing
            east = j * spacing + shift_e + rng.uniform(-jitter, jitter) * spacing
            if abs(north) <= half_width_m and abs(east) <= half_width_m:
                s_lat, s_lon = offset_m(lat, lon, north, east)
                sensors.append(Sensor(f"S{len(sensors):04d}", s_lat, s_lon))
    return sensors


def hear(
    sensors: list[Sensor],
    lat: float,
    lon: float,
    fired_at: datetime,
    rng: random.Random,
    *,
    temperature_c: float = 15.0,
    timing_sigma_s: float = 0.001,
    detection_range_m: float = DETECTION_RANGE_M,
) -> list[Arrival]:
    """Arrivals at every sensor within range of a shot fired at (lat, lon), nearest first."""
    if not sensors:
        return []
    speed = speed_of_sound(temperature_c)
    n = len(sensors)
    lons, lats = [s.lon for s in sensors], [s.lat for s in sensors]
    _, _, distances = _GEOD.inv([lon] * n, [lat] * n, lons, lats)
    heard = sorted(
        (float(d), s) for d, s in zip(distances, sensors, strict=True) if d <= detection_range_m
    )
    return [
        Arrival(
            s.sensor_id,
            s.lat,
            s.lon,
            fired_at + timedelta(seconds=d / speed + rng.gauss(0.0, timing_sigma_s)),
        )
        for d, s in heard
    ]


def sensor_report(
    detection_id: str, arrivals: list[Arrival], temperature_c: float | None, rounds: int = 1
) -> dict[str, Any]:
    """The ingest wire event of a sensor-level report: no location, the arrivals instead."""
    first = min(a.at for a in arrivals)
    payload: dict[str, Any] = {
        "detection_id": detection_id,
        "rounds": rounds,
        "classification": "multiple_gunshots" if rounds > 1 else "single_gunshot",
        "sensors": [
            {
                "sensor_id": a.sensor_id,
                "lat": a.lat,
                "lon": a.lon,
                "arrived_at": a.at.astimezone(UTC).isoformat(timespec="microseconds"),
            }
            for a in arrivals
        ],
    }
    if temperature_c is not None:
        payload["temperature_c"] = temperature_c
    return {
        "kind": "gunshot",
        "id": detection_id,
        "occurred_at": first.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": payload,
    }


def real_shot_locations(path: Path) -> list[tuple[float, float]]:
    """(lat, lon) of every alert in a city's ShotSpotter export (SF or Wilmington), read
    through the gunshot_csv adapter; rows it refuses (no coordinates) are skipped."""
    adapter = GunshotCsvAdapter(GunshotCsvOptions())
    points: list[tuple[float, float]] = []
    for message in split_messages("csv", path.read_bytes()):
        try:
            events = adapter.translate(message)
        except AdapterError:
            continue
        points += [(e["location"]["lat"], e["location"]["lon"]) for e in events if "location" in e]
    return points
