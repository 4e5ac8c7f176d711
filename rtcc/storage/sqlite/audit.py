"""The audit trail as a hash chain: altering or removing a row breaks every later hash."""

import hashlib
import json
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import AuditRecord
from rtcc.storage.sqlite.database import Database

GENESIS = "0" * 64
_FIELDS = ("at", "actor", "actor_kind", "role", "action", "resource", "outcome", "reason")


def chain_hash(prev_hash: str, fields: dict[str, str]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


class SqliteAuditStore:
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
        }
        with self._db.transaction() as conn:
            row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            conn.execute(
                "INSERT INTO audit (at, actor, actor_kind, role, action, resource, outcome, "
                "reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        with self._db.reading() as conn:
            for row in conn.execute(sql):
                seq, *values, prev_hash, stored = row
                fields = dict(zip(_FIELDS, values, strict=True))
                if prev_hash != prev:
                    return False, checked, f"row {seq}: previous-hash link broken"
                if chain_hash(prev, fields) != stored:
                    return False, checked, f"row {seq}: contents do not match its hash"
                prev = stored
                checked += 1
        return True, checked, "ok"
