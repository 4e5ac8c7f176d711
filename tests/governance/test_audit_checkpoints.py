"""Any single tamper with the audit trail is caught by `rtcc audit verify`, which says where.

Each test signs checkpoints over a real trail (decisions through the decision point),
then tampers with the SQLite file the way someone with write access could.
"""

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rtcc.cli import app as cli
from rtcc.governance.audit_checkpoints import load_or_create_key, make_checkpoint
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission, Role
from rtcc.settings import Settings
from rtcc.storage.sqlite import SqliteStorage
from rtcc.storage.sqlite.audit import GENESIS, chain_hash

ROWS = 10
FIELDS = "at, actor, actor_kind, role, action, resource, outcome, reason, purpose, case_number"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A trail of 10 decisions with checkpoints signed after rows 5 and 10."""
    monkeypatch.setenv("RTCC_DATA_DIR", str(tmp_path))
    store = SqliteStorage(tmp_path / "rtcc.db", "NORMAL")
    decisions = DecisionPoint(store.audit)
    key = load_or_create_key(tmp_path / "keys")
    for i in range(ROWS):
        who = Principal(f"user{i}", "user", Role.ANALYST if i % 2 else Role.OFFICER)
        decisions.decide(who, Permission.WALL_VIEW, f"GET /wall/{i}")
        if i + 1 in (5, ROWS):
            assert make_checkpoint(store.audit, key) is not None
    store.close()
    yield tmp_path


def tamper(data_dir: Path, change: Callable[[sqlite3.Connection], None]) -> None:
    with sqlite3.connect(data_dir / "rtcc.db") as conn:
        conn.execute("DROP TRIGGER audit_no_update")  # what someone with file access can do
        conn.execute("DROP TRIGGER audit_checkpoints_no_update")
        change(conn)


def verify() -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify"])
    return result.exit_code, result.output


def rechain(conn: sqlite3.Connection) -> None:
    """Recompute every hash after a change, as a careful tamperer would."""
    prev = GENESIS
    for seq, *values in conn.execute(f"SELECT seq, {FIELDS} FROM audit ORDER BY seq").fetchall():
        fields = dict(zip(FIELDS.split(", "), values, strict=True))
        digest = chain_hash(prev, fields)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest


def test_an_untouched_trail_verifies(data_dir: Path) -> None:
    code, output = verify()
    assert code == 0, output
    assert "chain intact: 10 rows" in output and "2 signed checkpoints" in output


def test_an_edited_row_is_named(data_dir: Path) -> None:
    tamper(data_dir, lambda c: c.execute("UPDATE audit SET outcome = 'deny' WHERE seq = 3"))
    code, output = verify()
    assert code == 1 and "row 3: contents do not match its hash" in output


def test_a_deleted_row_is_named(data_dir: Path) -> None:
    tamper(data_dir, lambda c: c.execute("DELETE FROM audit WHERE seq = 4"))
    code, output = verify()
    assert code == 1 and "row 4 missing" in output


def test_reordered_rows_are_named(data_dir: Path) -> None:
    def swap(conn: sqlite3.Connection) -> None:
        a = conn.execute(f"SELECT {FIELDS}, prev_hash, hash FROM audit WHERE seq = 6").fetchone()
        b = conn.execute(f"SELECT {FIELDS}, prev_hash, hash FROM audit WHERE seq = 7").fetchone()
        sets = ", ".join(f"{name} = ?" for name in [*FIELDS.split(", "), "prev_hash", "hash"])
        conn.execute(f"UPDATE audit SET {sets} WHERE seq = 6", (*b,))
        conn.execute(f"UPDATE audit SET {sets} WHERE seq = 7", (*a,))

    tamper(data_dir, swap)
    code, output = verify()
    assert code == 1 and "row 6: previous-hash link broken" in output


def test_an_edit_hidden_by_rewriting_the_chain_is_caught_by_the_checkpoint(
    data_dir: Path,
) -> None:
    def rewrite(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 7")
        rechain(conn)

    tamper(data_dir, rewrite)
    code, output = verify()
    assert "chain intact" in output  # the chain alone is fooled …
    assert code == 1 and "checkpoint 2 (rows 6-10" in output  # … the signed root is not
    assert "changed, inserted or reordered after signing" in output


def test_a_row_inserted_among_signed_rows_is_caught(data_dir: Path) -> None:
    def insert(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE audit SET seq = seq + 1000 WHERE seq >= 3")
        conn.execute("UPDATE audit SET seq = seq - 999 WHERE seq > 1000")
        forged = ("2026-01-01T00:00:00.000Z", "ghost", "user", "admin", "audit.read")
        conn.execute(
            f"INSERT INTO audit (seq, {FIELDS}, prev_hash, hash) "
            "VALUES (3, ?, ?, ?, ?, ?, 'x', 'allow', 'forged', NULL, NULL, '', '')",
            forged,
        )
        rechain(conn)

    tamper(data_dir, insert)
    code, output = verify()
    assert code == 1 and "checkpoint 1 (rows 1-5" in output and "inserted" in output


def test_rows_cut_off_the_end_are_caught(data_dir: Path) -> None:
    tamper(data_dir, lambda c: c.execute("DELETE FROM audit WHERE seq > 7"))
    code, output = verify()
    assert "chain intact: 7 rows" in output
    assert code == 1 and "checkpoint 2" in output and "3 signed rows were deleted" in output


def test_a_forged_checkpoint_fails_its_signature(data_dir: Path) -> None:
    tamper(
        data_dir,
        lambda c: c.execute("UPDATE audit_checkpoints SET root = ? WHERE id = 1", ("0" * 64,)),
    )
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
