"""The embedded default backend: one SQLite file (WAL, R*Tree, append-only events)."""

from pathlib import Path

from rtcc.storage.sqlite.accounts import SqliteAccountStore
from rtcc.storage.sqlite.audit import SqliteAuditStore
from rtcc.storage.sqlite.database import Database, Synchronous
from rtcc.storage.sqlite.dead_letters import SqliteDeadLetterStore
from rtcc.storage.sqlite.events import SqliteEventStore
from rtcc.storage.sqlite.geofences import SqliteGeofenceStore


class SqliteStorage:
    def __init__(self, path: Path, synchronous: Synchronous = "FULL") -> None:
        self.db = Database(path, synchronous)
        self.events = SqliteEventStore(self.db)
        self.accounts = SqliteAccountStore(self.db)
        self.audit = SqliteAuditStore(self.db)
        self.dead_letters = SqliteDeadLetterStore(self.db)
        self.geofences = SqliteGeofenceStore(self.db)

    def close(self) -> None:
        self.db.close()


__all__ = ["SqliteStorage"]
