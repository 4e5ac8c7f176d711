"""Open the backend the settings name: SQLite (embedded default) or PostgreSQL."""

from pathlib import Path

from rtcc.settings import Settings
from rtcc.storage.base import Storage


def open_storage(settings: Settings) -> Storage:
    """`database_url` unset: the SQLite file in `data_dir`; `sqlite:///path`: that file;
    `postgresql://…`: PostgreSQL + PostGIS (migrated forward on open)."""
    url = settings.database_url
    if not url:
        return _sqlite(settings.db_path, settings)
    if url.startswith("sqlite:///"):
        return _sqlite(Path(url.removeprefix("sqlite:///")), settings)
    if url.startswith(("postgresql://", "postgres://")):
        from rtcc.storage.postgres import PostgresStorage  # psycopg only when asked for

        return PostgresStorage(url, settings.database_pool_size)
    raise ValueError(
        "database_url: expected sqlite:///<path> or postgresql://…, got " + url.split(":")[0]
    )


def _sqlite(path: Path, settings: Settings) -> Storage:
    from rtcc.storage.sqlite import SqliteStorage

    return SqliteStorage(path, settings.sqlite_synchronous)
