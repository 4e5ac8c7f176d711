"""Any single tamper with the audit trail is caught by `rtcc audit verify`, which says where.

Each test signs checkpoints over a real trail (decisions through the decision point),
then tampers with the database the way someone with write access could: the SQLite file
through sqlite3, or the PostgreSQL database through a connection of its own; either way
the append-only triggers are dropped first. `rtcc audit verify` then opens the same
database (RTCC_DATABASE_URL) and must say where.
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rtcc.cli import app as cli
from rtcc.governance.audit_checkpoints import load_or_create_key, make_checkpoint
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission, Role
from rtcc.settings import Settings
from rtcc.storage.base import AuditRecord, Storage
from rtcc.storage.sql.audit import GENESIS, chain_hash
from rtcc.storage.sqlite import SqliteStorage

ROWS = 10
FIELDS = "at, actor, actor_kind, role, action, resource, outcome, reason, purpose, case_number"

# Runs one statement (`?` placeholders) on the tamperer's connection; returns its rows.
Run = Callable[..., list[tuple[Any, ...]]]
# Makes a change through a `Run`, committed, with the append-only triggers dropped.
Tamper = Callable[[Callable[[Run], object]], None]


def database_url(storage: Storage) -> str:
    if isinstance(storage, SqliteStorage):
        return f"sqlite:///{storage.db.path}"
    from rtcc.storage.postgres import PostgresStorage

    assert isinstance(storage, PostgresStorage)
    return storage.db.url


@pytest.fixture
def data_dir(backend: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A trail of 10 decisions with checkpoints signed after rows 5 and 10; the CLI is
    pointed at the same database."""
    monkeypatch.setenv("RTCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RTCC_DATABASE_URL", database_url(backend))
    decisions = DecisionPoint(backend.audit)
    key = load_or_create_key(tmp_path / "keys")
    for i in range(ROWS):
        who = Principal(f"user{i}", "user", Role.ANALYST if i % 2 else Role.OFFICER)
        decisions.decide(who, Permission.WALL_VIEW, f"GET /wall/{i}")
        if i + 1 in (5, ROWS):
            assert make_checkpoint(backend.audit, key) is not None
    yield tmp_path


@pytest.fixture
def tamper(backend: Storage) -> Tamper:
    """Drop the append-only triggers and make a change, committed, as someone with write
    access to the database can (sqlite3 on the file; psycopg on the PostgreSQL database)."""

    def on_sqlite(change: Callable[[Run], object]) -> None:
        assert isinstance(backend, SqliteStorage)
        with sqlite3.connect(backend.db.path) as conn:

            def run(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
                return conn.execute(sql, params).fetchall()

            run("DROP TRIGGER audit_no_update")
            run("DROP TRIGGER audit_checkpoints_no_update")
            change(run)

    def on_postgres(change: Callable[[Run], object]) -> None:
        from rtcc.storage.postgres import PostgresStorage

        assert isinstance(backend, PostgresStorage)
        with backend.db.transaction() as conn:

            def run(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
                cursor = conn.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall() if cursor.description else []

            run("DROP TRIGGER audit_no_update ON audit")
            run("DROP TRIGGER audit_checkpoints_no_update ON audit_checkpoints")
            change(run)

    return on_sqlite if isinstance(backend, SqliteStorage) else on_postgres


def verify() -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify"])
    return result.exit_code, result.output


def rechain(run: Run) -> None:
    """Recompute every hash after a change, as a careful tamperer would."""
    prev = GENESIS
    for seq, *values in run(f"SELECT seq, {FIELDS} FROM audit ORDER BY seq"):
        fields = dict(zip(FIELDS.split(", "), values, strict=True))
        digest = chain_hash(prev, fields)
        run("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest


def test_an_untouched_trail_verifies(data_dir: Path) -> None:
    code, output = verify()
    assert code == 0, output
    assert "chain intact: 10 rows" in output and "2 signed checkpoints" in output


def test_an_edited_row_is_named(data_dir: Path, tamper: Tamper) -> None:
    tamper(lambda run: run("UPDATE audit SET outcome = 'deny' WHERE seq = 3"))
    code, output = verify()
    assert code == 1 and "row 3: contents do not match its hash" in output


def test_a_deleted_row_is_named(data_dir: Path, tamper: Tamper) -> None:
    tamper(lambda run: run("DELETE FROM audit WHERE seq = 4"))
    code, output = verify()
    assert code == 1 and "row 4 missing" in output


def test_reordered_rows_are_named(data_dir: Path, tamper: Tamper) -> None:
    def swap(run: Run) -> None:
        [a] = run(f"SELECT {FIELDS}, prev_hash, hash FROM audit WHERE seq = 6")
        [b] = run(f"SELECT {FIELDS}, prev_hash, hash FROM audit WHERE seq = 7")
        sets = ", ".join(f"{name} = ?" for name in [*FIELDS.split(", "), "prev_hash", "hash"])
        run(f"UPDATE audit SET {sets} WHERE seq = 6", (*b,))
        run(f"UPDATE audit SET {sets} WHERE seq = 7", (*a,))

    tamper(swap)
    code, output = verify()
    assert code == 1 and "row 6: previous-hash link broken" in output


def test_an_edit_hidden_by_rewriting_the_chain_is_caught_by_the_checkpoint(
    data_dir: Path, tamper: Tamper
) -> None:
    def rewrite(run: Run) -> None:
        run("UPDATE audit SET actor = 'someone-else' WHERE seq = 7")
        rechain(run)

    tamper(rewrite)
    code, output = verify()
    assert "chain intact" in output  # the chain alone is fooled …
    assert code == 1 and "checkpoint 2 (rows 6-10" in output  # … the signed root is not
    assert "changed, inserted or reordered after signing" in output


def test_a_row_inserted_among_signed_rows_is_caught(data_dir: Path, tamper: Tamper) -> None:
    def insert(run: Run) -> None:
        run("UPDATE audit SET seq = seq + 1000 WHERE seq >= 3")
        run("UPDATE audit SET seq = seq - 999 WHERE seq > 1000")
        forged = ("2026-01-01T00:00:00.000Z", "ghost", "user", "admin", "audit.read")
        run(
            f"INSERT INTO audit (seq, {FIELDS}, prev_hash, hash) "
            "VALUES (3, ?, ?, ?, ?, ?, 'x', 'allow', 'forged', NULL, NULL, '', '')",
            forged,
        )
        rechain(run)

    tamper(insert)
    code, output = verify()
    assert code == 1 and "checkpoint 1 (rows 1-5" in output and "inserted" in output


def test_rows_cut_off_the_end_are_caught(data_dir: Path, tamper: Tamper) -> None:
    tamper(lambda run: run("DELETE FROM audit WHERE seq > 7"))
    code, output = verify()
    assert "chain intact: 7 rows" in output
    assert code == 1 and "checkpoint 2" in output and "3 signed rows were deleted" in output


def test_a_forged_checkpoint_fails_its_signature(data_dir: Path, tamper: Tamper) -> None:
    tamper(lambda run: run("UPDATE audit_checkpoints SET root = ? WHERE id = 1", ("0" * 64,)))
    code, output = verify()
    assert code == 1 and "checkpoint 1" in output and "signature does not verify" in output


def test_checkpoints_and_the_key_are_published_without_login(tmp_path: Path) -> None:
    from rtcc.app import create_app

    settings = Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL")
    with TestClient(create_app(settings)) as client:
        client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong-pass"})
        empty = client.get("/api/v1/audit/checkpoints").json()
        assert empty["latest"] is None and "BEGIN PUBLIC KEY" in empty["public_key_pem"]
    # the server seals the trail when it stops: the failed login is now signed
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/v1/audit/checkpoints").json()
    assert body["latest"]["count"] >= 1 and len(body["latest"]["signature"]) == 128


def execute(storage: Storage, statement: str) -> None:
    """One statement in a transaction of the store's own database."""
    if isinstance(storage, SqliteStorage):
        with storage.db.transaction() as conn:
            conn.execute(statement)
        return
    from rtcc.storage.postgres import PostgresStorage

    assert isinstance(storage, PostgresStorage)
    with storage.db.transaction() as conn:
        conn.execute(statement)


def test_the_trail_and_its_checkpoints_refuse_updates(backend: Storage, tmp_path: Path) -> None:
    """The append-only triggers, in the same words on both backends."""
    analyst = Principal("ana", "user", Role.ANALYST)
    DecisionPoint(backend.audit).decide(analyst, Permission.WALL_VIEW, "GET /")
    assert make_checkpoint(backend.audit, load_or_create_key(tmp_path / "keys")) is not None
    refused = (sqlite3.IntegrityError, psycopg.IntegrityError)
    with pytest.raises(refused, match="the audit trail is append-only"):
        execute(backend, "UPDATE audit SET outcome = 'deny'")
    with pytest.raises(refused, match="audit checkpoints are append-only"):
        execute(backend, "UPDATE audit_checkpoints SET root = ''")
    assert backend.audit.verify() == (True, 1, "ok")


def test_two_processes_appending_at_once_keep_one_chain(pg_template: str) -> None:
    """Two storages (as an API process and a worker would have) on one PostgreSQL
    database, appending from two threads at once: one unbroken chain, no fork, no gap."""
    from rtcc.storage.postgres import PostgresStorage
    from tests import pg

    per_writer = 150
    with pg.database(pg_template) as url:
        storages = [PostgresStorage(url, pool_size=2) for _ in range(2)]
        try:
            start = threading.Barrier(len(storages))
            failures: list[BaseException] = []

            def write(number: int, storage: PostgresStorage) -> None:
                try:
                    start.wait()
                    for i in range(per_writer):
                        storage.audit.append(
                            AuditRecord(
                                at=datetime.now(UTC),
                                actor=f"writer{number}",
                                actor_kind="user",
                                role="analyst",
                                action="wall.view",
                                resource=f"GET /{i}",
                                outcome="allow",
                                reason="role analyst grants wall.view",
                            )
                        )
                except BaseException as exc:  # reported below, not lost in the thread
                    failures.append(exc)

            threads = [threading.Thread(target=write, args=(n, s)) for n, s in enumerate(storages)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not failures, failures
            total = per_writer * len(storages)
            assert storages[1].audit.verify() == (True, total, "ok")
            seqs = [seq for seq, _ in storages[0].audit.row_hashes()]
            assert seqs == list(range(1, total + 1))
            actors = {row["actor"] for row in storages[0].audit.recent(total)}
            assert actors == {"writer0", "writer1"}
        finally:
            for storage in storages:
                storage.close()
