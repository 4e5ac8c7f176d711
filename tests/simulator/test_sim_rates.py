"""Incident rates follow the daily curve; curves are normalised to a mean of 1."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from rtcc.simulator import CitySimulator, build_city
from rtcc.simulator.rates import (
    CALLS_BY_HOUR,
    GUNSHOTS_BY_HOUR,
    TRAFFIC_BY_HOUR,
    hourly_factor,
)


@pytest.mark.parametrize("curve", [CALLS_BY_HOUR, GUNSHOTS_BY_HOUR, TRAFFIC_BY_HOUR])
def test_curves_average_one(curve: tuple[float, ...]) -> None:
    assert sum(curve) / 24 == pytest.approx(1.0)


def test_hourly_factor_interpolates_between_hours() -> None:
    day = datetime(2025, 1, 1, tzinfo=UTC)
    assert hourly_factor(CALLS_BY_HOUR, day.replace(hour=5)) == CALLS_BY_HOUR[5]
    half = hourly_factor(CALLS_BY_HOUR, day.replace(hour=23, minute=30))
    assert half == pytest.approx((CALLS_BY_HOUR[23] + CALLS_BY_HOUR[0]) / 2)


def test_more_incidents_at_20h_than_at_5h_over_many_days() -> None:
    sim = CitySimulator(build_city(), seed=11)
    start = datetime(2025, 1, 6, 5, 0, tzinfo=UTC)  # midnight EST in the default city
    by_hour: Counter[int] = Counter()
    now = start
    for _ in range(5 * 24 * 60):
        now += timedelta(seconds=60)
        for event in sim.desk.step(now, 60.0, sim.fleet.step(60.0)):
            payload = event["payload"]
            assert isinstance(payload, dict)
            if payload["status"] == "created":
                by_hour[(now - timedelta(hours=5)).hour] += 1
    assert by_hour[20] > 2.5 * by_hour[5]
    assert by_hour[4] + by_hour[5] < by_hour[19] + by_hour[20]
    assert sum(by_hour.values()) == pytest.approx(5 * 24 * 60 * 2, rel=0.1)  # 2 a minute


def test_intensity_scales_the_rates() -> None:
    city = build_city()
    calm, busy = CitySimulator(city, 7, intensity=0.0), CitySimulator(city, 7, intensity=3.0)
    now = datetime(2025, 6, 1, 23, 0, tzinfo=UTC)
    calm_events = [e for t in range(600) for e in calm.step(now + timedelta(seconds=t), 1.0)]
    busy_events = [e for t in range(600) for e in busy.step(now + timedelta(seconds=t), 1.0)]
    kinds = {"cad_incident", "gunshot", "lpr_read"}
    assert not [e for e in calm_events if e["kind"] in kinds]
    assert len([e for e in busy_events if e["kind"] == "lpr_read"]) > 3000


def test_naive_times_are_refused() -> None:
    sim = CitySimulator(build_city(), 7)
    with pytest.raises(ValueError, match="tz-aware"):
        sim.step(datetime(2025, 1, 1), 1.0)
