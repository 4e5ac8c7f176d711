"""Events, live entity state, alerts and reject counters in PostgreSQL + PostGIS.

Same rows and wire dicts as the SQLite store; several processes may append at once, so
dedup and the entity upsert are decided by the database, and each batch takes its row
locks in key order (dedup keys, then entity keys), so two batches never deadlock.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import Event
from rtcc.storage.base import (
    AppendResult,
    EntityState,
    NearbyEntity,
    NearbyEvent,
    RejectCount,
    Rejection,
)
from rtcc.storage.postgres.database import Database
from rtcc.storage.postgres.event_rows import entity_columns, event_columns, with_ids
from rtcc.storage.sql.event_rows import (
    SHORT_WINDOW,
    alert_rows,
    entity_from_row,
    first_per_dedup_key,
    newest_per_entity,
    wire_from_row,
)

# One statement per batch: arrays in, the ids actually stored out. seq is drawn in batch
# order (so recent_events sees the batch as SQLite does), rows go in dedup-key order.
_INSERT_EVENTS = """
WITH batch AS MATERIALIZED (
    SELECT nextval('events_seq_seq') AS seq, u.*
    FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],
                %b::text[], %b::float8[], %b::float8[], %b::float8[], %b::text[], %b::text[])
        AS u(id, dedup_key, kind, source, source_ref, occurred_at, received_at,
             lat, lon, accuracy_m, entity_key, payload)
)
INSERT INTO events (seq, id, dedup_key, kind, source, source_ref, occurred_at, received_at,
                    lat, lon, accuracy_m, entity_key, payload)
SELECT seq, id, dedup_key, kind, source, source_ref, occurred_at, received_at,
       lat, lon, accuracy_m, entity_key, payload
FROM batch ORDER BY dedup_key
ON CONFLICT DO NOTHING
RETURNING id
"""
# Entities move only to events this transaction stored, and never back in time (the
# WHERE is re-checked against the newest committed row). rid is drawn in batch order (the
# order entities() lists them in, as SQLite's rowid); rows are locked in key order.
_UPSERT_ENTITIES = """
WITH batch AS MATERIALIZED (
    SELECT nextval('entity_state_rid_seq') AS rid, u.*
    FROM unnest(%(keys)b::text[], %(types)b::text[], %(occurred)b::text[], %(lat)b::float8[],
                %(lon)b::float8[], %(ids)b::text[], %(wire)b::text[])
        AS u(entity_key, entity_type, occurred_at, lat, lon, event_id, event_json)
)
INSERT INTO entity_state (rid, entity_key, entity_type, first_occurred_at, occurred_at, lat, lon,
                          event_id, event_json)
SELECT rid, entity_key, entity_type, occurred_at, occurred_at, lat, lon, event_id, event_json
FROM batch WHERE {stored} ORDER BY entity_key
ON CONFLICT (entity_key) DO UPDATE SET
    occurred_at = excluded.occurred_at, lat = excluded.lat, lon = excluded.lon,
    event_id = excluded.event_id, event_json = excluded.event_json
WHERE excluded.occurred_at >= entity_state.occurred_at
"""
# The first is sent with the insert, before knowing what it stored: it applies if every
# event of the batch is in the table (the common case). Else the second, sent after with
# the newest stored event per entity, applies. Exactly one statement per transaction thus
# locks entity rows, all in key order, so two batches never deadlock on them.
_ALL_IN = "(SELECT count(*) FROM events WHERE id = ANY(%(batch_ids)b::text[])) = %(batch_size)s"
_UPSERT_IF_ALL_NEW = _UPSERT_ENTITIES.format(stored=_ALL_IN)
_UPSERT_IF_SOME_KNOWN = _UPSERT_ENTITIES.format(stored=f"NOT {_ALL_IN}")
_EVENT_COLUMNS = (
    "id, kind, source, source_ref, occurred_at, received_at, lat, lon, accuracy_m, "
    "payload, dedup_key"
)
_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
# Distances on the sphere, as haversine_m computes them for SQLite (not the spheroid).
_NEAR = (
    f"SELECT {_EVENT_COLUMNS}, ST_Distance(geom, {_POINT}, false) AS distance, seq "
    "FROM events WHERE kind = ANY(%(kinds)s) "
    "AND occurred_at >= %(since)s AND occurred_at <= %(until)s "
    f"AND ST_DWithin(geom, {_POINT}, %(radius)s, false) {{outside_index}}"
    "ORDER BY occurred_at, seq LIMIT %(limit)s"
)
# A long window goes through the spatial index, which (as SQLite's events_rtree) has no
# AVL fixes; a short one goes by kind and time and sees every kind.
_NEAR_SHORT = _NEAR.format(outside_index="")
_NEAR_LONG = _NEAR.format(outside_index="AND kind <> 'unit_position' ")
_NEAREST = "SELECT * FROM ({}) f ORDER BY distance, occurred_at, seq LIMIT %(nearest)s"
_ENTITY_COLUMNS = "entity_key, entity_type, lat, lon, event_json, first_occurred_at"
_ALERT_COLUMNS = "id, rule, created_at, severity, title, event_id, lat, lon, detail"
# As the events insert: seq in batch order (ties of created_at), rows in id order.
_INSERT_ALERTS = f"""
WITH batch AS MATERIALIZED (
    SELECT nextval('alerts_seq_seq') AS seq, u.*
    FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],
                %b::float8[], %b::float8[], %b::text[])
        AS u({_ALERT_COLUMNS})
)
INSERT INTO alerts ({_ALERT_COLUMNS}, seq)
SELECT {_ALERT_COLUMNS}, seq FROM batch ORDER BY id
ON CONFLICT (id) DO NOTHING
"""


class PostgresEventStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, events: Sequence[Event]) -> AppendResult:
        """Store new events and their entity state in one transaction; skip known dedup keys.

        The insert and the entity upsert go in one pipeline (one round trip); only when
        part of the batch was already known is a second upsert needed.
        """
        unique = first_per_dedup_key(events)
        if not unique:
            return AppendResult([], [])
        received: dict[datetime, str] = {}
        for e in unique:  # a batch shares one received time: format it once
            if e.received_at not in received:
                received[e.received_at] = iso(e.received_at)
        columns = event_columns(unique, received)
        newest = newest_per_entity(unique)
        with self._db.pool.connection() as conn, conn.pipeline(), conn.transaction():
            cur = conn.cursor()
            cur.execute(_INSERT_EVENTS, columns)
            batch = {"batch_ids": columns[0], "batch_size": len(unique)}
            if newest:
                conn.execute(_UPSERT_IF_ALL_NEW, entity_columns(newest) | batch)
            stored_ids = {row[0] for row in cur.fetchall()}
            stored = unique if len(stored_ids) == len(unique) else with_ids(unique, stored_ids)
            if stored is not unique and (late := newest_per_entity(stored)):
                conn.execute(_UPSERT_IF_SOME_KNOWN, entity_columns(late) | batch)
        persisted = utcnow()
        for e in stored:
            e.hops.persisted_at = persisted
        return AppendResult(stored, [e for e in events if e.id not in stored_ids])

    def count_events(self) -> int:
        with self._db.reading() as conn:
            row = conn.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def get_event(self, event_id: str) -> dict[str, Any] | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = %s"
            row = conn.execute(sql, (event_id,)).fetchone()
        return wire_from_row(row) if row else None

    def recent_events(self, kinds: Sequence[str], limit: int) -> list[dict[str, Any]]:
        sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE kind = ANY(%s) ORDER BY seq DESC LIMIT %s"
        with self._db.reading() as conn:
            rows = conn.execute(sql, ([str(k) for k in kinds], limit)).fetchall()
        return [wire_from_row(row) for row in rows]

    def entities(self) -> list[EntityState]:
        """Every entity's latest event, with `first_occurred_at` (when it was first seen)."""
        with self._db.reading() as conn:
            rows = conn.execute(f"SELECT {_ENTITY_COLUMNS} FROM entity_state ORDER BY rid")
            return [entity_from_row(r) for r in rows]

    def entity(self, entity_key: str) -> EntityState | None:
        sql = f"SELECT {_ENTITY_COLUMNS} FROM entity_state WHERE entity_key = %s"
        with self._db.reading() as conn:
            r = conn.execute(sql, (entity_key,)).fetchone()
        return entity_from_row(r) if r else None

    def entities_near(
        self, lat: float, lon: float, radius_m: float, entity_type: str
    ) -> list[NearbyEntity]:
        """Entities of one type within `radius_m`, nearest first (GIST index, ST_DWithin)."""
        sql = (
            "SELECT entity_key, entity_type, lat, lon, event_json, "
            f"ST_Distance(geom, {_POINT}, false) AS distance FROM entity_state "
            f"WHERE entity_type = %(type)s AND ST_DWithin(geom, {_POINT}, %(radius)s, false) "
            "ORDER BY distance, rid"
        )
        params = {"lat": lat, "lon": lon, "radius": radius_m, "type": entity_type}
        with self._db.reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            NearbyEntity(EntityState(key, etype, elat, elon, json.loads(event_json)), distance)
            for key, etype, elat, elon, event_json, distance in rows
        ]

    def events_near(
        self,
        lat: float,
        lon: float,
        radius_m: float,
        kinds: Sequence[str],
        since: datetime,
        until: datetime,
        limit: int = 500,
        nearest: int | None = None,
    ) -> list[NearbyEvent]:
        """Located events of `kinds` within `radius_m` in [since, until], oldest first
        (the first `limit`); with `nearest`, the `nearest` closest of those, closest first."""
        if not kinds:
            return []
        sql = _NEAR_SHORT if until - since <= SHORT_WINDOW else _NEAR_LONG
        if nearest is not None:
            sql = _NEAREST.format(sql)
        params = {
            "lat": lat,
            "lon": lon,
            "radius": radius_m,
            "kinds": [str(k) for k in kinds],
            "since": iso(since),
            "until": iso(until),
            "limit": limit,
            "nearest": nearest,
        }
        with self._db.reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [NearbyEvent(wire_from_row(row[:11]), row[11]) for row in rows]

    def add_alerts(self, alerts: Sequence[Alert]) -> None:
        """Kept once per id: a redelivered batch derives the same alert ids again."""
        if not alerts:
            return
        located = [a.location for a in alerts]
        columns = [
            [a.id for a in alerts],
            [a.rule for a in alerts],
            [iso(a.created_at) for a in alerts],
            [a.severity for a in alerts],
            [a.title for a in alerts],
            [a.event_id for a in alerts],
            [float(loc.lat) if loc else None for loc in located],
            [float(loc.lon) if loc else None for loc in located],
            [json.dumps(a.detail) for a in alerts],
        ]
        with self._db.transaction() as conn:
            conn.execute(_INSERT_ALERTS, columns)

    def get_alert(self, alert_id: str) -> dict[str, Any] | None:
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = %s"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (alert_id,)).fetchall()
        found = alert_rows(rows)
        return found[0] if found else None

    def recent_alerts(self, limit: int) -> list[dict[str, Any]]:
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY created_at DESC, seq DESC LIMIT %s"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (limit,)).fetchall()
        return alert_rows(rows)

    def record_rejections(self, rejections: Sequence[Rejection]) -> None:
        now = iso(utcnow())
        sql = """
        INSERT INTO reject_counts (source, field, reason, count, last_at, last_message)
        VALUES (%s, %s, %s, 1, %s, %s)
        ON CONFLICT (source, field, reason) DO UPDATE SET
            count = reject_counts.count + 1, last_at = excluded.last_at,
            last_message = excluded.last_message
        """
        rows = [(r.source, r.field, r.reason, now, r.message[:500]) for r in rejections]
        # Counters locked in key order (two writers never deadlock); the sort is stable,
        # so a key's last message is still the batch's last.
        rows.sort(key=lambda row: row[:3])
        with self._db.transaction() as conn, conn.cursor() as cur:
            cur.executemany(sql, rows)

    def reject_counts(self) -> list[RejectCount]:
        sql = (
            "SELECT source, field, reason, count, last_at, last_message FROM reject_counts "
            "ORDER BY source, count DESC, field, reason"
        )
        with self._db.reading() as conn:
            return [RejectCount(*row) for row in conn.execute(sql)]
