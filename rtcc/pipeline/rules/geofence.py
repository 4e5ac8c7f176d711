"""A 911 caller enters a geofence → an alert for the people watching that area.

Each call alerts once per geofence it enters: again only after it has left and come back.
Which fences a call is in is kept here, bounded: calls not updated for `forget_after`
are forgotten, and at most `max_calls` are remembered.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from rtcc.analysis.geofence import GeofenceHit, GeofenceIndex
from rtcc.core.alerts import Alert, derived_id
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, EventKind, Hops
from rtcc.core.payloads import CallerLocation
from rtcc.storage.base import EventStore, GeofenceStore


@dataclass(slots=True)
class _CallState:
    occurred_at: datetime
    seen_at: datetime
    fences: frozenset[str]


class CallerInGeofenceRule:
    name = "caller_in_geofence"

    def __init__(
        self,
        geofences: GeofenceStore,
        forget_after: timedelta = timedelta(hours=2),
        max_calls: int = 10_000,
    ) -> None:
        self._store = geofences
        self._forget_after = forget_after
        self._max_calls = max_calls
        self._calls: OrderedDict[str, _CallState] = OrderedDict()  # least recently seen first
        self._index = GeofenceIndex([])
        self._revision: tuple[int, int] | None = None
        self._lock = threading.Lock()  # ingest batches run in worker threads

    def applies_to(self, event: Event) -> bool:
        return event.kind is EventKind.CALLER_LOCATION and event.location is not None

    def index(self) -> GeofenceIndex:
        """The index of the current geofences, rebuilt only when the set has changed."""
        revision = self._store.revision()
        if revision != self._revision:
            self._index = GeofenceIndex(self._store.list())
            self._revision = revision
        return self._index

    def tracked_calls(self) -> int:
        return len(self._calls)

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert event.location is not None and isinstance(event.payload, CallerLocation)
        loc, call_id = event.location, event.payload.call_id
        with self._lock:
            hits = self.index().locate(loc.lat, loc.lon, loc.accuracy_m)
            entered = self._update(call_id, event, hits)
        if not entered:
            return None
        return self._alert(event, entered)

    def _update(self, call_id: str, event: Event, hits: list[GeofenceHit]) -> list[GeofenceHit]:
        """Remember where the call is now; return the fences it was not in before."""
        seen_at = event.received_at
        self._forget(seen_at)
        known = self._calls.get(call_id)
        if known is not None and event.occurred_at < known.occurred_at:
            return []  # a late, older fix must not move the call back
        before = known.fences if known is not None else frozenset()
        now_in = frozenset(hit.geofence.id for hit in hits)
        self._calls[call_id] = _CallState(event.occurred_at, seen_at, now_in)
        self._calls.move_to_end(call_id)
        while len(self._calls) > self._max_calls:
            self._calls.popitem(last=False)
        return [hit for hit in hits if hit.geofence.id not in before]

    def _forget(self, now: datetime) -> None:
        cutoff = now - self._forget_after
        while self._calls:
            oldest = next(iter(self._calls.values()))
            if oldest.seen_at >= cutoff:
                break
            self._calls.popitem(last=False)

    def _alert(self, event: Event, entered: list[GeofenceHit]) -> Alert:
        assert event.location is not None and isinstance(event.payload, CallerLocation)
        now = utcnow()
        return Alert(
            id=derived_id(self.name, event.id, *sorted(h.geofence.id for h in entered)),
            rule=self.name,
            created_at=now,
            severity="warning",
            title=_title(entered),
            event_id=event.id,
            location=event.location,
            detail={
                "call_id": event.payload.call_id,
                "geofences": [
                    {
                        "id": hit.geofence.id,
                        "name": hit.geofence.name,
                        "owner": hit.geofence.owner,
                        "inside": hit.inside,
                    }
                    for hit in entered
                ],
                "accuracy_m": event.location.accuracy_m,
                "method": event.payload.method,
            },
            hops=Hops(
                received_at=event.hops.received_at,
                persisted_at=event.hops.persisted_at,
                alerted_at=now,
            ),
        )


def _title(entered: list[GeofenceHit]) -> str:
    """E.g. "911 caller inside geofence 'Lincoln High School' (owner ana)"."""
    parts = []
    for where, hits in (
        ("inside", [h for h in entered if h.inside]),
        ("possibly inside", [h for h in entered if not h.inside]),
    ):
        if hits:
            names = ", ".join(f"'{h.geofence.name}' (owner {h.geofence.owner})" for h in hits)
            fences = "geofence" if len(hits) == 1 else f"{len(hits)} geofences:"
            parts.append(f"{where} {fences} {names}")
    return "911 caller " + "; ".join(parts)
