"""Principals and their credentials: argon2 for passwords, SHA-256 for random tokens.

API keys and session tokens are 256-bit random values, so a fast hash is enough to
make a stolen database useless; passwords are chosen by people, so they get argon2.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rtcc.governance.roles import Role

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser")
API_KEY_PREFIX = "rtcc_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a person with a session or a machine source with an API key."""

    name: str
    kind: Literal["user", "source", "partner", "anonymous"]
    role: Role | None
    unit: str | None = None  # attributes the decision point weighs beside the role
    camera_groups: frozenset[str] = frozenset()

    @property
    def role_name(self) -> str:
        return self.role.value if self.role else "none"


ANONYMOUS = Principal(name="anonymous", kind="anonymous", role=None)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: an unknown user still costs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(15)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_key() -> tuple[str, str, str]:
    """(key shown once to the operator, key id stored in clear, secret hash stored)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}{key_id}_{secret}", key_id, token_hash(secret)


def split_api_key(key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(API_KEY_PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(secret), stored_hash)
