"""What the outputs did with each alert: per-channel deliveries and dead letters.

Dead letters are capped per channel so a channel that stays down cannot fill the disk;
adding and trimming hold the channel's lock so concurrent writers keep the cap.
"""

import json
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.alerting import AlertDelivery, OutputDeadLetter
from rtcc.storage.sql import SqlDatabase

_COLUMNS = "id, channel, alert_id, alert, failed_at, attempts, reason, retried_at"


def _letter(row: tuple[Any, ...]) -> OutputDeadLetter:
    letter_id, channel, alert_id, alert, failed_at, attempts, reason, retried_at = row
    return OutputDeadLetter(
        letter_id, channel, alert_id, json.loads(alert), failed_at, attempts, reason, retried_at
    )


class SqlOutputDeadLetterStore:
    def __init__(self, db: SqlDatabase, per_channel_cap: int = 10_000) -> None:
        self._db = db
        self._cap = per_channel_cap

    def add(self, channel: str, alert: dict[str, Any], attempts: int, reason: str) -> int:
        with self._db.transaction() as conn:
            self._db.lock(conn, f"output_dead_letters:{channel}")
            row = conn.execute(
                "INSERT INTO output_dead_letters "
                "(channel, alert_id, alert, failed_at, attempts, reason) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (channel, alert["id"], json.dumps(alert), iso(utcnow()), attempts, reason[:500]),
            ).fetchone()
            conn.execute(
                "DELETE FROM output_dead_letters WHERE channel = ? AND id <= ("
                "SELECT id FROM output_dead_letters WHERE channel = ? "
                "ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (channel, channel, self._cap),
            )
        return int(row[0]) if row else 0

    def get(self, letter_id: int) -> OutputDeadLetter | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_COLUMNS} FROM output_dead_letters WHERE id = ?"
            row = conn.execute(sql, (letter_id,)).fetchone()
        return _letter(row) if row else None

    def mark_retried(self, letter_id: int) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE output_dead_letters SET retried_at = ? WHERE id = ?",
                (iso(utcnow()), letter_id),
            )

    def record_delivery(self, delivery: AlertDelivery) -> None:
        """Insert or replace: a retried dead letter that goes through becomes `delivered`."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO alert_deliveries "
                "(alert_id, channel, delivered_at, attempts, outcome, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (alert_id, channel) DO UPDATE SET "
                "delivered_at = EXCLUDED.delivered_at, attempts = EXCLUDED.attempts, "
                "outcome = EXCLUDED.outcome, recorded_at = EXCLUDED.recorded_at",
                (
                    delivery.alert_id,
                    delivery.channel,
                    delivery.delivered_at,
                    delivery.attempts,
                    delivery.outcome,
                    iso(utcnow()),
                ),
            )

    def deliveries(self, alert_id: str) -> list[AlertDelivery]:
        sql = (
            "SELECT alert_id, channel, delivered_at, attempts, outcome FROM alert_deliveries "
            "WHERE alert_id = ? ORDER BY channel"
        )
        with self._db.reading() as conn:
            return [AlertDelivery(*row) for row in conn.execute(sql, (alert_id,)).fetchall()]

    def list(self, channel: str | None, limit: int) -> list[OutputDeadLetter]:
        if channel:
            sql = (
                f"SELECT {_COLUMNS} FROM output_dead_letters WHERE channel = ?"
                " ORDER BY id DESC LIMIT ?"
            )
            args: tuple[object, ...] = (channel, limit)
        else:
            sql = f"SELECT {_COLUMNS} FROM output_dead_letters ORDER BY id DESC LIMIT ?"
            args = (limit,)
        with self._db.reading() as conn:
            return [_letter(row) for row in conn.execute(sql, args).fetchall()]
