"""The CAD desk: calls for service arrive at hourly rates and run their lifecycle.

Each incident emits one event per step, all with the same incident_id:
created -> dispatched -> enroute -> on_scene -> closed.  Calls that need no unit
(an alarm cancelled by the keyholder, a theft reported by phone) go straight from
created to closed.  Calls wait in a priority queue while no unit is available.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from rtcc.simulator.city import City
from rtcc.simulator.features import StreetPoint
from rtcc.simulator.movement import Fleet, StatusChange
from rtcc.simulator.rates import CALLS_BY_HOUR, CALLS_PER_MIN, hourly_factor, poisson
from rtcc.simulator.wire import EventFactory, WireEvent

CALL_PROCESSING_S = (10.0, 40.0)  # call taker -> dispatcher
ACKNOWLEDGE_S = (3.0, 10.0)  # dispatched -> unit reports enroute
PHONE_HANDLING_S = (30.0, 120.0)  # calls closed without a unit
MAX_QUEUE_S = 1800.0  # a call nobody could take is closed after this long


@dataclass(frozen=True, slots=True)
class CallType:
    code: str
    description: str
    priority: int
    weight: float  # share of all calls
    units: int  # units sent
    caller_share: float  # share placed from a phone that streams its location
    unit_share: float  # share that get a unit at all
    scene_s: tuple[float, float]


CALL_TYPES = (
    CallType("SHOTS", "Shots fired", 1, 3, 2, 0.8, 1.0, (90, 180)),
    CallType("ASSAULT", "Assault in progress", 1, 5, 2, 0.7, 1.0, (60, 150)),
    CallType("BURG", "Burglary in progress", 2, 4, 1, 0.5, 1.0, (60, 120)),
    CallType("DOMESTIC", "Domestic disturbance", 2, 7, 1, 0.6, 1.0, (60, 150)),
    CallType("DISTURB", "Disturbance", 3, 16, 1, 0.4, 0.8, (45, 120)),
    CallType("SUSP", "Suspicious person", 3, 12, 1, 0.4, 0.8, (45, 90)),
    CallType("TRAFFIC", "Traffic accident", 3, 14, 1, 0.5, 0.8, (60, 150)),
    CallType("WELFARE", "Welfare check", 4, 10, 1, 0.3, 0.9, (45, 120)),
    CallType("THEFT", "Theft report", 4, 15, 1, 0.1, 0.4, (45, 90)),
    CallType("ALARM", "Burglar alarm", 4, 14, 1, 0.0, 0.5, (30, 60)),
)
CALL_TYPE_BY_CODE = {c.code: c for c in CALL_TYPES}


@dataclass(slots=True)
class Incident:
    incident_id: str
    call_type: CallType
    point: StreetPoint
    description: str
    created_at: datetime
    ready_at: datetime  # dispatchable (or, without a unit, closed) from this time
    needs_unit: bool
    has_caller: bool
    status: str = "created"
    units: list[str] = field(default_factory=list)
    cleared: set[str] = field(default_factory=set)
    enroute_at: datetime | None = None


class IncidentDesk:
    def __init__(
        self,
        city: City,
        fleet: Fleet,
        factory: EventFactory,
        rng: random.Random,
        tz: tzinfo,
        intensity: float,
    ) -> None:
        self.city, self.fleet, self.factory, self.tz = city, fleet, factory, tz
        self.intensity = intensity
        self._rng = rng
        self._count = 0
        self._scheduled: list[tuple[datetime, str, StreetPoint, str]] = []
        self.active: dict[str, Incident] = {}
        self.new: list[Incident] = []  # created since the runner last looked

    def rate_per_s(self, now: datetime) -> float:
        factor = hourly_factor(CALLS_BY_HOUR, now.astimezone(self.tz))
        return CALLS_PER_MIN / 60 * factor * self.intensity

    def schedule(self, at: datetime, code: str, point: StreetPoint, description: str) -> None:
        """A call that will come in at `at` (e.g. 911 calls after a gunshot detection)."""
        self._scheduled.append((at, code, point, description))

    def step(self, now: datetime, dt_s: float, changes: list[StatusChange]) -> list[WireEvent]:
        events: list[WireEvent] = []
        for _ in range(poisson(self._rng, self.rate_per_s(now) * dt_s)):
            call = self._rng.choices(CALL_TYPES, weights=[c.weight for c in CALL_TYPES])[0]
            point = self.city.random_point_on_street(self._rng)
            events.append(self._open(now, call, point, call.description))
        due = [s for s in self._scheduled if s[0] <= now]
        self._scheduled = [s for s in self._scheduled if s[0] > now]
        for _, code, point, description in due:
            events.append(self._open(now, CALL_TYPE_BY_CODE[code], point, description))
        for change in changes:
            events.extend(self._on_unit_change(now, change))
        for incident in list(self.active.values()):
            events.extend(self._on_timers(now, incident))
        events.extend(self._dispatch_queue(now))
        return events

    def _open(self, now: datetime, call: CallType, point: StreetPoint, text: str) -> WireEvent:
        self._count += 1
        incident = Incident(
            incident_id=f"{self.factory.run_tag}-{self._count:06d}",
            call_type=call,
            point=point,
            description=text,
            created_at=now,
            ready_at=now + timedelta(seconds=self._rng.uniform(*CALL_PROCESSING_S)),
            needs_unit=self._rng.random() < call.unit_share,
            has_caller=self._rng.random() < call.caller_share,
        )
        if not incident.needs_unit:
            incident.ready_at += timedelta(seconds=self._rng.uniform(*PHONE_HANDLING_S))
        self.active[incident.incident_id] = incident
        self.new.append(incident)
        return self._event(now, incident)

    def _on_unit_change(self, now: datetime, change: StatusChange) -> list[WireEvent]:
        incident = self.active.get(change.incident_id or "")
        if incident is None:
            return []
        events = []
        if change.status == "on_scene" and incident.status in ("dispatched", "enroute"):
            if incident.status == "dispatched":
                events.append(self._set(now, incident, "enroute"))
            events.append(self._set(now, incident, "on_scene"))
        elif change.status == "busy":
            incident.cleared.add(change.unit_id)
            if incident.cleared >= set(incident.units):
                events.append(self._close(now, incident))
        return events

    def _on_timers(self, now: datetime, incident: Incident) -> list[WireEvent]:
        if incident.status == "dispatched" and incident.enroute_at and incident.enroute_at <= now:
            return [self._set(now, incident, "enroute")]
        if incident.status != "created" or incident.ready_at > now:
            return []
        waited = (now - incident.created_at).total_seconds()
        if not incident.needs_unit or waited > MAX_QUEUE_S:
            return [self._close(now, incident)]
        return []

    def _dispatch_queue(self, now: datetime) -> list[WireEvent]:
        queue = [
            i
            for i in self.active.values()
            if i.status == "created" and i.needs_unit and i.ready_at <= now
        ]
        events = []
        for incident in sorted(queue, key=lambda i: (i.call_type.priority, i.created_at)):
            scene_s = self._rng.uniform(*incident.call_type.scene_s)
            units = self.fleet.dispatch(
                incident.incident_id, incident.point, incident.call_type.units, scene_s
            )
            if not units:
                break
            incident.units = units
            incident.enroute_at = now + timedelta(seconds=self._rng.uniform(*ACKNOWLEDGE_S))
            events.append(self._set(now, incident, "dispatched"))
        return events

    def _set(self, now: datetime, incident: Incident, status: str) -> WireEvent:
        incident.status = status
        return self._event(now, incident)

    def _close(self, now: datetime, incident: Incident) -> WireEvent:
        del self.active[incident.incident_id]
        return self._set(now, incident, "closed")

    def _event(self, now: datetime, incident: Incident) -> WireEvent:
        point = incident.point
        return self.factory.cad_incident(
            now,
            point.lat,
            point.lon,
            incident_id=incident.incident_id,
            status=incident.status,
            call_type=incident.call_type.code,
            description=incident.description,
            priority=incident.call_type.priority,
            address=self.city.address(point),
            district=self.city.district_of(point.north_m, point.east_m),
            units=incident.units,
        )
