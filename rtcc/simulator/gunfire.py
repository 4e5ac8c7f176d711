"""Acoustic gunshot detections, and the 911 calls that usually follow them.

A confident detection is followed 20-90 s later by a "SHOTS" CAD call at the
street point nearest the shooting (callers report an address, not the sensor's
fix), which is what correlation rules in a real centre see.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from rtcc.simulator.cad import IncidentDesk
from rtcc.simulator.city import City
from rtcc.simulator.rates import (
    GUNSHOTS_BY_HOUR,
    GUNSHOTS_PER_MIN,
    SHOTS_CALL_SHARE,
    hourly_factor,
    poisson,
)
from rtcc.simulator.wire import EventFactory, WireEvent

_ROUND_WEIGHTS = (25, 15, 15, 12, 10, 10, 7, 6)  # 1..8 rounds
CALL_DELAY_S = (20.0, 90.0)


@dataclass(frozen=True, slots=True)
class Shot:
    """One detection: its wire event and where it was, in local metres."""

    event: WireEvent
    north_m: float
    east_m: float


def detection(
    factory: EventFactory,
    rng: random.Random,
    at: datetime,
    lat: float,
    lon: float,
    prefix: str = "gs",
) -> tuple[WireEvent, bool]:
    """One gunshot event; the flag says whether it is confident enough to prompt a call."""
    rounds = rng.choices(range(1, 9), weights=_ROUND_WEIGHTS)[0]
    if rng.random() < 0.12:
        classification, confidence = "possible_gunshot", rng.uniform(0.35, 0.6)
    else:
        classification = "single_gunshot" if rounds == 1 else "multiple_gunshots"
        confidence = rng.uniform(0.75, 0.99)
    event = factory.gunshot(
        at,
        lat,
        lon,
        rounds=rounds,
        classification=classification,
        confidence=confidence,
        accuracy_m=rng.uniform(8.0, 25.0),
        prefix=prefix,
    )
    return event, classification != "possible_gunshot"


class GunshotSensor:
    def __init__(
        self,
        city: City,
        desk: IncidentDesk,
        factory: EventFactory,
        rng: random.Random,
        tz: tzinfo,
        intensity: float,
    ):
        self.city, self.desk, self.factory, self._rng, self.tz = city, desk, factory, rng, tz
        self.intensity = intensity

    def rate_per_s(self, now: datetime) -> float:
        factor = hourly_factor(GUNSHOTS_BY_HOUR, now.astimezone(self.tz))
        return GUNSHOTS_PER_MIN / 60 * factor * self.intensity

    def step(self, now: datetime, dt_s: float) -> list[Shot]:
        shots = []
        for _ in range(poisson(self._rng, self.rate_per_s(now) * dt_s)):
            spot = self.city.random_point_on_street(self._rng)
            bearing, off = self._rng.uniform(0, 2 * math.pi), self._rng.uniform(0, 25)
            north, east = (
                spot.north_m + off * math.cos(bearing),
                spot.east_m + off * math.sin(bearing),
            )
            event, confident = detection(
                self.factory, self._rng, now, *self.city.latlon(north, east)
            )
            shots.append(Shot(event, north, east))
            if confident and self._rng.random() < SHOTS_CALL_SHARE:
                payload = event["payload"]
                rounds = payload["rounds"] if isinstance(payload, dict) else "?"
                plural = "" if rounds == 1 else "s"
                text = f"Shots fired - acoustic alert {event['id']}, {rounds} round{plural}"
                at = now + timedelta(seconds=self._rng.uniform(*CALL_DELAY_S))
                self.desk.schedule(at, "SHOTS", spot, text)
        return shots
