"""User accounts, browser sessions and machine API keys (both backends; hashes only).

Exception: a user's TOTP secret is stored in clear, because verifying a code needs it.
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import AlreadyExists, User
from rtcc.storage.sql import SqlDatabase

_USER_COLUMNS = "u.username, u.password_hash, u.role, u.disabled, u.failed_logins, "
_USER_COLUMNS += "u.locked_until, u.mfa_secret"
_USER_COLUMNS += ", u.external_issuer, u.external_subject, u.unit, u.camera_groups"
EXTERNAL_PASSWORD = "!external"  # noqa: S105 (no argon2 hash: nothing verifies against it)


def _user(row: tuple[Any, ...]) -> User:
    locked = row[5]
    return User(
        username=str(row[0]),
        password_hash=str(row[1]),
        role=str(row[2]),
        disabled=bool(row[3]),
        failed_logins=int(row[4]),
        locked_until=datetime.fromisoformat(str(locked)) if locked else None,
        mfa_secret=str(row[6]) if row[6] else None,
        external_issuer=str(row[7]) if row[7] else None,
        external_subject=str(row[8]) if row[8] else None,
        unit=str(row[9]) if row[9] else None,
        camera_groups=tuple(json.loads(str(row[10] or "[]"))),
    )


class SqlAccountStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add_user(self, username: str, password_hash: str, role: str) -> None:
        """ON CONFLICT on the username: two processes creating one name at once (the
        first admin on a fresh database) store it once, and the other learns it exists."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO users (username, password_hash, role, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING",
                (username, password_hash, role, iso(utcnow())),
            )
            if cursor.rowcount != 1:
                raise AlreadyExists(f"user {username} already exists")

    def get_user(self, username: str) -> User | None:
        sql = f"SELECT {_USER_COLUMNS} FROM users u WHERE u.username = ?"
        with self._db.reading() as conn:
            row = conn.execute(sql, (username,)).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[User]:
        sql = f"SELECT {_USER_COLUMNS} FROM users u ORDER BY u.username"
        with self._db.reading() as conn:
            return [_user(r) for r in conn.execute(sql).fetchall()]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
            )
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def record_login_failure(
        self, username: str, now: datetime, max_failures: int, lock_for: timedelta
    ) -> datetime | None:
        """Count one failure; at `max_failures` lock until now + lock_for and return that.

        One UPDATE, so concurrent failures (several API processes) each count: the row
        lock orders them and exactly one of them crosses the threshold. A count of 0
        after the update can only mean this update reached it and locked the account.
        """
        until = now + lock_for
        with self._db.transaction() as conn:
            row = conn.execute(
                "UPDATE users SET"
                " failed_logins = CASE WHEN failed_logins + 1 >= ?"
                "   THEN 0 ELSE failed_logins + 1 END,"
                " locked_until = CASE WHEN failed_logins + 1 >= ?"
                "   THEN ? ELSE locked_until END"
                " WHERE username = ? RETURNING failed_logins = 0",
                (max_failures, max_failures, iso(until), username),
            ).fetchone()
        return until if row is not None and row[0] else None

    def reset_login_failures(self, username: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                (username,),
            )

    def set_locked_until(self, username: str, until: datetime | None) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET locked_until = ? WHERE username = ?",
                (iso(until) if until else None, username),
            )

    def set_attributes(self, username: str, unit: str | None, camera_groups: Sequence[str]) -> None:
        groups = json.dumps(sorted(set(camera_groups)))
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET unit = ?, camera_groups = ? WHERE username = ?",
                (unit, groups, username),
            )

    def set_mfa_secret(self, username: str, secret: str | None) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE users SET mfa_secret = ? WHERE username = ?", (secret, username))

    def add_session(self, token_hash: str, username: str, expires_at: datetime) -> None:
        now = iso(utcnow())
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            conn.execute(
                "INSERT INTO sessions (token_hash, username, created_at, expires_at, last_seen_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash, username, now, iso(expires_at), now),
            )

    def session_user(
        self, token_hash: str, now: datetime, idle_timeout: timedelta, touch_every: timedelta
    ) -> User | None:
        """The session's user unless expired or idle; its last use is written at most
        once per `touch_every`, so a busy session does not cost a write per request."""
        sql = (
            f"SELECT {_USER_COLUMNS}, s.last_seen_at FROM sessions s "
            "JOIN users u ON u.username = s.username "
            "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?"
        )
        with self._db.reading() as conn:
            row = conn.execute(sql, (token_hash, iso(now), iso(now - idle_timeout))).fetchone()
        if row is None:
            return None
        if row[-1] < iso(now - touch_every):
            with self._db.transaction() as conn:
                conn.execute(
                    "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                    (iso(now), token_hash),
                )
        return _user(row)

    def set_session_last_seen(self, token_hash: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (iso(at), token_hash)
            )

    def delete_session(self, token_hash: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def add_api_key(self, key_id: str, source: str, key_hash: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO api_keys (key_id, source, key_hash, created_at) VALUES (?, ?, ?, ?)",
                (key_id, source, key_hash, iso(utcnow())),
            )

    def api_key_source(self, key_id: str) -> tuple[str, str] | None:
        sql = "SELECT source, key_hash FROM api_keys WHERE key_id = ? AND revoked = 0"
        with self._db.reading() as conn:
            row = conn.execute(sql, (key_id,)).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def list_sources(self) -> list[str]:
        sql = "SELECT DISTINCT source FROM api_keys WHERE revoked = 0 ORDER BY source"
        with self._db.reading() as conn:
            return [str(r[0]) for r in conn.execute(sql).fetchall()]

    def add_external_user(self, username: str, role: str, issuer: str, subject: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO users (username, password_hash, role, created_at, external_issuer,"
                " external_subject) VALUES (?, ?, ?, ?, ?, ?)",
                (username, EXTERNAL_PASSWORD, role, iso(utcnow()), issuer, subject),
            )

    def external_user(self, issuer: str, subject: str) -> User | None:
        sql = f"SELECT {_USER_COLUMNS} FROM users u"
        sql += " WHERE u.external_issuer = ? AND u.external_subject = ?"
        with self._db.reading() as conn:
            row = conn.execute(sql, (issuer, subject)).fetchone()
        return _user(row) if row else None

    def link_external_identity(self, username: str, issuer: str, subject: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET external_issuer = ?, external_subject = ?, password_hash = ?"
                " WHERE username = ?",
                (issuer, subject, EXTERNAL_PASSWORD, username),
            )
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def set_role(self, username: str, role: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
