"""The PostgreSQL side of `rtcc.storage.sql`: `?` parameter markers and per-key locks."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

import psycopg

from rtcc.storage.postgres.database import Connection, Database

_LOCK_CLASS = 0x72747378  # advisory lock namespace of the shared stores' per-key locks


@lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """`?` → `%s`; a literal `%` (LIKE patterns) doubled so psycopg leaves it alone."""
    return sql.replace("%", "%%").replace("?", "%s")


class PortableConnection:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        if not parameters:
            return self._conn.execute(sql)
        return self._conn.execute(_pg(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self._conn.cursor()
        cursor.executemany(_pg(sql), list(parameters))
        return cursor


class PortableDatabase:
    """A view of the pooled database for the stores written once for both backends."""

    dialect: Literal["sqlite", "postgres"] = "postgres"

    def __init__(self, db: Database) -> None:
        self._db = db

    @contextmanager
    def transaction(self) -> Iterator[PortableConnection]:
        with self._db.transaction() as conn:
            yield PortableConnection(conn)

    @contextmanager
    def reading(self) -> Iterator[PortableConnection]:
        with self._db.reading() as conn:
            yield PortableConnection(conn)

    @contextmanager
    def streaming(
        self, sql: str, parameters: Sequence[Any] = (), batch: int = 5000
    ) -> Iterator[Iterable[Any]]:
        """A server-side cursor inside a transaction (so one snapshot): a long result is
        fetched `batch` rows per round trip rather than loaded whole."""
        with (
            self._db.reading() as conn,
            conn.transaction(),
            conn.cursor(name="rtcc_streaming") as cursor,
        ):
            cursor.itersize = batch
            if parameters:
                cursor.execute(_pg(sql), parameters)
            else:
                cursor.execute(sql)
            yield cursor

    def lock(self, conn: Any, key: str) -> None:
        """Call it first in the transaction: it also asks for READ COMMITTED (whatever the
        server's default), so what follows sees the rows of whoever held the key before."""
        conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        conn.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (_LOCK_CLASS, key))
