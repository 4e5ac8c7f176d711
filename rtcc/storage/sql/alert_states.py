"""Alert lifecycle state (both backends; one row per alert that left `new`)."""

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from rtcc.core.clock import iso
from rtcc.storage.alerting import AlertState
from rtcc.storage.sql import SqlDatabase

_COLUMNS = [f.name for f in fields(AlertState)]
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM alert_states"
_SAVE = (
    f"INSERT INTO alert_states ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    f"ON CONFLICT (alert_id) DO UPDATE SET "
    f"{', '.join(f'{name} = excluded.{name}' for name in _COLUMNS[1:])}"
)


class SqlAlertStateStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def get(self, alert_id: str) -> AlertState:
        with self._db.reading() as conn:
            row = conn.execute(f"{_SELECT} WHERE alert_id = ?", (alert_id,)).fetchone()
        return AlertState(*row) if row else AlertState(alert_id, "new")

    def save(self, state: AlertState) -> None:
        """Insert or replace (ON CONFLICT, so two processes saving one alert never clash)."""
        values = [getattr(state, name) for name in _COLUMNS]
        with self._db.transaction() as conn:
            conn.execute(_SAVE, values)

    def states(self, alert_ids: Sequence[str]) -> dict[str, AlertState]:
        if not alert_ids:
            return {}
        marks = ", ".join("?" * len(alert_ids))
        with self._db.reading() as conn:
            rows = conn.execute(f"{_SELECT} WHERE alert_id IN ({marks})", list(alert_ids))
            found = {row[0]: AlertState(*row) for row in rows.fetchall()}
        return {aid: found.get(aid, AlertState(aid, "new")) for aid in alert_ids}

    def outcomes(self, since: datetime) -> list[tuple[str, str]]:
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT a.rule, s.disposition FROM alert_states s JOIN alerts a "
                "ON a.id = s.alert_id WHERE s.status = 'closed' AND s.closed_at >= ?",
                (iso(since),),
            )
            return [(str(rule), str(disposition)) for rule, disposition in rows.fetchall()]
