"""A PostgreSQL + PostGIS database: a connection pool and forward-only migrations.

The stores of this backend borrow connections the way the SQLite stores do, through
`transaction()` (writes, committed together) and `reading()` (autocommit reads), so a
store module reads the same on both backends apart from its SQL.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

Connection = psycopg.Connection[TupleRow]

# Any fixed number: every process that opens the database takes this advisory lock
# while it migrates, so an API process and its workers starting together migrate once.
_MIGRATION_LOCK = 0x72746363  # "rtcc"


class Database:
    """Owns the pool; concurrent writers are PostgreSQL's business (row locks, MVCC)."""

    def __init__(self, url: str, pool_size: int = 8, migrate: bool = True) -> None:
        self.url = url
        self.pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            open=False,
            name="rtcc",
        )
        self.pool.open(wait=True, timeout=10.0)
        if migrate:
            with self.pool.connection() as conn:
                apply_migrations(conn)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on a pooled connection: commit on success, roll back on error."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.pool.connection() as conn:
            yield conn

    def close(self) -> None:
        self.pool.close()


def migration_files() -> list[tuple[str, str]]:
    """(name, SQL) of every `migrations/NNNN_<what>.sql`, in order."""
    folder = resources.files("rtcc.storage.postgres").joinpath("migrations")
    names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".sql"))
    return [(name, folder.joinpath(name).read_text()) for name in names]


def apply_migrations(conn: Connection) -> list[str]:
    """Apply, each in its own transaction, the migrations this database has not had yet.

    Forward only, and safe on a live database: a migration is recorded in
    `rtcc_migrations` in the same transaction that applies it, and a session-level
    advisory lock keeps two processes from applying one twice. Returns what it applied.
    """
    applied: list[str] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS rtcc_migrations ("
            " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT name FROM rtcc_migrations")}
        for name, sql in migration_files():
            if name in done:
                continue
            with conn.transaction():
                conn.execute(sql)  # several statements, no parameters: one simple query
                conn.execute("INSERT INTO rtcc_migrations (name) VALUES (%s)", (name,))
            applied.append(name)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied
