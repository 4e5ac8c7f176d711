"""The operator's commands: accounts, keys, the audit check, first-run admin."""

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rtcc.cli import app
from rtcc.governance.bootstrap import ensure_admin
from rtcc.governance.identity import verify_password
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RTCC_DATA_DIR", str(tmp_path))
    return tmp_path


def test_admin_password_is_generated_once_and_never_fixed(backend: Storage, tmp_path: Path) -> None:
    first = backend
    other = SqliteStorage(tmp_path / "other.db")  # another installation
    password = ensure_admin(first.accounts)
    assert password and len(password) >= 16
    assert ensure_admin(first.accounts) is None
    assert ensure_admin(other.accounts) != password
    admin = first.accounts.get_user("admin")
    assert admin is not None and admin.role == "admin"
    assert verify_password(admin.password_hash, password)


def test_users_add_and_reset(data_dir: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "ana", "analyst"])
    assert added.exit_code == 0 and "ana (analyst): password" in added.output
    reset = runner.invoke(app, ["users", "reset-password", "ana"])
    assert reset.exit_code == 0 and "new password" in reset.output
    missing = runner.invoke(app, ["users", "reset-password", "nobody"])
    assert missing.exit_code == 2 and "no such user" in missing.output
    bad_role = runner.invoke(app, ["users", "add", "eve", "superuser"])
    assert bad_role.exit_code != 0


def test_sources_add_prints_a_key_stored_only_as_hash(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["sources", "add", "shotspotter"])
    assert result.exit_code == 0
    key = next(word for word in result.output.split() if word.startswith("rtcc_"))
    raw = b"".join(path.read_bytes() for path in data_dir.glob("rtcc.db*"))
    assert key.encode() not in raw and key.split("_")[-1].encode() not in raw


def test_audit_verify_exit_code(
    backend: Storage, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command opens the backend's database; the forged row goes in beside it.
    db: Any = backend.db  # type: ignore[attr-defined]  # both backends have one
    url = f"sqlite:///{db.path}" if isinstance(backend, SqliteStorage) else db.url
    monkeypatch.setenv("RTCC_DATABASE_URL", url)
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO audit (seq, at, actor, actor_kind, role, action, resource, outcome, "
            "reason, prev_hash, hash) VALUES (1, 't', 'x', 'user', 'admin', 'a', 'r', 'allow', "
            "'forged', '0', '0')"
        )
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output
