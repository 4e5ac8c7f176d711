"""The supervisor review queue (both backends)."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import ReviewItem
from rtcc.storage.sql import SqlDatabase

_COLUMNS = (
    "id, key, actor, rule, detail, first_at, last_at, audit_seqs, status, reviewed_by, "
    "reviewed_at, outcome, note"
)


def _item(row: tuple[Any, ...]) -> ReviewItem:
    values = list(row)
    values[7] = json.loads(values[7])
    return ReviewItem(*values)


class SqlReviewStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add_flag(
        self,
        key: str,
        actor: str,
        rule: str,
        detail: str,
        first_at: datetime,
        last_at: datetime,
        audit_seqs: Sequence[int],
    ) -> bool:
        """ON CONFLICT on the unique key: detection re-running in two processes at once
        still queues a flag once."""
        seqs = json.dumps(list(audit_seqs))
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO review_items "
                "(key, actor, rule, detail, first_at, last_at, audit_seqs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, actor, rule, detail, iso(first_at), iso(last_at), seqs),
            )
            return cursor.rowcount == 1

    def list(self, status: str | None, limit: int) -> list[ReviewItem]:
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        sql = f"SELECT {_COLUMNS} FROM review_items {where} ORDER BY id DESC LIMIT ?"
        with self._db.reading() as conn:
            return [_item(row) for row in conn.execute(sql, (*args, limit)).fetchall()]

    def close(self, item_id: int, reviewer: str, outcome: str, note: str, at: datetime) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE review_items SET status = 'closed', reviewed_by = ?, reviewed_at = ?, "
                "outcome = ?, note = ? WHERE id = ? AND status = 'open'",
                (reviewer, iso(at), outcome, note, item_id),
            )
            return cursor.rowcount == 1
