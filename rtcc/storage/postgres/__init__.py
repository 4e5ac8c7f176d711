"""The scale-out backend: PostgreSQL + PostGIS behind the same store interfaces."""

from rtcc.storage.postgres.database import Database
from rtcc.storage.postgres.events import PostgresEventStore
from rtcc.storage.postgres.hotlists import PostgresHotlistStore
from rtcc.storage.postgres.plate_reads import PostgresPlateReadStore
from rtcc.storage.postgres.portable import PortableDatabase
from rtcc.storage.postgres.retention import PostgresRetentionStore
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


class PostgresStorage:
    """Every store over one pooled PostgreSQL database (migrated forward on open)."""

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.db = Database(url, pool_size)
        self.sql = portable = PortableDatabase(self.db)  # for the stores shared with SQLite
        self.events = PostgresEventStore(self.db)
        self.geofences = SqlGeofenceStore(portable)
        self.plate_reads = PostgresPlateReadStore(self.db)
        self.private_cameras = SqlPrivateCameraStore(portable)
        self.hotlists = PostgresHotlistStore(self.db)
        self.intel = SqlIntelStore(portable)
        self.sharing = SqlSharingStore(portable)
        self.retention = PostgresRetentionStore(self.db)
        self.accounts = SqlAccountStore(portable)
        self.audit = SqlAuditStore(portable)
        self.dead_letters = SqlDeadLetterStore(portable)
        self.output_dead_letters = SqlOutputDeadLetterStore(portable)
        self.reviews = SqlReviewStore(portable)
        self.alert_states = SqlAlertStateStore(portable)

    def close(self) -> None:
        self.db.close()


__all__ = ["PostgresStorage"]
