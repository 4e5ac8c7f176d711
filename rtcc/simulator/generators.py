"""The city's steady feeds: unit AVL, camera status and licence plate reads.

Each class owns one feed's timing and randomness and returns wire dicts; none of
them does I/O.  Times passed in are the end of the simulated step.
"""

import math
import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from rtcc.core.geo import compass
from rtcc.simulator.city import City
from rtcc.simulator.features import Camera
from rtcc.simulator.movement import Fleet
from rtcc.simulator.rates import (
    AVL_INTERVAL_S,
    CAMERA_HEARTBEAT_S,
    CAMERA_OUTAGE_CHANCE,
    CAMERA_OUTAGE_S,
    HOTLIST_READS_PER_MIN,
    LPR_READS_PER_S,
    TRAFFIC_BY_HOUR,
    hourly_factor,
    poisson,
)
from rtcc.simulator.wire import EventFactory, WireEvent

_STATES = ("OH",) * 17 + ("PA", "MI", "IN", "KY", "WV")
_COLOURS = ("black", "white", "silver", "grey", "blue", "red", "green", "tan")
_MODELS = (
    "Honda Civic", "Toyota Camry", "Ford F-150", "Chevrolet Malibu", "Nissan Altima",
    "Jeep Cherokee", "Honda CR-V", "Toyota RAV4", "Ford Explorer", "Hyundai Elantra",
    "Dodge Charger", "Kia Soul", "Chevrolet Silverado", "Subaru Outback",
)  # fmt: skip
_HOTLIST_REASONS = (
    "NCIC stolen vehicle",
    "NCIC stolen plate",
    "AMBER alert",
    "Felony warrant",
    "Missing endangered person",
)


@dataclass(frozen=True, slots=True)
class Vehicle:
    plate: str
    state: str
    description: str
    hotlist: str | None = None


def _vehicle(rng: random.Random, hotlist: str | None = None) -> Vehicle:
    plate = "".join(rng.choices(string.ascii_uppercase, k=3) + rng.choices(string.digits, k=4))
    described = f"{rng.choice(_COLOURS)} {rng.choice(_MODELS)}"
    return Vehicle(plate, "OH" if hotlist else rng.choice(_STATES), described, hotlist)


class AvlReporter:
    """Each unit reports every few seconds, and at once when its status changes."""

    def __init__(self, city: City, fleet: Fleet, factory: EventFactory, rng: random.Random):
        self.city, self.fleet, self.factory, self._rng = city, fleet, factory, rng
        self._due: dict[str, datetime] = {}

    def step(self, now: datetime) -> list[WireEvent]:
        events = []
        for unit_id, unit in self.fleet.units.items():
            if unit_id in self.fleet.changed or self._due.get(unit_id, now) <= now:
                north, east = self.fleet.position(unit)
                lat, lon = self.city.latlon(north, east)
                events.append(
                    self.factory.unit_position(
                        now, unit_id, lat, lon, unit.status, unit.speed_mps, unit.heading_deg
                    )
                )
                self._due[unit_id] = now + timedelta(seconds=self._rng.uniform(*AVL_INTERVAL_S))
        self.fleet.changed.clear()
        return events


class CameraNetwork:
    """Registration, a heartbeat a minute, occasional outages, PTZ tours and slews."""

    def __init__(self, city: City, factory: EventFactory, rng: random.Random):
        self.factory, self._rng = factory, rng
        self.status = {c.camera_id: "online" for c in city.cameras}
        self.heading = {c.camera_id: c.heading_deg for c in city.cameras}
        self._cameras = city.cameras
        self._local = {c.camera_id: city.local_m(c.lat, c.lon) for c in city.cameras}
        self._beat: dict[str, datetime] = {}
        self._back: dict[str, datetime] = {}

    def _event(self, now: datetime, camera: Camera) -> WireEvent:
        cid = camera.camera_id
        return self.factory.camera_status(now, camera, self.status[cid], self.heading[cid])

    def registrations(self, now: datetime) -> list[WireEvent]:
        for camera in self._cameras:
            phase = self._rng.uniform(0, CAMERA_HEARTBEAT_S)
            self._beat[camera.camera_id] = now + timedelta(seconds=phase)
        return [self._event(now, c) for c in self._cameras]

    def step(self, now: datetime) -> list[WireEvent]:
        if not self._beat:
            self.registrations(now)
        events = []
        for camera in self._cameras:
            cid = camera.camera_id
            if cid in self._back and self._back[cid] <= now:
                del self._back[cid]
                self.status[cid] = "online"
            elif self._beat[cid] > now:
                continue
            elif cid not in self._back and self._rng.random() < CAMERA_OUTAGE_CHANCE:
                self.status[cid] = "offline" if self._rng.random() < 0.7 else "degraded"
                outage = self._rng.uniform(*CAMERA_OUTAGE_S)
                self._back[cid] = now + timedelta(seconds=outage)
            elif camera.camera_type == "ptz" and self._rng.random() < 0.25:
                self.heading[cid] = (self.heading[cid] + self._rng.choice((90, 180, 270))) % 360
            jitter = self._rng.uniform(-5, 5)
            self._beat[cid] = now + timedelta(seconds=CAMERA_HEARTBEAT_S + jitter)
            events.append(self._event(now, camera))
        return events

    def slew_nearest_ptz(self, now: datetime, north_m: float, east_m: float) -> list[WireEvent]:
        """An operator (or a rule) points the nearest online PTZ within range at a spot."""
        best: tuple[float, Camera, float] | None = None
        for camera in self._cameras:
            cn, ce = self._local[camera.camera_id]
            dist = math.hypot(north_m - cn, east_m - ce)
            usable = camera.camera_type == "ptz" and self.status[camera.camera_id] == "online"
            if usable and dist <= camera.range_m and (best is None or dist < best[0]):
                heading = compass(math.degrees(math.atan2(east_m - ce, north_m - cn)))
                best = (dist, camera, round(heading, 1) % 360)
        if best is None:
            return []
        self.heading[best[1].camera_id] = best[2]
        return [self._event(now, best[1])]


class LprTraffic:
    """Plate reads from a seeded pool of local vehicles; hotlist vehicles now and then."""

    def __init__(
        self, city: City, factory: EventFactory, rng: random.Random, tz: tzinfo, intensity: float
    ):
        self.city, self.factory, self._rng, self.tz = city, factory, rng, tz
        self.intensity = intensity
        self.pool = [_vehicle(rng) for _ in range(2000)]
        self._cum = list(_cumulative([1 / (k + 1) ** 0.7 for k in range(len(self.pool))]))
        self.hotlist: list[Vehicle] = []
        known = {v.plate for v in self.pool}
        while len(self.hotlist) < len(_HOTLIST_REASONS):  # a hotlist plate is never a local's
            vehicle = _vehicle(rng, _HOTLIST_REASONS[len(self.hotlist)])
            if vehicle.plate not in known:
                self.hotlist.append(vehicle)

    def step(self, now: datetime, dt_s: float) -> list[WireEvent]:
        traffic = hourly_factor(TRAFFIC_BY_HOUR, now.astimezone(self.tz))
        reads = [
            (self._rng.uniform(0, dt_s), self._rng.choices(self.pool, cum_weights=self._cum)[0])
            for _ in range(poisson(self._rng, LPR_READS_PER_S * traffic * self.intensity * dt_s))
        ]
        hits = poisson(self._rng, HOTLIST_READS_PER_MIN / 60 * self.intensity * dt_s)
        reads += [(self._rng.uniform(0, dt_s), self._rng.choice(self.hotlist)) for _ in range(hits)]
        events = []
        for ago, vehicle in sorted(reads, key=lambda r: -r[0]):
            reader = self._rng.choice(self.city.lpr_readers)
            events.append(
                self.factory.lpr_read(
                    now - timedelta(seconds=ago),
                    reader.lat,
                    reader.lon,
                    reader_id=reader.reader_id,
                    plate=vehicle.plate,
                    plate_state=vehicle.state,
                    confidence=self._rng.uniform(0.82, 0.99),
                    direction_deg=reader.heading_deg,
                    vehicle=vehicle.description,
                    hotlist=vehicle.hotlist,
                )
            )
        return events


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out
