"""The audit trail as a hash chain: altering or removing a row breaks every later hash."""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import AuditCheckpoint, AuditRecord
from rtcc.storage.sqlite.database import Database

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


def chain_hash(prev_hash: str, fields: dict[str, str | None]) -> str:
    """SHA-256 over the previous hash and the row; unset optional fields are left out,
    so rows written before those columns existed keep their hashes."""
    present = {k: v for k, v in fields.items() if v is not None or k not in _OPTIONAL}
    canonical = json.dumps(present, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


class SqliteAuditStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        with db.transaction() as conn:
            existing = {row[1] for row in conn.execute("PRAGMA table_info(audit)")}
            for column in _OPTIONAL:
                if column not in existing:
                    conn.execute(f"ALTER TABLE audit ADD COLUMN {column} TEXT")

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
            row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            conn.execute(
                f"INSERT INTO audit ({', '.join(_FIELDS)}, prev_hash, hash) "
                f"VALUES ({', '.join('?' * (len(_FIELDS) + 2))})",
                (*fields.values(), prev, chain_hash(prev, fields)),
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
        with self._db.reading() as conn:
            for row in conn.execute(sql):
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
            return [
                (int(seq), str(h))
                for seq, h in conn.execute("SELECT seq, hash FROM audit ORDER BY seq")
            ]

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
            return [AuditCheckpoint(*row) for row in conn.execute(sql)]

    def allowed_since(self, actions: Sequence[str], since: datetime) -> list[dict[str, Any]]:
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
