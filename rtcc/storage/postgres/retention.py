"""Purges that really delete: rows, their index entries, derived tables; holds; certificates.

Each purge runs in one transaction under an advisory transaction lock, so the purges that
every process's housekeeping starts run one at a time: the second finds what the first
left, and each certificate counts exactly the rows its purge deleted. (One transaction, not
SQLite's batches: PostgreSQL locks only the deleted rows, so ingest goes on meanwhile.)

A committed DELETE hides the rows, but their tuples stay in the table's files until VACUUM.
`compact()` runs `VACUUM (INDEX_CLEANUP ON)` on every table a purge deleted from (a pooled
autocommit connection: VACUUM refuses a transaction block). That removes the dead tuples from
heap pages, their TOAST chunks and their index entries (INDEX_CLEANUP ON: by default
PostgreSQL may skip index cleanup when few tuples died), and their space is reused.
What it does NOT guarantee:
- freed bytes are not zeroed: a purged value can stay in a page's free space until that space
  is reused (seen on PostgreSQL 15 for TOASTed values). VACUUM FULL rewrites the table, but
  locks it exclusively and frees the old file's blocks without wiping them;
- the WAL, WAL archives, base backups and replicas keep the rows until they are recycled or
  expire under their own retention (a point-in-time recovery to before the purge brings
  them back): the agency must set those to match its policy;
- a tuple still visible to an older open transaction (a long report, a replication slot's
  xmin) is left for the next VACUUM or autovacuum;
- VACUUM needs the table's owner (the role that ran the migrations); another role only gets
  a warning, and nothing is reclaimed.
"""

import json
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from psycopg import sql

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import LegalHold, PurgedKind
from rtcc.storage.postgres.database import Connection, Database
from rtcc.storage.sql.retention_rows import (
    HOLD_COLUMNS,
    PURGED_TABLES,
    hold_from_row,
    ids_digest,
)

_PURGE_LOCK = 0x72746370  # "rtcp": one purge at a time across processes
# What goes with a non-event kind: rows about alerts that are gone (their lifecycle, their
# delivery receipts), and outputs' dead letters (each holds a copy of its alert).
_ALSO: dict[str, tuple[tuple[str, str], ...]] = {
    "alerts": (
        ("alert_states", "DELETE FROM alert_states s WHERE NOT EXISTS "
         "(SELECT 1 FROM alerts a WHERE a.id = s.alert_id)"),
        ("alert_deliveries", "DELETE FROM alert_deliveries d WHERE NOT EXISTS "
         "(SELECT 1 FROM alerts a WHERE a.id = d.alert_id)"),
    ),
    "dead_letters": (
        ("output_dead_letters", "DELETE FROM output_dead_letters WHERE failed_at < %(cutoff)s"),
    ),
}  # fmt: skip


def _exists(conn: Connection, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    return bool(row and row[0])


def _lock(conn: Connection) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PURGE_LOCK,))


class PostgresRetentionStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._touched: set[str] = set()  # tables a purge deleted from, to vacuum
        self._touched_lock = threading.Lock()

    def _touch(self, tables: Iterable[str]) -> None:
        with self._touched_lock:
            self._touched.update(tables)

    def expired_event_ids(self, kind: str, cutoff: datetime) -> list[str]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id FROM events WHERE kind = %s AND occurred_at < %s", (kind, iso(cutoff))
            )
            return [row[0] for row in rows.fetchall()]

    def purge_events(self, kind: str, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        with self._db.transaction() as conn:
            _lock(conn)  # then read: a purge that ran meanwhile has committed its deletes
            rows = conn.execute(
                "SELECT seq, id, occurred_at FROM events WHERE kind = %s AND occurred_at < %s "
                "ORDER BY occurred_at, seq",
                (kind, iso(cutoff)),
            ).fetchall()
            doomed = [(seq, eid, at) for seq, eid, at in rows if eid not in keep]
            if doomed:
                self._touch(self._delete_events(conn, doomed))
        return PurgedKind(
            kind=kind,
            cutoff=iso(cutoff),
            count=len(doomed),
            oldest=doomed[0][2] if doomed else None,
            newest=doomed[-1][2] if doomed else None,
            held=len(rows) - len(doomed),
            ids_sha256=ids_digest(eid for _, eid, _ in doomed),
        )

    @staticmethod
    def _delete_events(conn: Connection, batch: Sequence[tuple[int, str, str]]) -> set[str]:
        """Delete the events with their live state and plate index; returns the tables rows
        went from. The plate index rows go by the delete trigger of 0030_plates.sql, which
        lowers each plate's count by the reads it removed (relative, so a read ingested
        meanwhile still counts); a plate's text goes with its last read, its row locked in
        plate order as the ingest trigger locks plates, so the two cannot deadlock."""
        seqs = [seq for seq, _, _ in batch]
        plate_ids: list[int] = []
        if _exists(conn, "plate_reads"):
            plate_ids = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT plate_id FROM plate_reads WHERE seq = ANY(%s::bigint[])",
                    (seqs,),
                )
            ]
        state = conn.execute(
            "DELETE FROM entity_state WHERE event_id = ANY(%s::text[])",
            ([eid for _, eid, _ in batch],),
        )
        conn.execute("DELETE FROM events WHERE seq = ANY(%s::bigint[])", (seqs,))
        touched = {"events"} | ({"entity_state"} if state.rowcount else set())
        if plate_ids:
            touched.add("plate_reads")
            empty = conn.execute(
                "SELECT id FROM plates WHERE id = ANY(%s::bigint[]) AND reads <= 0 "
                "ORDER BY plate FOR UPDATE",
                (plate_ids,),
            ).fetchall()
            gone = conn.execute(
                "DELETE FROM plates p WHERE p.id = ANY(%s::bigint[]) AND NOT EXISTS "
                "(SELECT 1 FROM plate_reads r WHERE r.plate_id = p.id)",
                ([row[0] for row in empty],),
            )
            touched |= {"plates"} if gone.rowcount else set()
        return touched

    def purge_hits(self, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        with self._db.transaction() as conn:
            if not _exists(conn, "hotlist_hits"):
                return PurgedKind("lpr_hit", iso(cutoff), 0, None, None, 0, ids_digest([]))
            _lock(conn)
            rows = conn.execute(
                "SELECT h.id, h.event_id, h.read_at, e.seq FROM hotlist_hits h "
                "LEFT JOIN events e ON e.id = h.event_id WHERE h.read_at < %s "
                "ORDER BY h.read_at, h.seq",
                (iso(cutoff),),
            ).fetchall()
            doomed = [row for row in rows if row[1] not in keep]
            if doomed:
                conn.execute(
                    "DELETE FROM hotlist_hits WHERE id = ANY(%s::text[])", ([r[0] for r in doomed],)
                )
                reads = [(r[3], r[1], r[2]) for r in doomed if r[3] is not None]
                touched = self._delete_events(conn, reads) if reads else set()
                self._touch({"hotlist_hits", *touched})
        return PurgedKind(
            kind="lpr_hit",
            cutoff=iso(cutoff),
            count=len(doomed),
            oldest=doomed[0][2] if doomed else None,
            newest=doomed[-1][2] if doomed else None,
            held=len(rows) - len(doomed),
            ids_sha256=ids_digest(r[0] for r in doomed),
        )

    def purge_table(self, kind: str, cutoff: datetime) -> PurgedKind:
        table, column, key = PURGED_TABLES[kind]
        with self._db.transaction() as conn:
            if not _exists(conn, table):
                return PurgedKind(kind, iso(cutoff), 0, None, None, 0, ids_digest([]))
            _lock(conn)
            delete = sql.SQL("DELETE FROM {t} WHERE {c} < %(cutoff)s RETURNING {k}, {c}").format(
                t=sql.Identifier(table), c=sql.Identifier(column), k=sql.Identifier(key)
            )
            rows = sorted(
                conn.execute(delete, {"cutoff": iso(cutoff)}).fetchall(),
                key=lambda r: (r[1], str(r[0])),
            )
            touched = {table} if rows else set()
            for extra, statement in _ALSO.get(kind, ()):  # rows that go with these
                if _exists(conn, extra):
                    cursor = conn.execute(statement, {"cutoff": iso(cutoff)})
                    touched |= {extra} if cursor.rowcount else set()
            self._touch(touched)
        return PurgedKind(
            kind=kind,
            cutoff=iso(cutoff),
            count=len(rows),
            oldest=rows[0][1] if rows else None,
            newest=rows[-1][1] if rows else None,
            held=0,
            ids_sha256=ids_digest(str(r[0]) for r in rows),
        )

    def held_event_ids(self, holds: Sequence[LegalHold]) -> frozenset[str]:
        held: set[str] = {eid for hold in holds for eid in hold.event_ids}
        cases = [hold.case_number for hold in holds]
        if not cases:
            return frozenset(held)
        with self._db.reading() as conn:
            incident = conn.execute(
                "SELECT id FROM events WHERE kind = 'cad_incident' AND "
                "payload::jsonb ->> 'incident_id' = ANY(%s::text[])",
                (cases,),
            )
            held.update(row[0] for row in incident.fetchall())
            if _exists(conn, "hotlist_hits"):
                hits = conn.execute(
                    "SELECT event_id FROM hotlist_hits WHERE "
                    "entry::jsonb ->> 'case_number' = ANY(%s::text[])",
                    (cases,),
                )
                held.update(row[0] for row in hits.fetchall())
        return frozenset(held)

    def hit_event_ids(self) -> frozenset[str]:
        with self._db.reading() as conn:
            if not _exists(conn, "hotlist_hits"):
                return frozenset()
            rows = conn.execute("SELECT event_id FROM hotlist_hits").fetchall()
            return frozenset(r[0] for r in rows)

    def live_state_event_ids(self, entity_type: str) -> frozenset[str]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT event_id FROM entity_state WHERE entity_type = %s", (entity_type,)
            ).fetchall()
            return frozenset(r[0] for r in rows)

    def add_hold(
        self, case_number: str, reason: str, event_ids: Sequence[str], created_by: str
    ) -> LegalHold:
        at = iso(utcnow())
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO legal_holds (case_number, reason, event_ids, created_by, created_at)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (case_number, reason, json.dumps(list(event_ids)), created_by, at),
            ).fetchone()
        return LegalHold(
            int(row[0]) if row else 0, case_number, reason, list(event_ids), created_by, at,
            None, None,
        )  # fmt: skip

    def holds(self, live_only: bool = True) -> list[LegalHold]:
        where = "WHERE released_at IS NULL" if live_only else ""
        with self._db.reading() as conn:
            rows = conn.execute(f"SELECT {HOLD_COLUMNS} FROM legal_holds {where} ORDER BY id")
            return [hold_from_row(row) for row in rows.fetchall()]

    def release_hold(self, hold_id: int, released_by: str, at: datetime) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE legal_holds SET released_by = %s, released_at = %s "
                "WHERE id = %s AND released_at IS NULL",
                (released_by, iso(at), hold_id),
            )
            return cursor.rowcount == 1

    def add_certificate(self, certificate: dict[str, Any]) -> int:
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO retention_certificates (at, body) VALUES (%s, %s) RETURNING id",
                (certificate["at"], json.dumps(certificate, sort_keys=True)),
            ).fetchone()
        return int(row[0]) if row else 0

    def certificates(self, limit: int) -> list[dict[str, Any]]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id, body FROM retention_certificates ORDER BY id DESC LIMIT %s", (limit,)
            ).fetchall()
        return [{"id": row[0], **json.loads(row[1])} for row in rows]

    def compact(self) -> None:
        """VACUUM what the purges since the last call deleted from (see the module notes)."""
        with self._touched_lock:
            tables, self._touched = sorted(self._touched), set()
        with self._db.reading() as conn:  # autocommit: VACUUM refuses a transaction block
            for done, table in enumerate(tables):
                try:
                    conn.execute(
                        sql.SQL("VACUUM (INDEX_CLEANUP ON) {}").format(sql.Identifier(table))
                    )
                except BaseException:
                    self._touch(tables[done:])  # left for the next compact()
                    raise
