"""Helpers for simulator tests: run a seeded city and pick events apart."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rtcc.simulator import City, CitySimulator, build_city

START = datetime(2025, 6, 1, 14, 0, tzinfo=UTC)  # 10:00 local (EDT) in the default city


@dataclass
class Stream:
    city: City
    sim: CitySimulator
    events: list[dict[str, object]]


def simulate(seed: int, seconds: int, dt_s: float = 1.0, start: datetime = START) -> Stream:
    city = build_city(seed)
    sim = CitySimulator(city, seed)
    events = sim.initial_events(start)
    now = start
    for _ in range(int(seconds / dt_s)):
        now += timedelta(seconds=dt_s)
        events += sim.step(now, dt_s)
    return Stream(city, sim, events)


def payload(event: dict[str, object]) -> dict[str, object]:
    value = event["payload"]
    assert isinstance(value, dict)
    return value


def of_kind(events: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [e for e in events if e["kind"] == kind]
