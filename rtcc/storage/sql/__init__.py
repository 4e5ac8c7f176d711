"""Stores written once for both backends, in the SQL that SQLite and PostgreSQL share.

A store here takes a `SqlDatabase`: `transaction()` and `reading()` lend a connection
whose `execute` takes `?` parameter markers on either backend, `streaming(sql)` reads a long
result a batch at a time, and `lock(conn, key)` makes writers of one key take turns
across processes (PostgreSQL; SQLite has one writer anyway). The SQL sticks to what both
engines speak: `ON CONFLICT … DO NOTHING/UPDATE` with `excluded`, `RETURNING`, no engine
functions. A store whose work differs by engine (spatial search, bulk ingest, purges)
keeps one module per backend instead.
"""

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol


class SqlCursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class SqlConnection(Protocol):
    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> SqlCursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> SqlCursor: ...


class SqlDatabase(Protocol):
    dialect: Literal["sqlite", "postgres"]

    def transaction(self) -> AbstractContextManager[SqlConnection]: ...

    def reading(self) -> AbstractContextManager[SqlConnection]: ...

    def streaming(
        self, sql: str, parameters: Sequence[Any] = (), batch: int = 5000
    ) -> AbstractContextManager[Iterable[Any]]:
        """The rows of one query from one snapshot, fetched `batch` at a time instead of
        loaded whole (PostgreSQL: a server-side cursor in a read transaction)."""
        ...

    def lock(self, conn: SqlConnection, key: str) -> None:
        """Hold `key` until this transaction ends: writers of one key take turns."""
        ...
