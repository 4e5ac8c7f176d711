"""First-run set-up: an admin with a generated password, API keys for sources."""

from rtcc.governance import mfa
from rtcc.governance.identity import hash_password, new_api_key, new_password
from rtcc.governance.roles import PEOPLE_ROLES, Role
from rtcc.storage.base import AccountStore, AlreadyExists


def ensure_admin(accounts: AccountStore, username: str = "admin") -> str | None:
    """Create the admin on first run; returns the generated password (shown once) or None."""
    if accounts.get_user(username) is not None:
        return None
    password = new_password()
    try:
        accounts.add_user(username, hash_password(password), Role.ADMIN.value)
    except AlreadyExists:  # another process starting beside this one made it first
        return None
    return password


def create_user(accounts: AccountStore, username: str, role: Role) -> str:
    if role not in PEOPLE_ROLES:
        raise ValueError(f"role {role.value} is for machines (API keys, signed requests)")
    password = new_password()
    accounts.add_user(username, hash_password(password), role.value)
    return password


def reset_password(accounts: AccountStore, username: str) -> str:
    if accounts.get_user(username) is None:
        raise KeyError(username)
    password = new_password()
    accounts.set_password_hash(username, hash_password(password))
    return password


def create_source_key(accounts: AccountStore, source: str) -> str:
    """A new API key for a machine source; only its hash is stored, so show it once."""
    key, key_id, key_hash = new_api_key()
    accounts.add_api_key(key_id, source, key_hash)
    return key


def enrol_mfa(accounts: AccountStore, username: str) -> str:
    """A new TOTP secret for the user (replacing any old one); returns its provisioning URI."""
    if accounts.get_user(username) is None:
        raise KeyError(username)
    secret = mfa.new_secret()
    accounts.set_mfa_secret(username, secret)
    return mfa.provisioning_uri(secret, username)
