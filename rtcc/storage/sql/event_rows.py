"""Event-store rows both backends share: batch dedup, and stored rows as wire dicts.

The engines store events differently (rtcc/storage/sqlite/events.py, rtcc/storage/
postgres/events.py) but select the same columns, so they read them back here alike.
"""

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from rtcc.core.events import Event
from rtcc.storage.base import EntityState

# events_near: windows up to this long are searched by (kind, time) and include vehicle
# positions; longer ones go through the spatial index, which leaves positions out.
SHORT_WINDOW = timedelta(hours=6)


def entity_from_row(r: tuple[Any, ...]) -> EntityState:
    """(entity_key, entity_type, lat, lon, event_json, first_occurred_at) as entities() has it."""
    return EntityState(r[0], r[1], r[2], r[3], json.loads(r[4]) | {"first_occurred_at": r[5]})


def first_per_dedup_key(events: Sequence[Event]) -> list[Event]:
    seen: set[str] = set()
    unique = []
    for e in events:
        if e.dedup_key not in seen:
            seen.add(e.dedup_key)
            unique.append(e)
    return unique


def newest_per_entity(events: Sequence[Event]) -> list[Event]:
    """One upsert per entity and batch (ties: the later one): a batch often holds many
    fixes of the same unit."""
    newest: dict[str, Event] = {}
    for e in events:
        key = e.entity_key
        if key is not None and (key not in newest or e.occurred_at >= newest[key].occurred_at):
            newest[key] = e
    return list(newest.values())


def wire_from_row(row: Sequence[Any]) -> dict[str, Any]:
    ev_id, kind, source, ref, occurred, received, lat, lon, acc, payload, dedup = row
    return {
        "id": ev_id,
        "kind": kind,
        "source": source,
        "source_ref": ref,
        "occurred_at": occurred,
        "received_at": received,
        "location": {"lat": lat, "lon": lon, "accuracy_m": acc} if lat is not None else None,
        "payload": json.loads(payload),
        "dedup_key": dedup,
    }


def alert_rows(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r[0],
            "rule": r[1],
            "created_at": r[2],
            "severity": r[3],
            "title": r[4],
            "event_id": r[5],
            "location": {"lat": r[6], "lon": r[7], "accuracy_m": None}
            if r[6] is not None
            else None,
            "detail": json.loads(r[8]),
            "hops": None,
        }
        for r in rows
    ]
