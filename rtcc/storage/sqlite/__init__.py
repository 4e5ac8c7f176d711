"""The embedded default backend: one SQLite file (WAL, R*Tree, append-only events)."""

from pathlib import Path

from rtcc.storage.sqlite.accounts import SqliteAccountStore
from rtcc.storage.sqlite.alert_states import SqliteAlertStateStore
from rtcc.storage.sqlite.audit import SqliteAuditStore
from rtcc.storage.sqlite.database import Database, Synchronous
from rtcc.storage.sqlite.dead_letters import SqliteDeadLetterStore
from rtcc.storage.sqlite.events import SqliteEventStore
from rtcc.storage.sqlite.geofences import SqliteGeofenceStore
from rtcc.storage.sqlite.hotlists import SqliteHotlistStore
from rtcc.storage.sqlite.intel import SqliteIntelStore
from rtcc.storage.sqlite.output_dead_letters import SqliteOutputDeadLetterStore
from rtcc.storage.sqlite.plate_reads import SqlitePlateReadStore
from rtcc.storage.sqlite.private_cameras import SqlitePrivateCameraStore
from rtcc.storage.sqlite.retention import SqliteRetentionStore
from rtcc.storage.sqlite.reviews import SqliteReviewStore
from rtcc.storage.sqlite.sharing import SqliteSharingStore


class SqliteStorage:
    def __init__(self, path: Path, synchronous: Synchronous = "FULL") -> None:
        self.db = Database(path, synchronous)
        self.events = SqliteEventStore(self.db)
        self.accounts = SqliteAccountStore(self.db)
        self.audit = SqliteAuditStore(self.db)
        self.dead_letters = SqliteDeadLetterStore(self.db)
        self.output_dead_letters = SqliteOutputDeadLetterStore(self.db)
        self.geofences = SqliteGeofenceStore(self.db)
        self.reviews = SqliteReviewStore(self.db)
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
