"""The embedded default backend: one SQLite file (WAL, R*Tree, append-only events)."""

from pathlib import Path

from rtcc.storage.sql import SqlDatabase
from rtcc.storage.sql.accounts import SqlAccountStore
from rtcc.storage.sql.alert_states import SqlAlertStateStore
from rtcc.storage.sql.audit import SqlAuditStore
from rtcc.storage.sql.dead_letters import SqlDeadLetterStore
from rtcc.storage.sql.geofences import SqlGeofenceStore
from rtcc.storage.sql.intel import SqlIntelStore
from rtcc.storage.sql.output_dead_letters import SqlOutputDeadLetterStore
from rtcc.storage.sql.private_cameras import SqlPrivateCameraStore
from rtcc.storage.sql.reviews import SqlReviewStore
from rtcc.storage.sql.sharing import SqlSharingStore
from rtcc.storage.sqlite.database import Database, Synchronous
from rtcc.storage.sqlite.events import SqliteEventStore
from rtcc.storage.sqlite.hotlists import SqliteHotlistStore
from rtcc.storage.sqlite.plate_reads import SqlitePlateReadStore
from rtcc.storage.sqlite.retention import SqliteRetentionStore


class SqliteStorage:
    def __init__(self, path: Path, synchronous: Synchronous = "FULL") -> None:
        self.db = Database(path, synchronous)
        self.sql: SqlDatabase = self.db  # what the stores shared with PostgreSQL take
        self.events = SqliteEventStore(self.db)
        self.accounts = SqlAccountStore(self.db)
        self.audit = SqlAuditStore(self.db)
        self.dead_letters = SqlDeadLetterStore(self.db)
        self.output_dead_letters = SqlOutputDeadLetterStore(self.db)
        self.geofences = SqlGeofenceStore(self.db)
        self.reviews = SqlReviewStore(self.db)
        self.intel = SqlIntelStore(self.db)
        self.sharing = SqlSharingStore(self.db)
        self.retention = SqliteRetentionStore(self.db)
        self.alert_states = SqlAlertStateStore(self.db)
        self.plate_reads = SqlitePlateReadStore(self.db)
        self.private_cameras = SqlPrivateCameraStore(self.db)
        self.hotlists = SqliteHotlistStore(self.db)

    def close(self) -> None:
        self.db.close()


__all__ = ["SqliteStorage"]
