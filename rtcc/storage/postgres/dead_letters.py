"""Refused source messages in PostgreSQL, capped per source so a broken feed cannot fill
the disk.

Adding one and trimming the oldest over the cap happen under a per-source advisory lock:
two processes adding at once would otherwise each trim against a count that misses the
other's row and leave the source over its cap.
"""

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import DeadLetter
from rtcc.storage.postgres.database import Database

_COLUMNS = "id, source, received_at, field, reason, message, raw, replayed_at"
_LOCK_CLASS = 0x72746364  # any fixed number: "rtcd", with hashtext(source) as the key


class PostgresDeadLetterStore:
    def __init__(self, db: Database, per_source_cap: int = 1000) -> None:
        self._db = db
        self._cap = per_source_cap

    def add(self, source: str, field: str, reason: str, message: str, raw: bytes) -> int:
        with self._db.transaction() as conn:
            # READ COMMITTED whatever the server's default, so the trim below sees the rows
            # of whoever held the lock before (a snapshot taken after the wait).
            conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, source))
            row = conn.execute(
                "INSERT INTO dead_letters (source, received_at, field, reason, message, raw) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (source, iso(utcnow()), field, reason, message[:500], raw),
            ).fetchone()
            conn.execute(
                "DELETE FROM dead_letters WHERE source = %s AND id <= ("
                "SELECT id FROM dead_letters WHERE source = %s"
                " ORDER BY id DESC LIMIT 1 OFFSET %s)",
                (source, source, self._cap),
            )
        return int(row[0]) if row else 0

    def list(self, source: str | None, limit: int) -> list[DeadLetter]:
        if source:
            sql = f"SELECT {_COLUMNS} FROM dead_letters WHERE source = %s ORDER BY id DESC LIMIT %s"
            args: tuple[object, ...] = (source, limit)
        else:
            sql = f"SELECT {_COLUMNS} FROM dead_letters ORDER BY id DESC LIMIT %s"
            args = (limit,)
        with self._db.reading() as conn:
            return [DeadLetter(*row) for row in conn.execute(sql, args).fetchall()]

    def get(self, letter_id: int) -> DeadLetter | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_COLUMNS} FROM dead_letters WHERE id = %s"
            row = conn.execute(sql, (letter_id,)).fetchone()
        return DeadLetter(*row) if row else None

    def mark_replayed(self, letter_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE dead_letters SET replayed_at = %s WHERE id = %s",
                (iso(utcnow()), letter_id),
            )
