"""Rows of the PostgreSQL event store: batches as column arrays, stored rows as wire dicts."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.core.events import Event
from rtcc.storage.base import EntityState


def with_ids(events: list[Event], ids: set[str]) -> list[Event]:
    """The events a batch actually stored (the ids the insert returned), in batch order."""
    return [e for e in events if e.id in ids]


def event_columns(events: list[Event], received: dict[datetime, str]) -> list[list[Any]]:
    """The batch as one array per column, for unnest."""
    columns: list[list[Any]] = [[] for _ in range(12)]
    (ids, dedup, kind, source, ref, occurred, recv, lat, lon, acc, entity, payload) = columns
    for e in events:
        loc = e.location
        ids.append(e.id)
        dedup.append(e.dedup_key)
        kind.append(e.kind.value)
        source.append(e.source)
        ref.append(e.source_ref)
        occurred.append(iso(e.occurred_at))
        recv.append(received[e.received_at])
        lat.append(float(loc.lat) if loc else None)
        lon.append(float(loc.lon) if loc else None)
        acc.append(float(loc.accuracy_m) if loc and loc.accuracy_m is not None else None)
        entity.append(e.entity_key)
        payload.append(e.payload.model_dump_json())
    return columns


def entity_columns(events: list[Event]) -> dict[str, list[Any]]:
    """Each entity's new state (its event's wire form), as named arrays for unnest."""
    keys: list[str] = []
    types: list[str] = []
    occurred: list[str] = []
    lat: list[float | None] = []
    lon: list[float | None] = []
    ids: list[str] = []
    wire: list[str] = []
    for e in events:
        key = e.entity_key
        assert key is not None
        loc = e.location
        keys.append(key)
        types.append(key.split(":", 1)[0])
        occurred.append(iso(e.occurred_at))
        lat.append(float(loc.lat) if loc else None)
        lon.append(float(loc.lon) if loc else None)
        ids.append(e.id)
        wire.append(json.dumps(e.to_wire(hops=False)))
    names = ("keys", "types", "occurred", "lat", "lon", "ids", "wire")
    return dict(zip(names, (keys, types, occurred, lat, lon, ids, wire), strict=True))


def entity_from_row(r: tuple[Any, ...]) -> EntityState:
    """(entity_key, entity_type, lat, lon, event_json, first_occurred_at) as entities() has it."""
    return EntityState(r[0], r[1], r[2], r[3], json.loads(r[4]) | {"first_occurred_at": r[5]})


# The next four mirror rtcc/storage/sqlite/events.py (private there); tests/storage/
# test_events.py compares both backends' outputs, so a drift between them fails a test.


def first_per_dedup_key(events: Sequence[Event]) -> list[Event]:
    seen: set[str] = set()
    unique = []
    for e in events:
        if e.dedup_key not in seen:
            seen.add(e.dedup_key)
            unique.append(e)
    return unique


def newest_per_entity(events: Sequence[Event]) -> list[Event]:
    """One upsert per entity and batch (ties: the later one), as SQLite."""
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
