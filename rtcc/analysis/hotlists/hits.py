"""Turn matches into stored pending hits and the alerts that announce them.

A pending hit's alert is addressed to those who may confirm (`detail.audience`); only a
confirmation produces the alert officers receive, naming who confirmed it and when.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from rtcc.analysis.hotlists.delivery import AUDIENCE_KEY
from rtcc.analysis.hotlists.matching import MatchResult
from rtcc.analysis.hotlists.models import Hit, HitOrigin, HotlistEntry
from rtcc.core.alerts import Alert, derived_id
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, Hops
from rtcc.core.geo import Location
from rtcc.core.payloads import LprRead
from rtcc.governance.roles import Permission
from rtcc.storage.base import HotlistStore

CONFIRMED_RULE = "hotlist_hit_confirmed"


def new_hit(
    event: Event,
    read: LprRead,
    list_name: str,
    entry: dict[str, Any],
    origin: HitOrigin,
    positions: tuple[int, ...] = (),
) -> Hit:
    loc = event.location
    return Hit(
        id=derived_id("hit", event.id, list_name, str(entry.get("id", entry.get("plate", "")))),
        event_id=event.id,
        list_name=list_name,
        entry=entry,
        plate_read=read.plate,
        state_read=read.plate_state,
        lookalike=bool(positions),
        positions=positions,
        image_ref=read.image_ref,
        reader_id=read.reader_id,
        lat=loc.lat if loc else None,
        lon=loc.lon if loc else None,
        read_at=event.occurred_at,
        created_at=utcnow(),
        origin=origin,
    )


def record_matches(
    store: HotlistStore, event: Event, read: LprRead, result: MatchResult
) -> list[Hit]:
    """Store a pending hit per match and count every suppressed one with its reason."""
    now = utcnow()
    for suppressed in result.suppressed:
        store.count_suppressed(
            suppressed.entry.list_name, suppressed.reason, suppressed.message, now
        )
    hits = [
        new_hit(event, read, m.entry.list_name, _entry_copy(m.entry), "server", m.positions)
        for m in result.matches
    ]
    if hits:
        store.add_hits(hits)
    return hits


def _entry_copy(entry: HotlistEntry) -> dict[str, Any]:
    return entry.to_wire()


def pending_alert(
    rule: str, event: Event, hits: Sequence[Hit], units: list[dict[str, Any]]
) -> Alert:
    """The alert for confirmers only: the hits (read and entry side by side) and units near."""
    first = hits[0]
    state = f" ({first.state_read})" if first.state_read else ""
    lists = ", ".join(sorted({hit.list_name for hit in hits}))
    now = utcnow()
    return Alert(
        id=derived_id(rule, event.id),
        rule=rule,
        created_at=now,
        severity="warning",
        title=f"Hotlist hit to confirm: {first.plate_read}{state} on {lists}",
        event_id=event.id,
        location=event.location,
        detail={
            AUDIENCE_KEY: Permission.LPR_HITS_CONFIRM.value,
            "hits": [hit.to_wire() for hit in hits],
            "units": units,
        },
        hops=Hops(
            received_at=event.hops.received_at,
            persisted_at=event.hops.persisted_at,
            alerted_at=now,
        ),
    )


def confirmed_alert(hit: Hit) -> Alert:
    """What officers receive once an analyst has confirmed the hit."""
    entry = hit.entry
    state = f" ({hit.state_read})" if hit.state_read else ""
    reason = entry.get("reason") or entry.get("list_type") or hit.list_name
    return Alert(
        id=uuid.uuid4().hex,
        rule=CONFIRMED_RULE,
        created_at=utcnow(),
        severity="critical",
        title=f"Confirmed hotlist hit: {hit.plate_read}{state}, {reason}",
        event_id=hit.event_id,
        location=Location(lat=hit.lat, lon=hit.lon)
        if hit.lat is not None and hit.lon is not None
        else None,
        detail={"hit": hit.to_wire(), "confirmed_by": hit.decided_by},
    )
