"""A plate read that matched a hotlist on the reader → an alert with units nearby."""

import uuid

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, EventKind, Hops
from rtcc.core.payloads import LprRead
from rtcc.pipeline.rules.nearby import nearby_units
from rtcc.storage.base import EventStore


class LprHotlistRule:
    name = "lpr_hotlist"

    def __init__(self, radius_m: float = 2000.0) -> None:
        self.radius_m = radius_m

    def applies_to(self, event: Event) -> bool:
        return (
            event.kind is EventKind.LPR_READ
            and isinstance(event.payload, LprRead)
            and event.payload.hotlist is not None
        )

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        assert isinstance(event.payload, LprRead)
        read = event.payload
        loc = event.location
        units = nearby_units(store, loc.lat, loc.lon, self.radius_m) if loc else []
        now = utcnow()
        state = f" ({read.plate_state})" if read.plate_state else ""
        return Alert(
            id=uuid.uuid4().hex,
            rule=self.name,
            created_at=now,
            severity="warning",
            title=f"Hotlist hit: {read.plate}{state} on {read.hotlist}, reader {read.reader_id}",
            event_id=event.id,
            location=loc,
            detail={
                "plate": read.plate,
                "plate_state": read.plate_state,
                "hotlist": read.hotlist,
                "reader_id": read.reader_id,
                "direction_deg": read.direction_deg,
                "units": units,
            },
            hops=Hops(
                received_at=event.hops.received_at,
                persisted_at=event.hops.persisted_at,
                alerted_at=now,
            ),
        )
