"""Each plate read against the hotlists → pending hits and an alert for analysts only.

Matching is done here, on the server, with the current lists (look-alike and state aware,
`rtcc.analysis.hotlists.matching`); an officer sees a hit only after an analyst confirms it
(`rtcc.api.hotlist_routes`).
"""

from rtcc.analysis.hotlists.hits import pending_alert, record_matches
from rtcc.analysis.hotlists.matching import LiveIndex
from rtcc.core.alerts import Alert
from rtcc.core.events import Event, EventKind
from rtcc.core.payloads import LprRead
from rtcc.pipeline.rules.nearby import nearby_units
from rtcc.storage.base import EventStore, HotlistStore


class HotlistMatchRule:
    name = "hotlist_match"

    def __init__(self, store: HotlistStore, index: LiveIndex, radius_m: float = 2000.0) -> None:
        self._store = store
        self._index = index
        self.radius_m = radius_m

    def applies_to(self, event: Event) -> bool:
        return event.kind is EventKind.LPR_READ and isinstance(event.payload, LprRead)

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert isinstance(event.payload, LprRead)
        read = event.payload
        result = self._index.current().match(read.plate, read.plate_state, event.occurred_at)
        hits = record_matches(self._store, event, read, result)
        if not hits:
            return None
        loc = event.location
        units = nearby_units(store, loc.lat, loc.lon, self.radius_m) if loc else []
        return pending_alert(self.name, event, hits, units)
