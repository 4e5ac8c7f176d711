"""Purges that really delete: rows, their index entries, derived tables; holds; certificates.

The writer connection runs with `secure_delete` on, so freed pages are zeroed, and
`compact()` checkpoints the WAL so no old page image of a purged row stays in it.
"""

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import LegalHold, PurgedKind
from rtcc.storage.sql.retention_rows import (
    HOLD_COLUMNS,
    PURGED_TABLES,
    hold_from_row,
    ids_digest,
)
from rtcc.storage.sqlite.database import Database

BATCH = 500
# What goes with a non-event kind: rows about alerts that are gone (their lifecycle, their
# delivery receipts), and outputs' dead letters (each holds a copy of its alert).
_ALSO: dict[str, tuple[tuple[str, str], ...]] = {
    "alerts": (
        ("alert_states", "DELETE FROM alert_states WHERE alert_id NOT IN (SELECT id FROM alerts)"
         " AND ? IS NOT NULL"),
        ("alert_deliveries", "DELETE FROM alert_deliveries WHERE alert_id NOT IN "
         "(SELECT id FROM alerts) AND ? IS NOT NULL"),
    ),
    "dead_letters": (
        ("output_dead_letters", "DELETE FROM output_dead_letters WHERE failed_at < ?"),
    ),
}  # fmt: skip


def _exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,))
    return row.fetchone() is not None


class SqliteRetentionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def expired_event_ids(self, kind: str, cutoff: datetime) -> list[str]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id FROM events WHERE kind = ? AND occurred_at < ?", (kind, iso(cutoff))
            )
            return [row[0] for row in rows.fetchall()]

    def purge_events(self, kind: str, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT seq, id, occurred_at FROM events WHERE kind = ? AND occurred_at < ? "
                "ORDER BY occurred_at",
                (kind, iso(cutoff)),
            ).fetchall()
        doomed = [(seq, eid, at) for seq, eid, at in rows if eid not in keep]
        for start in range(0, len(doomed), BATCH):
            with self._db.transaction() as conn:
                self._delete_events(conn, doomed[start : start + BATCH])
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
    def _delete_events(conn: sqlite3.Connection, batch: Sequence[tuple[int, str, str]]) -> None:
        seqs = [seq for seq, _, _ in batch]
        ids = [eid for _, eid, _ in batch]
        seq_marks, id_marks = ",".join("?" * len(seqs)), ",".join("?" * len(ids))
        plate_ids: list[int] = []
        if _exists(conn, "plate_reads"):
            plate_ids = [
                row[0]
                for row in conn.execute(
                    f"SELECT DISTINCT plate_id FROM plate_reads WHERE seq IN ({seq_marks})", seqs
                )
            ]
        conn.execute(f"DELETE FROM entity_state WHERE event_id IN ({id_marks})", ids)
        # The delete trigger removes each read from the plate index and counts it down
        # (schema_plates.sql); + events_rtree.
        conn.execute(f"DELETE FROM events WHERE seq IN ({seq_marks})", seqs)
        for plate_id in plate_ids:  # the plate text itself goes with its last read
            conn.execute(
                "DELETE FROM plates WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM plate_reads WHERE plate_id = ?)",
                (plate_id, plate_id),
            )

    def purge_hits(self, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        with self._db.reading() as conn:
            if not _exists(conn, "hotlist_hits"):
                return PurgedKind("lpr_hit", iso(cutoff), 0, None, None, 0, ids_digest([]))
            rows = conn.execute(
                "SELECT h.id, h.event_id, h.read_at, e.seq FROM hotlist_hits h "
                "LEFT JOIN events e ON e.id = h.event_id WHERE h.read_at < ? ORDER BY h.read_at",
                (iso(cutoff),),
            ).fetchall()
        doomed = [row for row in rows if row[1] not in keep]
        for start in range(0, len(doomed), BATCH):
            batch = doomed[start : start + BATCH]
            with self._db.transaction() as conn:
                marks = ",".join("?" * len(batch))
                conn.execute(
                    f"DELETE FROM hotlist_hits WHERE id IN ({marks})", [r[0] for r in batch]
                )
                reads = [(r[3], r[1], r[2]) for r in batch if r[3] is not None]
                if reads:
                    self._delete_events(conn, reads)
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
            rows = conn.execute(
                f"SELECT {key}, {column} FROM {table} WHERE {column} < ? ORDER BY {column}",
                (iso(cutoff),),
            ).fetchall()
            conn.execute(f"DELETE FROM {table} WHERE {column} < ?", (iso(cutoff),))
            for extra, sql in _ALSO.get(kind, ()):  # rows that go with these
                if _exists(conn, extra):
                    conn.execute(sql, (iso(cutoff),))
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
        marks = ",".join("?" * len(cases))
        with self._db.reading() as conn:
            incident = conn.execute(
                f"SELECT id FROM events WHERE kind = 'cad_incident' AND "
                f"json_extract(payload, '$.incident_id') IN ({marks})",
                cases,
            )
            held.update(row[0] for row in incident.fetchall())
            if _exists(conn, "hotlist_hits"):
                hits = conn.execute(
                    f"SELECT event_id FROM hotlist_hits WHERE "
                    f"json_extract(entry, '$.case_number') IN ({marks})",
                    cases,
                )
                held.update(row[0] for row in hits.fetchall())
        return frozenset(held)

    def hit_event_ids(self) -> frozenset[str]:
        with self._db.reading() as conn:
            if not _exists(conn, "hotlist_hits"):
                return frozenset()
            return frozenset(r[0] for r in conn.execute("SELECT event_id FROM hotlist_hits"))

    def live_state_event_ids(self, entity_type: str) -> frozenset[str]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT event_id FROM entity_state WHERE entity_type = ?", (entity_type,)
            )
            return frozenset(r[0] for r in rows)

    def add_hold(
        self, case_number: str, reason: str, event_ids: Sequence[str], created_by: str
    ) -> LegalHold:
        at = iso(utcnow())
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO legal_holds (case_number, reason, event_ids, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (case_number, reason, json.dumps(list(event_ids)), created_by, at),
            )
        return LegalHold(
            int(cursor.lastrowid or 0), case_number, reason, list(event_ids), created_by, at,
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
                "UPDATE legal_holds SET released_by = ?, released_at = ? "
                "WHERE id = ? AND released_at IS NULL",
                (released_by, iso(at), hold_id),
            )
            return cursor.rowcount == 1

    def add_certificate(self, certificate: dict[str, Any]) -> int:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO retention_certificates (at, body) VALUES (?, ?)",
                (certificate["at"], json.dumps(certificate, sort_keys=True)),
            )
            return int(cursor.lastrowid or 0)

    def certificates(self, limit: int) -> list[dict[str, Any]]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT id, body FROM retention_certificates ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [{"id": row[0], **json.loads(row[1])} for row in rows]

    def compact(self) -> None:
        self._db.checkpoint()
