"""The scale-out backend: PostgreSQL + PostGIS behind the same store interfaces."""

from rtcc.storage.postgres.database import Database


class PostgresStorage:
    """Every store over one pooled PostgreSQL database (migrated forward on open)."""

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.db = Database(url, pool_size)

    def close(self) -> None:
        self.db.close()


__all__ = ["PostgresStorage"]
