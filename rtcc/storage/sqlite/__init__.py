"""The embedded default backend: one SQLite file (WAL, R*Tree, append-only events)."""

from pathlib import Path

from rtcc.storage.sql import SqlDatabase
from rtcc.storage.sql.dead_letters import SqlDeadLetterStore
from rtcc.storage.sql.output_dead_letters import SqlOutputDeadLetterStore
from rtcc.storage.sql.reviews import SqlReviewStore
from rtcc.storage.sqlite.accounts import SqliteAccountStore
from rtcc.storage.sqlite.alert_states import SqliteAlertStateStore
from rtcc.storage.sqlite.audit import SqliteAuditStore
from rtcc.storage.sqlite.database import Database, Synchronous
from rtcc.storage.sqlite.events import SqliteEventStore
from rtcc.storage.sqlite.geofences import SqliteGeofenceStore
from rtcc.storage.sqlite.hotlists import SqliteHotlistStore
from rtcc.storage.sqlite.intel import SqliteIntelStore
from rtcc.storage.sqlite.plate_reads import SqlitePlateReadStore
from rtcc.storage.sqlite.private_cameras import SqlitePrivateCameraStore
from rtcc.storage.sqlite.retention import SqliteRetentionStore
from rtcc.storage.sqlite.sharing import SqliteSharingStore


class SqliteStorage:
    def __init__(self, path: Path, synchronous: Synchronous = "FULL") -> None:
        self.db = Database(path, synchronous)
        self.sql: SqlDatabase = self.db  # what the stores shared with PostgreSQL take
        self.events = SqliteEventStore(self.db)
        self.accounts = SqliteAccountStore(self.db)
        self.audit = SqliteAuditStore(self.db)
        self.dead_letters = SqlDeadLetterStore(self.db)
        self.output_dead_letters = SqlOutputDeadLetterStore(self.db)
        self.geofences = SqliteGeofenceStore(self.db)
        self.reviews = SqlReviewStore(self.db)
        self.intel = SqliteIntelStore(self.db)
        self.sharing = SqliteSharingStore(self.db)
        self.retention = SqliteRetentionStore(self.db)
        self.alert_states = SqliteAlertStateStore(self.db)
        self.plate_reads = SqlitePlateReadStore(self.db)
        self.private_cameras = SqlitePrivateCameraStore(self.db)
        self.hotlists = SqliteHotlistStore(self.db)

    def close(self) -> None:
        self.db.close()


__all__ = ["SqliteStorage"]
