"""Events, live entity state, alerts and reject counters in SQLite."""

import heapq
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import Event
from rtcc.core.geo import bbox_around, haversine_m
from rtcc.storage.base import (
    AppendResult,
    EntityState,
    NearbyEntity,
    NearbyEvent,
    RejectCount,
    Rejection,
)
from rtcc.storage.sql.event_rows import (
    SHORT_WINDOW,
    alert_rows,
    entity_from_row,
    first_per_dedup_key,
    newest_per_entity,
    wire_from_row,
)
from rtcc.storage.sqlite.database import Database

_INSERT_EVENT = """
INSERT OR IGNORE INTO events (id, dedup_key, kind, source, source_ref, occurred_at, received_at,
                    lat, lon, accuracy_m, entity_key, payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_UPSERT_ENTITY = """
INSERT INTO entity_state (entity_key, entity_type, first_occurred_at, occurred_at, lat, lon,
                          event_id, event_json)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (entity_key) DO UPDATE SET
    occurred_at = excluded.occurred_at, lat = excluded.lat, lon = excluded.lon,
    event_id = excluded.event_id, event_json = excluded.event_json
WHERE excluded.occurred_at >= entity_state.occurred_at
"""
_EVENT_COLUMNS = (
    "id, kind, source, source_ref, occurred_at, received_at, lat, lon, accuracy_m, "
    "payload, dedup_key"
)
_CHUNK = 900  # stays below SQLite's bound-parameter limit


class SqliteEventStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, events: Sequence[Event]) -> AppendResult:
        """Store new events and their entity state in one transaction; skip known dedup keys."""
        unique = first_per_dedup_key(events)
        # Rows are built before taking the write lock, so other writers wait less.
        received: dict[datetime, str] = {}
        for e in unique:  # a batch shares one received time: format it once
            if e.received_at not in received:
                received[e.received_at] = iso(e.received_at)
        rows = [_event_row(e, received[e.received_at]) for e in unique]
        with self._db.transaction() as conn:
            # OR IGNORE skips a known dedup key; rowcount counts the direct inserts only
            # (not the R*Tree rows the trigger adds), so it is the number of new events.
            inserted = conn.executemany(_INSERT_EVENT, rows).rowcount
            stored = unique if inserted == len(unique) else self._inserted(conn, unique)
            conn.executemany(_UPSERT_ENTITY, [_entity_row(e) for e in newest_per_entity(stored)])
        persisted = utcnow()
        for e in stored:
            e.hops.persisted_at = persisted
        stored_ids = {e.id for e in stored}
        return AppendResult(stored, [e for e in events if e.id not in stored_ids])

    @staticmethod
    def _inserted(conn: sqlite3.Connection, events: list[Event]) -> list[Event]:
        """Which of `events` this transaction stored: their fresh random ids are in the table."""
        ids = [e.id for e in events]
        found: set[str] = set()
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                row[0]
                for row in conn.execute(f"SELECT id FROM events WHERE id IN ({marks})", chunk)
            )
        return [e for e in events if e.id in found]

    def count_events(self) -> int:
        with self._db.reading() as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def get_event(self, event_id: str) -> dict[str, Any] | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?"
            row = conn.execute(sql, (event_id,)).fetchone()
        return wire_from_row(row) if row else None

    def recent_events(self, kinds: Sequence[str], limit: int) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(kinds))
        sql = (
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE kind IN ({marks}) ORDER BY seq DESC LIMIT ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (*kinds, limit)).fetchall()
        return [wire_from_row(row) for row in rows]

    def entities(self) -> list[EntityState]:
        """Every entity's latest event, with `first_occurred_at` (when it was first seen)."""
        sql = (
            "SELECT entity_key, entity_type, lat, lon, event_json, first_occurred_at "
            "FROM entity_state"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql).fetchall()
        return [entity_from_row(r) for r in rows]

    def entity(self, entity_key: str) -> EntityState | None:
        sql = (
            "SELECT entity_key, entity_type, lat, lon, event_json, first_occurred_at "
            "FROM entity_state WHERE entity_key = ?"
        )
        with self._db.reading() as conn:
            r = conn.execute(sql, (entity_key,)).fetchone()
        if r is None:
            return None
        return entity_from_row(r)

    def entities_near(
        self, lat: float, lon: float, radius_m: float, entity_type: str
    ) -> list[NearbyEntity]:
        """Entities of one type within `radius_m`, nearest first (R*Tree box, then exact)."""
        min_lat, max_lat, min_lon, max_lon = bbox_around(lat, lon, radius_m)
        sql = (
            "SELECT s.entity_key, s.entity_type, s.lat, s.lon, s.event_json "
            "FROM entity_rtree r JOIN entity_state s ON s.rid = r.rid "
            "WHERE r.min_lat >= ? AND r.max_lat <= ? AND r.min_lon >= ? AND r.max_lon <= ? "
            "AND s.entity_type = ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (min_lat, max_lat, min_lon, max_lon, entity_type)).fetchall()
        found = []
        for key, etype, elat, elon, event_json in rows:
            distance = haversine_m(lat, lon, elat, elon)
            if distance <= radius_m:
                state = EntityState(key, etype, elat, elon, json.loads(event_json))
                found.append(NearbyEntity(state, distance))
        return sorted(found, key=lambda n: n.distance_m)

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
        (events_rtree box, then the time and kind filter, then exact distance)."""
        if not kinds:
            return []
        min_lat, max_lat, min_lon, max_lon = bbox_around(lat, lon, radius_m)
        marks = ",".join("?" * len(kinds))
        cols = ", ".join(f"e.{c.strip()}" for c in _EVENT_COLUMNS.split(","))
        if until - since <= SHORT_WINDOW:
            # A short window: few events of these kinds, wherever they are; find them by
            # (kind, time) and keep those in the box. Where events are dense (a city
            # centre) this reads far fewer rows than every event the R*Tree box holds.
            sql = (
                f"SELECT {cols} FROM events e WHERE e.kind IN ({marks}) "
                "AND e.occurred_at >= ? AND e.occurred_at <= ? "
                "AND e.lat BETWEEN ? AND ? AND e.lon BETWEEN ? AND ? "
                "ORDER BY e.occurred_at, e.seq"
            )
            params: tuple[Any, ...] = (
                *kinds,
                iso(since),
                iso(until),
                min_lat,
                max_lat,
                min_lon,
                max_lon,
            )
        else:
            sql = (
                f"SELECT {cols} FROM events_rtree r JOIN events e ON e.seq = r.seq "
                "WHERE r.min_lat >= ? AND r.max_lat <= ? AND r.min_lon >= ? AND r.max_lon <= ? "
                f"AND e.kind IN ({marks}) AND e.occurred_at >= ? AND e.occurred_at <= ? "
                "ORDER BY e.occurred_at, e.seq"
            )
            params = (min_lat, max_lat, min_lon, max_lon, *kinds, iso(since), iso(until))
        found: list[tuple[float, Any]] = []
        with self._db.reading() as conn:
            for row in conn.execute(sql, params):
                distance = haversine_m(lat, lon, row[6], row[7])
                if distance <= radius_m:
                    found.append((distance, row))
                    if len(found) >= limit:
                        break
        if nearest is not None:  # decode only what is returned
            found = heapq.nsmallest(nearest, found, key=lambda pair: pair[0])
        return [NearbyEvent(wire_from_row(row), distance) for distance, row in found]

    def add_alerts(self, alerts: Sequence[Alert]) -> None:
        rows = [
            (
                a.id,
                a.rule,
                iso(a.created_at),
                a.severity,
                a.title,
                a.event_id,
                a.location.lat if a.location else None,
                a.location.lon if a.location else None,
                json.dumps(a.detail),
            )
            for a in alerts
        ]
        with self._db.transaction() as conn:
            # OR IGNORE: the same rule judging the same event again (a redelivered batch)
            # derives the same alert id, and the alert is kept once.
            conn.executemany("INSERT OR IGNORE INTO alerts VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def get_alert(self, alert_id: str) -> dict[str, Any] | None:
        sql = (
            "SELECT id, rule, created_at, severity, title, event_id, lat, lon, detail "
            "FROM alerts WHERE id = ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (alert_id,)).fetchall()
        found = alert_rows(rows)
        return found[0] if found else None

    def recent_alerts(self, limit: int) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, rule, created_at, severity, title, event_id, lat, lon, detail "
            "FROM alerts ORDER BY created_at DESC LIMIT ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (limit,)).fetchall()
        return alert_rows(rows)

    def record_rejections(self, rejections: Sequence[Rejection]) -> None:
        now = iso(utcnow())
        sql = """
        INSERT INTO reject_counts (source, field, reason, count, last_at, last_message)
        VALUES (?, ?, ?, 1, ?, ?)
        ON CONFLICT (source, field, reason) DO UPDATE SET
            count = count + 1, last_at = excluded.last_at, last_message = excluded.last_message
        """
        rows = [(r.source, r.field, r.reason, now, r.message[:500]) for r in rejections]
        with self._db.transaction() as conn:
            conn.executemany(sql, rows)

    def reject_counts(self) -> list[RejectCount]:
        sql = (
            "SELECT source, field, reason, count, last_at, last_message FROM reject_counts "
            "ORDER BY source, count DESC"
        )
        with self._db.reading() as conn:
            return [RejectCount(*row) for row in conn.execute(sql)]


def _event_row(e: Event, received_at: str) -> tuple[object, ...]:
    loc = e.location
    return (
        e.id,
        e.dedup_key,
        e.kind.value,
        e.source,
        e.source_ref,
        iso(e.occurred_at),
        received_at,
        loc.lat if loc else None,
        loc.lon if loc else None,
        loc.accuracy_m if loc else None,
        e.entity_key,
        e.payload.model_dump_json(),
    )


def _entity_row(e: Event) -> tuple[object, ...]:
    key = e.entity_key
    assert key is not None
    loc = e.location
    wire = e.to_wire(hops=False)
    occurred = iso(e.occurred_at)
    return (
        key,
        key.split(":", 1)[0],
        occurred,
        occurred,
        loc.lat if loc else None,
        loc.lon if loc else None,
        e.id,
        json.dumps(wire),
    )
