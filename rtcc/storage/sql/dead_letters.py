"""Refused source messages, capped per source so a broken feed cannot fill the disk.

Adding one and trimming the oldest over the cap hold the source's lock: two processes
adding at once would otherwise each trim against a count that misses the other's row.
"""

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import DeadLetter
from rtcc.storage.sql import SqlDatabase

_COLUMNS = "id, source, received_at, field, reason, message, raw, replayed_at"


class SqlDeadLetterStore:
    def __init__(self, db: SqlDatabase, per_source_cap: int = 1000) -> None:
        self._db = db
        self._cap = per_source_cap

    def add(self, source: str, field: str, reason: str, message: str, raw: bytes) -> int:
        with self._db.transaction() as conn:
            self._db.lock(conn, f"dead_letters:{source}")
            row = conn.execute(
                "INSERT INTO dead_letters (source, received_at, field, reason, message, raw) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (source, iso(utcnow()), field, reason, message[:500], raw),
            ).fetchone()
            conn.execute(
                "DELETE FROM dead_letters WHERE source = ? AND id <= ("
                "SELECT id FROM dead_letters WHERE source = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (source, source, self._cap),
            )
        return int(row[0])

    def list(self, source: str | None, limit: int) -> list[DeadLetter]:
        where, args = ("WHERE source = ?", (source,)) if source else ("", ())
        sql = f"SELECT {_COLUMNS} FROM dead_letters {where} ORDER BY id DESC LIMIT ?"
        with self._db.reading() as conn:
            return [DeadLetter(*row) for row in conn.execute(sql, (*args, limit)).fetchall()]

    def get(self, letter_id: int) -> DeadLetter | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_COLUMNS} FROM dead_letters WHERE id = ?"
            row = conn.execute(sql, (letter_id,)).fetchone()
        return DeadLetter(*row) if row else None

    def mark_replayed(self, letter_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE dead_letters SET replayed_at = ? WHERE id = ?", (iso(utcnow()), letter_id)
            )
