"""The simulation loop: a pure `CitySimulator` and a real-time driver that posts its events.

`CitySimulator.step` advances every feed by `dt_s` and returns the events that
happened, with no I/O and no clock of its own, so tests can run days of city in
seconds and the same seed and times give the same stream.  `run_simulation` is
the only part that touches the network, and only through the public ingest API.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import httpx

from rtcc.core.clock import utcnow
from rtcc.simulator.cad import IncidentDesk
from rtcc.simulator.callers import CallerTracker
from rtcc.simulator.city import City, build_city
from rtcc.simulator.generators import AvlReporter, CameraNetwork, LprTraffic, Vehicle
from rtcc.simulator.gunfire import GunshotSensor, detection
from rtcc.simulator.ingest import BatchSender, SimStats
from rtcc.simulator.movement import Fleet
from rtcc.simulator.rates import city_tz
from rtcc.simulator.wire import EventFactory, WireEvent

log = logging.getLogger("rtcc.simulator")

MAX_CATCH_UP_S = 300.0  # after an outage, replay at most this much missed time
MAX_BACKLOG = 200_000  # unsent events kept while the server is down
FINAL_FLUSH_S = 10.0  # how long to keep retrying the last batch at the end of a run


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("simulation times must be tz-aware (UTC)")
    return now


class CitySimulator:
    def __init__(
        self, city: City, seed: int, intensity: float = 1.0, *, run_tag: str | None = None
    ) -> None:
        if intensity < 0:
            raise ValueError(f"intensity must be >= 0, got {intensity}")
        self.city, self.seed, self.intensity = city, seed, intensity
        tz = city_tz(city.timezone, city.origin[1])

        def rng(name: str) -> random.Random:
            return random.Random(f"{seed}:{name}")

        self.factory = EventFactory(run_tag or f"s{seed}")
        self.fleet = Fleet(city, rng("fleet"))
        self.desk = IncidentDesk(city, self.fleet, self.factory, rng("cad"), tz, intensity)
        self.gunshots = GunshotSensor(city, self.desk, self.factory, rng("gunshots"), tz, intensity)
        self.callers = CallerTracker(city, self.factory, rng("callers"))
        self.cameras = CameraNetwork(city, self.factory, rng("cameras"))
        self.lpr = LprTraffic(city, self.factory, rng("lpr"), tz, intensity)
        self.avl = AvlReporter(city, self.fleet, self.factory, rng("avl"))
        self._manual_rng = rng("manual")

    @property
    def hotlist(self) -> list[Vehicle]:
        """The plates readers flag on-device (each with its `hotlist` reason)."""
        return list(self.lpr.hotlist)

    def initial_events(self, now: datetime) -> list[WireEvent]:
        """Camera registrations and every unit's first position."""
        _aware(now)
        return self.cameras.registrations(now) + self.avl.step(now)

    def step(self, now: datetime, dt_s: float) -> list[WireEvent]:
        """Advance the city to `now` (covering the `dt_s` seconds before it)."""
        _aware(now)
        if dt_s < 0:
            raise ValueError(f"dt_s must be >= 0, got {dt_s}")
        changes = self.fleet.step(dt_s)
        events: list[WireEvent] = []
        for shot in self.gunshots.step(now, dt_s):
            events.append(shot.event)
            events += self.cameras.slew_nearest_ptz(now, shot.north_m, shot.east_m)
        events += self.desk.step(now, dt_s, changes)
        for incident in self.desk.new:
            events += self.callers.start(now, incident)
        self.desk.new.clear()
        events += self.callers.step(now, set(self.desk.active))
        events += self.lpr.step(now, dt_s)
        events += self.cameras.step(now)
        events += self.avl.step(now)
        return events

    def gunshot_at(self, now: datetime, lat: float, lon: float) -> WireEvent:
        """One gunshot detection at a given spot, outside the seeded stream."""
        _aware(now)
        return detection(self.factory, self._manual_rng, now, lat, lon, prefix="gsx")[0]


async def run_simulation(
    base_url: str,
    api_key: str,
    *,
    seed: int = 7,
    intensity: float = 1.0,
    duration_s: float | None = None,
    tick_s: float = 1.0,
    transport: httpx.AsyncBaseTransport | None = None,
    city: City | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> SimStats:
    """Run the city in real time (one step per tick), posting each tick's events.

    Event ids carry a per-run tag (seed + start time), so a second demo run against
    the same store is not mistaken for re-sends of the first.  Raises
    `IngestAuthError` if the API key is refused.
    """
    if tick_s <= 0:
        raise ValueError(f"tick_s must be > 0, got {tick_s}")
    start = _aware(clock())
    run_tag = f"s{seed}-{int(start.timestamp() * 1000):x}"  # start time in ms, hex
    sim = CitySimulator(city or build_city(seed), seed, intensity, run_tag=run_tag)
    end = start + timedelta(seconds=duration_s) if duration_s is not None else None
    tick = timedelta(seconds=tick_s)
    stats = SimStats()
    outbox = sim.initial_events(start)
    stats.generated += len(outbox)
    last = start
    async with httpx.AsyncClient(transport=transport, timeout=10.0) as client:
        sender = BatchSender(client, base_url, api_key, stats, clock, sleep)
        while True:
            del outbox[: await sender.send(outbox, give_up_at=end)]
            now = clock()
            if end is not None and now >= end:
                break
            wait = (last + tick - now).total_seconds()
            if wait > 0:
                await sleep(wait)
                now = clock()
            if (now - last).total_seconds() > MAX_CATCH_UP_S:
                log.warning("skipping %.0f s of simulated time", (now - last).total_seconds())
                last = now - timedelta(seconds=MAX_CATCH_UP_S)
            while last + tick <= now and (end is None or last < end):
                last += tick
                new = sim.step(last, tick_s)
                stats.ticks += 1
                stats.generated += len(new)
                outbox += new
            if len(outbox) > MAX_BACKLOG:
                stats.dropped += len(outbox) - MAX_BACKLOG
                del outbox[: len(outbox) - MAX_BACKLOG]
        final = clock() + timedelta(seconds=FINAL_FLUSH_S)
        del outbox[: await sender.send(outbox, give_up_at=final)]
    stats.dropped += len(outbox)
    return stats
