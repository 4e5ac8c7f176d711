"""User accounts, browser sessions and machine API keys in SQLite (hashes only)."""

from datetime import datetime

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import User
from rtcc.storage.sqlite.database import Database


class SqliteAccountStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_user(self, username: str, password_hash: str, role: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                (username, password_hash, role, iso(utcnow())),
            )

    def get_user(self, username: str) -> User | None:
        sql = "SELECT username, password_hash, role, disabled FROM users WHERE username = ?"
        with self._db.reading() as conn:
            row = conn.execute(sql, (username,)).fetchone()
        return User(row[0], row[1], row[2], bool(row[3])) if row else None

    def list_users(self) -> list[User]:
        sql = "SELECT username, password_hash, role, disabled FROM users ORDER BY username"
        with self._db.reading() as conn:
            return [User(r[0], r[1], r[2], bool(r[3])) for r in conn.execute(sql)]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
            )
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def add_session(self, token_hash: str, username: str, expires_at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (iso(utcnow()),))
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (token_hash, username, iso(utcnow()), iso(expires_at)),
            )

    def session_user(self, token_hash: str, now: datetime) -> User | None:
        sql = (
            "SELECT u.username, u.password_hash, u.role, u.disabled FROM sessions s "
            "JOIN users u ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ?"
        )
        with self._db.reading() as conn:
            row = conn.execute(sql, (token_hash, iso(now))).fetchone()
        return User(row[0], row[1], row[2], bool(row[3])) if row else None

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
        return (row[0], row[1]) if row else None

    def list_sources(self) -> list[str]:
        sql = "SELECT DISTINCT source FROM api_keys WHERE revoked = 0 ORDER BY source"
        with self._db.reading() as conn:
            return [r[0] for r in conn.execute(sql)]
