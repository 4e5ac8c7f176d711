"""A read the reader itself matched on-device (`LprRead.hotlist`) → a pending hit too.

Readers carry copies of lists that can be older than ours. When the server's own matching
finds the plate, `hotlist_match` owns the hit and this rule stays quiet. When the named list
is one this server holds and the plate is not an active entry of it, the reader's copy is
out of date: the hit is suppressed and counted (`device_list_outdated`). A list this server
does not hold cannot be checked, so it becomes a pending hit for an analyst to judge.
"""

from rtcc.analysis.hotlists.hits import new_hit, pending_alert
from rtcc.analysis.hotlists.matching import LiveIndex
from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import Event, EventKind
from rtcc.core.payloads import LprRead
from rtcc.pipeline.rules.nearby import nearby_units
from rtcc.storage.base import EventStore, HotlistStore

DEVICE_LIST_OUTDATED = "device_list_outdated"


class LprHotlistRule:
    name = "lpr_hotlist"

    def __init__(self, store: HotlistStore, index: LiveIndex, radius_m: float = 2000.0) -> None:
        self._store = store
        self._index = index
        self.radius_m = radius_m

    def applies_to(self, event: Event) -> bool:
        return (
            event.kind is EventKind.LPR_READ
            and isinstance(event.payload, LprRead)
            and event.payload.hotlist is not None
        )

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert isinstance(event.payload, LprRead) and event.payload.hotlist is not None
        read = event.payload
        list_name = event.payload.hotlist
        index = self._index.current()
        result = index.match(read.plate, read.plate_state, event.occurred_at)
        if result.matches or result.suppressed:
            return None  # the server-side match (or its suppression) stands for this read
        ours = index.lists.get(list_name)
        if ours is not None:
            message = (
                f"reader {read.reader_id} matched {read.plate} on its copy of {ours.name}; "
                f"not an active entry of the list refreshed at {iso(ours.refreshed_at)}"
            )
            self._store.count_suppressed(ours.name, DEVICE_LIST_OUTDATED, message, utcnow())
            return None
        entry = {"list_name": list_name, "plate": read.plate, "state": read.plate_state}
        hit = new_hit(event, read, list_name, entry, "device")
        self._store.add_hits([hit])
        loc = event.location
        units = nearby_units(store, loc.lat, loc.lon, self.radius_m) if loc else []
        return pending_alert(self.name, event, [hit], units)
