"""The audit trail as a hash chain in PostgreSQL: altering or removing a row breaks every
later hash.

The chain is the same as SQLite's (`chain_hash`), so a trail verifies the same on both
backends. SQLite gets "read the last hash, then insert the next row" for free from its
single writer; here an API process and its workers append at once, so the append holds a
transaction-scoped advisory lock: without it two appenders could read the same last
row and fork the chain.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import AuditCheckpoint, AuditRecord
from rtcc.storage.postgres.database import Database
from rtcc.storage.sqlite.audit import GENESIS, chain_hash

_APPEND_LOCK = 0x72746361  # any fixed number: "rtca", the audit appenders' lock
_LOCK_SQL = (
    f"SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({_APPEND_LOCK})"
)
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
_CHECKPOINT = ("count", "last_seq", "last_hash", "root", "at", "key_id", "signature")
_VERIFY_BATCH = 5000  # rows fetched per round trip while verifying a long trail


class PostgresAuditStore:
    def __init__(self, db: Database) -> None:
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
            # row: READ COMMITTED (asked for, whatever the server's default) takes a fresh
            # snapshot per statement, after the lock wait. seq is counted here too, not
            # drawn from a sequence, so a rolled-back append leaves no gap that reads as a
            # deleted row. (Constants only; no parameters, so one round trip.)
            conn.execute(_LOCK_SQL)
            row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            last_seq, prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
            conn.execute(
                f"INSERT INTO audit (seq, {', '.join(_FIELDS)}, prev_hash, hash) "
                f"VALUES ({', '.join(['%s'] * (len(_FIELDS) + 3))})",
                (last_seq + 1, *fields.values(), prev, chain_hash(prev, fields)),
            )

    def recent(self, limit: int) -> list[dict[str, Any]]:
        sql = f"SELECT seq, {', '.join(_FIELDS)}, hash FROM audit ORDER BY seq DESC LIMIT %s"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (limit,)).fetchall()
        return [dict(zip(("seq", *_FIELDS, "hash"), row, strict=True)) for row in rows]

    def verify(self) -> tuple[bool, int, str]:
        sql = f"SELECT seq, {', '.join(_FIELDS)}, prev_hash, hash FROM audit ORDER BY seq"
        prev = GENESIS
        checked = 0
        expected_seq = 1
        # A server-side cursor (inside a transaction, so one snapshot): a long trail is
        # streamed in batches rather than loaded whole.
        with (
            self._db.reading() as conn,
            conn.transaction(),
            conn.cursor(name="audit_verify") as cur,
        ):
            cur.itersize = _VERIFY_BATCH
            cur.execute(sql)
            for row in cur:
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
                f"VALUES ({', '.join(['%s'] * len(_CHECKPOINT))})",
                values,
            )

    def checkpoints(self) -> list[AuditCheckpoint]:
        sql = f"SELECT {', '.join(_CHECKPOINT)} FROM audit_checkpoints ORDER BY id"
        with self._db.reading() as conn:
            return [AuditCheckpoint(*row) for row in conn.execute(sql).fetchall()]

    def allowed_since(self, actions: Sequence[str], since: datetime) -> list[dict[str, Any]]:
        sql = (
            f"SELECT seq, {', '.join(_FIELDS)} FROM audit WHERE action = ANY(%s) "
            "AND outcome = 'allow' AND at >= %s ORDER BY seq"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (list(actions), iso(since))).fetchall()
        return [dict(zip(("seq", *_FIELDS), row, strict=True)) for row in rows]

    def recent_of_kind(self, actor_kind: str, limit: int) -> list[dict[str, Any]]:
        sql = (
            f"SELECT seq, {', '.join(_FIELDS)}, hash FROM audit WHERE actor_kind = %s "
            "ORDER BY seq DESC LIMIT %s"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (actor_kind, limit)).fetchall()
        return [dict(zip(("seq", *_FIELDS, "hash"), row, strict=True)) for row in rows]
