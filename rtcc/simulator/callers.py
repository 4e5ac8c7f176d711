"""Live 911 caller locations: a phone near the scene, moving, for part of the call.

Accuracy follows the location method (GPS a few metres, Wi-Fi tens, cell up to
80 m) and updates arrive every few seconds while the call lasts and the incident
is still open, as device-based hybrid location does.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from rtcc.simulator.cad import Incident
from rtcc.simulator.city import City
from rtcc.simulator.rates import CALLER_UPDATE_S
from rtcc.simulator.wire import EventFactory, WireEvent

METHODS = {"gps": ((5.0, 15.0), 90), "wifi": ((15.0, 40.0), 80), "cell": ((40.0, 80.0), 68)}
CALL_LENGTH_S = (90.0, 420.0)


@dataclass(slots=True)
class Caller:
    call_id: str
    incident_id: str
    method: str
    north_m: float
    east_m: float
    heading_rad: float
    speed_mps: float
    last_at: datetime
    next_at: datetime
    ends_at: datetime


class CallerTracker:
    def __init__(self, city: City, factory: EventFactory, rng: random.Random):
        self.city, self.factory, self._rng = city, factory, rng
        self.callers: dict[str, Caller] = {}

    def start(self, now: datetime, incident: Incident) -> list[WireEvent]:
        """Begin streaming the caller's location for a new call, if it came from a phone."""
        if not incident.has_caller:
            return []
        rng = self._rng
        bearing, off = rng.uniform(0, 2 * math.pi), rng.uniform(10, 60)
        caller = Caller(
            call_id=f"{incident.incident_id}-911",
            incident_id=incident.incident_id,
            method=rng.choices(list(METHODS), weights=(55, 20, 25))[0],
            north_m=incident.point.north_m + off * math.cos(bearing),
            east_m=incident.point.east_m + off * math.sin(bearing),
            heading_rad=rng.uniform(0, 2 * math.pi),
            speed_mps=rng.choice((0.0, rng.uniform(0.5, 1.8))),
            last_at=now,
            next_at=now,
            ends_at=now + timedelta(seconds=rng.uniform(*CALL_LENGTH_S)),
        )
        self.callers[caller.call_id] = caller
        return [self._report(now, caller)]

    def step(self, now: datetime, open_incidents: set[str]) -> list[WireEvent]:
        events = []
        for call_id, caller in list(self.callers.items()):
            if caller.incident_id not in open_incidents or caller.ends_at <= now:
                del self.callers[call_id]
            elif caller.next_at <= now:
                events.append(self._report(now, caller))
        return events

    def _report(self, now: datetime, caller: Caller) -> WireEvent:
        moved = caller.speed_mps * (now - caller.last_at).total_seconds()
        caller.heading_rad += self._rng.uniform(-0.5, 0.5)
        caller.north_m += moved * math.cos(caller.heading_rad)
        caller.east_m += moved * math.sin(caller.heading_rad)
        caller.last_at = now
        caller.next_at = now + timedelta(seconds=self._rng.uniform(*CALLER_UPDATE_S))
        (low, high), confidence = METHODS[caller.method]
        return self.factory.caller_location(
            now,
            *self.city.latlon(caller.north_m, caller.east_m),
            call_id=caller.call_id,
            method=caller.method,
            accuracy_m=self._rng.uniform(low, high),
            confidence_pct=confidence,
        )
