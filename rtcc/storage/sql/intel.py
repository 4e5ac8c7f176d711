"""Criminal intelligence records (both backends); a purge deletes the row, not just a flag.

The dissemination log is kept after a purge: who received what, and when, outlives the record.
"""

import json
import uuid
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.storage.base import IntelRecord
from rtcc.storage.sql import SqlDatabase

_COLUMNS = (
    "id, subject, body, submitter, created_at, validated_at, validated_by, validation_note, "
    "review_due"
)


def _record(row: tuple[Any, ...]) -> IntelRecord:
    values = list(row)
    values[2] = json.loads(values[2])
    return IntelRecord(*values)


class SqlIntelStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(
        self, subject: str, body: dict[str, Any], submitter: str, at: datetime, due: datetime
    ) -> IntelRecord:
        record = IntelRecord(
            uuid.uuid4().hex, subject, body, submitter, iso(at), iso(at), submitter,
            "submitted", iso(due),
        )  # fmt: skip
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO intel_records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _values(record),
            )
        return record

    def get(self, record_id: str) -> IntelRecord | None:
        sql = f"SELECT {_COLUMNS} FROM intel_records WHERE id = ?"
        with self._db.reading() as conn:
            row = conn.execute(sql, (record_id,)).fetchone()
        return _record(row) if row else None

    def recent(self, limit: int) -> list[IntelRecord]:
        sql = f"SELECT {_COLUMNS} FROM intel_records ORDER BY created_at DESC LIMIT ?"
        with self._db.reading() as conn:
            return [_record(row) for row in conn.execute(sql, (limit,)).fetchall()]

    def revalidate(
        self, record_id: str, reviewer: str, note: str, at: datetime, due: datetime
    ) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE intel_records SET validated_at = ?, validated_by = ?, "
                "validation_note = ?, review_due = ? WHERE id = ?",
                (iso(at), reviewer, note, iso(due), record_id),
            )
            return cursor.rowcount == 1

    def add_dissemination(self, record_id: str, release: dict[str, Any], at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO intel_disseminations (record_id, released_at, release) "
                "VALUES (?, ?, ?)",
                (record_id, iso(at), json.dumps(release)),
            )

    def disseminations(self, record_id: str) -> list[dict[str, Any]]:
        sql = (
            "SELECT released_at, release FROM intel_disseminations WHERE record_id = ? ORDER BY id"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (record_id,)).fetchall()
        return [{"released_at": at, **json.loads(release)} for at, release in rows]

    def purge_due(self, now: datetime) -> list[str]:
        """One statement deletes and names the rows, so a record revalidated by another
        process at the same moment is either purged and listed, or kept; never half."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "DELETE FROM intel_records WHERE review_due < ? RETURNING id", (iso(now),)
            ).fetchall()
        return sorted(row[0] for row in rows)

    def overdue(self, now: datetime) -> int:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT count(*) FROM intel_records WHERE review_due < ?", (iso(now),)
            ).fetchone()
        return int(row[0]) if row else 0


def _values(record: IntelRecord) -> tuple[Any, ...]:
    return (
        record.id,
        record.subject,
        json.dumps(record.body),
        record.submitter,
        record.created_at,
        record.validated_at,
        record.validated_by,
        record.validation_note,
        record.review_due,
    )
