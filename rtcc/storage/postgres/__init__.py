"""The scale-out backend: PostgreSQL + PostGIS behind the same store interfaces."""

from rtcc.storage.postgres.accounts import PostgresAccountStore
from rtcc.storage.postgres.alert_states import PostgresAlertStateStore
from rtcc.storage.postgres.audit import PostgresAuditStore
from rtcc.storage.postgres.database import Database
from rtcc.storage.postgres.events import PostgresEventStore
from rtcc.storage.postgres.geofences import PostgresGeofenceStore
from rtcc.storage.postgres.hotlists import PostgresHotlistStore
from rtcc.storage.postgres.intel import PostgresIntelStore
from rtcc.storage.postgres.plate_reads import PostgresPlateReadStore
from rtcc.storage.postgres.portable import PortableDatabase
from rtcc.storage.postgres.private_cameras import PostgresPrivateCameraStore
from rtcc.storage.postgres.retention import PostgresRetentionStore
from rtcc.storage.postgres.sharing import PostgresSharingStore
from rtcc.storage.sql.dead_letters import SqlDeadLetterStore
from rtcc.storage.sql.output_dead_letters import SqlOutputDeadLetterStore
from rtcc.storage.sql.reviews import SqlReviewStore


class PostgresStorage:
    """Every store over one pooled PostgreSQL database (migrated forward on open)."""

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.db = Database(url, pool_size)
        self.sql = portable = PortableDatabase(self.db)  # for the stores shared with SQLite
        self.events = PostgresEventStore(self.db)
        self.geofences = PostgresGeofenceStore(self.db)
        self.plate_reads = PostgresPlateReadStore(self.db)
        self.private_cameras = PostgresPrivateCameraStore(self.db)
        self.hotlists = PostgresHotlistStore(self.db)
        self.intel = PostgresIntelStore(self.db)
        self.sharing = PostgresSharingStore(self.db)
        self.retention = PostgresRetentionStore(self.db)
        self.accounts = PostgresAccountStore(self.db)
        self.audit = PostgresAuditStore(self.db)
        self.dead_letters = SqlDeadLetterStore(portable)
        self.output_dead_letters = SqlOutputDeadLetterStore(portable)
        self.reviews = SqlReviewStore(portable)
        self.alert_states = PostgresAlertStateStore(self.db)

    def close(self) -> None:
        self.db.close()


__all__ = ["PostgresStorage"]
