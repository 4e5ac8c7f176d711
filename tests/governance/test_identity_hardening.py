"""Lockout, TOTP second factor, idle sessions and the audit rows they leave (no sleeping:
every test passes the time in, or moves stored times back)."""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from typer.testing import CliRunner

from rtcc.cli import app as cli
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.bootstrap import enrol_mfa
from rtcc.governance.hardening import LOCKOUT, MAX_FAILED_LOGINS, MFA_REQUIRED_ROLES
from rtcc.governance.identity import hash_password
from rtcc.governance.login import Login, LoginRefused
from rtcc.governance.roles import Role
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
PASSWORD = "correct horse"


@pytest.fixture
def storage(backend: Storage) -> Storage:
    backend.accounts.add_user("ana", hash_password(PASSWORD), "analyst")
    return backend


@pytest.fixture
def login(storage: Storage) -> Login:
    return Login(storage.accounts, DecisionPoint(storage.audit))


def failures(storage: Storage) -> int:
    user = storage.accounts.get_user("ana")
    assert user is not None
    return user.failed_logins


def refused(login: Login, password: str, at: datetime, otp: str | None = None) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        login.authenticate("ana", password, otp, at)
    return caught.value


def test_five_failures_lock_for_fifteen_minutes_then_release(login: Login) -> None:
    for i in range(MAX_FAILED_LOGINS):
        assert refused(login, "wrong", T0 + timedelta(seconds=i)).code == "invalid_credentials"
    locked = refused(login, PASSWORD, T0 + timedelta(minutes=5))
    assert (locked.status, locked.field, locked.code) == (401, "username", "locked")
    until = T0 + timedelta(seconds=MAX_FAILED_LOGINS - 1) + LOCKOUT
    assert "until 2026-11-25T20:15:04Z (UTC)" in locked.message
    assert refused(login, PASSWORD, until - timedelta(seconds=1)).code == "locked"
    assert login.authenticate("ana", PASSWORD, None, until + timedelta(seconds=1)).username == "ana"


def test_a_success_resets_the_count(login: Login, storage: Storage) -> None:
    for _ in range(MAX_FAILED_LOGINS - 1):
        refused(login, "wrong", T0)
    assert failures(storage) == MAX_FAILED_LOGINS - 1
    login.authenticate("ana", PASSWORD, None, T0)
    for _ in range(MAX_FAILED_LOGINS - 1):
        refused(login, "wrong", T0)
    assert login.authenticate("ana", PASSWORD, None, T0).username == "ana"


def test_failures_and_the_lock_are_audited(login: Login, storage: Storage) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        refused(login, "wrong", T0)
    refused(login, PASSWORD, T0)
    rows = list(reversed(storage.audit.recent(20)))
    logins = [r for r in rows if r["action"] == "auth.login"]
    assert [r["outcome"] for r in logins] == ["deny"] * (MAX_FAILED_LOGINS + 1)
    assert all(r["reason"].startswith("invalid_credentials:") for r in logins[:-1])
    assert logins[-1]["reason"].startswith("locked:") and logins[-1]["actor"] == "ana"
    locks = [r for r in rows if r["action"] == "auth.lock"]
    assert len(locks) == 1 and locks[0]["actor"] == "ana" and locks[0]["outcome"] == "deny"
    assert "locked until 2026-11-25T20:15:00" in locks[0]["reason"]
    assert storage.audit.verify()[0]


def test_enrolled_user_needs_a_valid_code(login: Login, storage: Storage) -> None:
    uri = enrol_mfa(storage.accounts, "ana")
    secret = pyotp.parse_uri(uri).secret
    assert secret
    missing = refused(login, PASSWORD, T0)
    assert (missing.status, missing.field, missing.code) == (401, "otp", "otp_required")
    stale = pyotp.TOTP(secret).at(T0 - timedelta(minutes=5))
    wrong = refused(login, PASSWORD, T0, stale)
    assert (wrong.status, wrong.field, wrong.code) == (401, "otp", "otp_invalid")
    assert failures(storage) == 1
    assert refused(login, PASSWORD, T0, "12345").code == "otp_invalid"
    user = login.authenticate("ana", PASSWORD, pyotp.TOTP(secret).at(T0), T0)
    assert user.username == "ana" and user.failed_logins == 2
    assert failures(storage) == 0
    rows = storage.audit.recent(1)
    assert rows[0]["reason"] == "password and one-time code verified"


def test_wrong_codes_count_towards_the_lock(login: Login, storage: Storage) -> None:
    uri = enrol_mfa(storage.accounts, "ana")
    secret = pyotp.parse_uri(uri).secret
    stale = pyotp.TOTP(secret).at(T0 - timedelta(hours=1))
    for _ in range(MAX_FAILED_LOGINS):
        assert refused(login, PASSWORD, T0, stale).code == "otp_invalid"
    assert refused(login, PASSWORD, T0, pyotp.TOTP(secret).at(T0)).code == "locked"


def test_mfa_required_roles_must_enrol_when_enforced(
    login: Login, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert {Role.ADMIN, Role.SUPERVISOR, Role.ANALYST, Role.OFFICER} == MFA_REQUIRED_ROLES
    monkeypatch.setenv("RTCC_MFA_REQUIRED", "true")
    missing = refused(login, PASSWORD, T0)
    assert (missing.status, missing.field, missing.code) == (403, "otp", "mfa_not_enrolled")
    assert "rtcc users enrol-mfa ana" in missing.message
    assert failures(storage) == 0
    storage.accounts.add_user("aud", hash_password(PASSWORD), "auditor")
    assert login.authenticate("aud", PASSWORD, None, T0).role == "auditor"
    monkeypatch.delenv("RTCC_MFA_REQUIRED")
    assert refused(login, PASSWORD, T0).code == "mfa_not_enrolled"  # the default is on


def test_idle_sessions_end_and_use_is_written_at_most_once_a_minute(
    storage: Storage,
) -> None:
    accounts, idle, every = storage.accounts, timedelta(minutes=30), timedelta(minutes=1)
    accounts.add_session("tok", "ana", T0 + timedelta(hours=12))
    accounts.set_session_last_seen("tok", T0)

    def last_seen() -> str:
        # Both backends lend a connection through `db.reading()` (not part of `Storage`).
        with storage.db.reading() as conn:  # type: ignore[attr-defined]
            return str(conn.execute("SELECT last_seen_at FROM sessions").fetchone()[0])

    assert accounts.session_user("tok", T0 + timedelta(seconds=30), idle, every) is not None
    assert last_seen().startswith("2026-11-25T20:00:00")  # not rewritten within a minute
    assert accounts.session_user("tok", T0 + timedelta(minutes=29), idle, every) is not None
    assert last_seen().startswith("2026-11-25T20:29:00")  # touched: idle time restarts
    assert accounts.session_user("tok", T0 + timedelta(minutes=58), idle, every) is not None
    assert accounts.session_user("tok", T0 + timedelta(minutes=88, seconds=1), idle, every) is None


def test_an_old_database_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
        "role TEXT NOT NULL, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL);"
        f"INSERT INTO users VALUES ('old', '{hash_password(PASSWORD)}', 'officer', 't', 0);"
    )
    conn.close()
    storage = SqliteStorage(path, "NORMAL")
    user = storage.accounts.get_user("old")
    assert user is not None and user.failed_logins == 0 and user.mfa_secret is None
    assert Login(storage.accounts, DecisionPoint(storage.audit)).authenticate(
        "old", PASSWORD, None, T0
    )
    SqliteStorage(path, "NORMAL").close()  # a second start finds nothing to add


def database_url(storage: Storage) -> str:
    """What RTCC_DATABASE_URL names to open the same database as `storage`."""
    if isinstance(storage, SqliteStorage):
        return f"sqlite:///{storage.db.path}"
    from rtcc.storage.postgres import PostgresStorage

    assert isinstance(storage, PostgresStorage)
    return storage.db.url


def test_cli_enrol_mfa_writes_a_qr_code_and_prints_the_uri(
    backend: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RTCC_DATABASE_URL", database_url(backend))
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "add", "ofc", "officer"]).exit_code == 0
    qr = tmp_path / "qr" / "ofc.svg"
    result = runner.invoke(cli, ["users", "enrol-mfa", "ofc", "--qr", str(qr)])
    assert result.exit_code == 0, result.output
    uri = next(line for line in result.output.splitlines() if line.startswith("otpauth://"))
    assert uri.startswith("otpauth://totp/OpenRTCC:ofc?") and "issuer=OpenRTCC" in uri
    assert qr.read_text().lstrip().startswith(("<?xml", "<svg")) and "<svg" in qr.read_text()
    stored = backend.accounts.get_user("ofc")
    assert stored is not None and stored.mfa_secret == pyotp.parse_uri(uri).secret
    missing = runner.invoke(cli, ["users", "enrol-mfa", "nobody", "--qr", str(qr)])
    assert missing.exit_code == 2 and "no such user" in missing.output


def test_failures_at_once_each_count_and_exactly_one_locks(storage: Storage) -> None:
    """Several API processes counting failures for one account at the same moment: none is
    lost, and exactly one of each `MAX_FAILED_LOGINS` crosses the threshold and locks."""
    attempts = 4 * MAX_FAILED_LOGINS + 2
    start = threading.Barrier(attempts)

    def fail(_: int) -> datetime | None:
        start.wait()
        return storage.accounts.record_login_failure("ana", T0, MAX_FAILED_LOGINS, LOCKOUT)

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        locks = [until for until in pool.map(fail, range(attempts)) if until is not None]
    assert locks == [T0 + LOCKOUT] * 4
    assert failures(storage) == 2
