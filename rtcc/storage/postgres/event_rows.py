"""Rows of the PostgreSQL event store: batches as column arrays, stored rows as wire dicts."""

import json
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.core.events import Event


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
