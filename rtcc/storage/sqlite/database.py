"""One SQLite file in WAL mode: a single locked writer and a separate reader."""

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

# Columns added to tables after their first release: a database made before them gets
# them when it is opened (`upgrade_columns`).
_ADDED_COLUMNS = {
    "users": {
        "failed_logins": "INTEGER NOT NULL DEFAULT 0",
        "locked_until": "TEXT",
        "mfa_secret": "TEXT",
        "external_issuer": "TEXT",
        "external_subject": "TEXT",
        "unit": "TEXT",
        "camera_groups": "TEXT NOT NULL DEFAULT '[]'",
    },
    "sessions": {"last_seen_at": "TEXT NOT NULL DEFAULT ''"},
    "audit": {"purpose": "TEXT", "case_number": "TEXT"},
}


class Database:
    """Owns the connections; stores borrow them through `transaction()` / `reading()`.

    It is also the `SqlDatabase` the stores shared with PostgreSQL take
    (`rtcc.storage.sql`): sqlite3 speaks `?` parameter markers already.

    SQLite allows one writer at a time, so writes are serialised by a lock here
    rather than by `database is locked` retries; WAL lets reads run beside them.
    """

    def __init__(self, path: Path, synchronous: Synchronous = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._writer = self._connect(synchronous)
        self._reader = self._connect(synchronous)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        with self.transaction() as conn:
            for script in schema_scripts():
                for statement in _split_sql(script):
                    conn.execute(statement)
        upgrade_columns(self)

    def _connect(self, synchronous: Synchronous) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA secure_delete=ON")  # a purged row's bytes are zeroed, not freed
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction on the writer: commit on success, roll back on error."""
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._read_lock:
            yield self._reader

    @contextmanager
    def streaming(
        self, sql: str, parameters: Sequence[Any] = (), batch: int = 5000
    ) -> Iterator[Iterable[Any]]:
        """sqlite3 steps through a result row by row already, in one read snapshot."""
        with self.reading() as conn:
            cursor = conn.execute(sql, parameters)
            try:
                yield cursor
            finally:
                cursor.close()

    dialect: Literal["sqlite", "postgres"] = "sqlite"

    def lock(self, conn: object, key: str) -> None:
        """Nothing to do: the write lock already makes every writer take its turn."""

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (after a purge, so no
        page image of a deleted row stays in the log)."""
        with self._write_lock:
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def journal_mode(self) -> str:
        with self.reading() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self._writer.close()
            self._reader.close()


def upgrade_columns(db: Database) -> None:
    """Add the lockout, MFA, idle-session and audit purpose columns to a database made
    before them."""
    with db.transaction() as conn:
        for table, columns in _ADDED_COLUMNS.items():
            existing = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns.items():
                if name not in existing:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
        conn.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS users_external_identity"
            " ON users (external_issuer, external_subject) WHERE external_issuer IS NOT NULL"
        )


def schema_scripts() -> list[str]:
    """`schema.sql` first, then each domain's `schema_<domain>.sql` in name order.

    A domain (hotlists, private cameras, …) keeps its tables beside its store module
    instead of growing one shared file; every statement is `IF NOT EXISTS`.
    """
    folder = resources.files("rtcc.storage.sqlite")
    extra = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.startswith("schema_") and entry.name.endswith(".sql")
    )
    return [folder.joinpath(name).read_text() for name in ("schema.sql", *extra)]


def _split_sql(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        candidate = "\n".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    return statements
