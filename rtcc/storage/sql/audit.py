"""The audit trail as a hash chain (both backends): altering or removing a row breaks every
later hash.

The append reads the last row and inserts the next under the trail's lock: on SQLite the
single writer gives that for free; on PostgreSQL an API process and its workers append at
once, and without the lock two appenders could read the same last row and fork the chain.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import AuditCheckpoint, AuditRecord
from rtcc.storage.sql import SqlDatabase

GENESIS = "0" * 64
_FIELDS = (
    "at",
    "actor",
    "actor_kind",
    "role",
    "action",
    "resource",
    "outcome",
    "reason",
    "purpose",
    "case_number",
)
_OPTIONAL = ("purpose", "case_number")
_CHECKPOINT = ("count", "last_seq", "last_hash", "root", "at", "key_id", "signature")
_VERIFY_BATCH = 5000  # rows fetched per round trip while verifying a long trail


def chain_hash(prev_hash: str, fields: dict[str, str | None]) -> str:
    """SHA-256 over the previous hash and the row; unset optional fields are left out,
    so rows written before those columns existed keep their hashes."""
    present = {k: v for k, v in fields.items() if v is not None or k not in _OPTIONAL}
    canonical = json.dumps(present, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


class SqlAuditStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def append(self, record: AuditRecord) -> None:
        fields = {
            "at": iso(record.at),
            "actor": record.actor,
            "actor_kind": record.actor_kind,
            "role": record.role,
            "action": record.action,
            "resource": record.resource,
            "outcome": record.outcome,
            "reason": record.reason,
            "purpose": record.purpose,
            "case_number": record.case_number,
        }
        with self._db.transaction() as conn:
            # The lock is held until commit, and the next appender's SELECT then sees this
            # row: READ COMMITTED (the lock asks for it, whatever the server's default)
            # takes a fresh snapshot per statement, after the lock wait. seq is counted
            # here too, not drawn from a sequence, so a rolled-back append leaves no gap
            # that reads as a deleted row.
            self._db.lock(conn, "audit")
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            last_seq, prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
            conn.execute(
                f"INSERT INTO audit (seq, {', '.join(_FIELDS)}, prev_hash, hash) "
                f"VALUES ({', '.join('?' * (len(_FIELDS) + 3))})",
                (last_seq + 1, *fields.values(), prev, chain_hash(prev, fields)),
            )

    def recent(self, limit: int) -> list[dict[str, Any]]:
        sql = f"SELECT seq, {', '.join(_FIELDS)}, hash FROM audit ORDER BY seq DESC LIMIT ?"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (limit,)).fetchall()
        return [dict(zip(("seq", *_FIELDS, "hash"), row, strict=True)) for row in rows]

    def verify(self) -> tuple[bool, int, str]:
        sql = f"SELECT seq, {', '.join(_FIELDS)}, prev_hash, hash FROM audit ORDER BY seq"
        prev = GENESIS
        checked = 0
        expected_seq = 1
        # Streamed from one snapshot: a long trail is read in batches, not loaded whole.
        with self._db.streaming(sql, (), _VERIFY_BATCH) as rows:
            for row in rows:
                seq, *values, prev_hash, stored = row
                fields = dict(zip(_FIELDS, values, strict=True))
                if seq != expected_seq:
                    gap = (
                        f"{expected_seq}"
                        if seq == expected_seq + 1
                        else f"{expected_seq}-{seq - 1}"
                    )
                    return False, checked, f"row {gap} missing: deleted from the trail"
                expected_seq += 1
                if prev_hash != prev:
                    return (
                        False,
                        checked,
                        f"row {seq}: previous-hash link broken "
                        "(a row before it was inserted, replaced or reordered)",
                    )
                if chain_hash(prev, fields) != stored:
                    return False, checked, f"row {seq}: contents do not match its hash"
                prev = stored
                checked += 1
        return True, checked, "ok"

    def row_hashes(self) -> list[tuple[int, str]]:
        with self._db.reading() as conn:
            rows = conn.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
        return [(int(seq), str(h)) for seq, h in rows]

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        values = tuple(getattr(checkpoint, name) for name in _CHECKPOINT)
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO audit_checkpoints ({', '.join(_CHECKPOINT)}) "
                f"VALUES ({', '.join('?' * len(_CHECKPOINT))})",
                values,
            )

    def checkpoints(self) -> list[AuditCheckpoint]:
        sql = f"SELECT {', '.join(_CHECKPOINT)} FROM audit_checkpoints ORDER BY id"
        with self._db.reading() as conn:
            return [AuditCheckpoint(*row) for row in conn.execute(sql).fetchall()]

    def allowed_since(self, actions: Sequence[str], since: datetime) -> list[dict[str, Any]]:
        if not actions:
            return []
        marks = ", ".join("?" * len(actions))
        sql = (
            f"SELECT seq, {', '.join(_FIELDS)} FROM audit WHERE action IN ({marks}) "
            "AND outcome = 'allow' AND at >= ? ORDER BY seq"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (*actions, iso(since))).fetchall()
        return [dict(zip(("seq", *_FIELDS), row, strict=True)) for row in rows]

    def recent_of_kind(self, actor_kind: str, limit: int) -> list[dict[str, Any]]:
        sql = (
            f"SELECT seq, {', '.join(_FIELDS)}, hash FROM audit WHERE actor_kind = ? "
            "ORDER BY seq DESC LIMIT ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (actor_kind, limit)).fetchall()
        return [dict(zip(("seq", *_FIELDS, "hash"), row, strict=True)) for row in rows]
