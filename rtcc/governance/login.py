"""Signing in: password, then lockout and the second factor, each outcome audited.

The route only turns a `LoginRefused` into an HTTP answer; every decision (and its
audit row, through the DecisionPoint) is taken here.
"""

from datetime import datetime
from typing import NoReturn

from rtcc.core.clock import iso
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.hardening import LOCKOUT, MAX_FAILED_LOGINS, mfa_required_for
from rtcc.governance.identity import verify_password
from rtcc.governance.mfa import verify_code
from rtcc.governance.roles import Role
from rtcc.storage.base import AccountStore, User

WRONG_CREDENTIALS = "wrong username or password"


class LoginRefused(Exception):
    """Why a login did not succeed: HTTP status, the field at fault, a reason code, a message."""

    def __init__(self, status: int, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.code = code
        self.message = message


class Login:
    """Checks one login attempt against the account, its lock and its second factor."""

    def __init__(self, accounts: AccountStore, decisions: DecisionPoint) -> None:
        self._accounts = accounts
        self._decisions = decisions

    def authenticate(self, username: str, password: str, otp: str | None, now: datetime) -> User:
        user = self._accounts.get_user(username)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            until = iso(user.locked_until)[:19] + "Z"
            message = f"account locked after repeated failed logins until {until} (UTC)"
            self._decisions.record_login(username, False, message, code="locked")
            raise LoginRefused(401, "username", "locked", message)
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or user.disabled:
            self._fail(username, now, "password", "invalid_credentials", WRONG_CREDENTIALS)
        if user.mfa_secret is not None:
            if otp is None:
                message = "enter the 6-digit code from your authenticator app"
                self._decisions.record_login(username, False, message, code="otp_required")
                raise LoginRefused(401, "otp", "otp_required", message)
            if not verify_code(user.mfa_secret, otp, now):
                self._fail(username, now, "otp", "otp_invalid", "wrong or expired one-time code")
        elif mfa_required_for(Role(user.role)):
            message = (
                f"role {user.role} must sign in with a one-time code, but no authenticator is "
                f"enrolled; an administrator must run: rtcc users enrol-mfa {username}"
            )
            self._decisions.record_login(username, False, message, code="mfa_not_enrolled")
            raise LoginRefused(403, "otp", "mfa_not_enrolled", message)
        self._accounts.reset_login_failures(username)
        how = "password and one-time code verified" if user.mfa_secret else "password verified"
        self._decisions.record_login(username, True, how)
        return user

    def _fail(self, username: str, now: datetime, field: str, code: str, message: str) -> NoReturn:
        """A failed attempt counts towards the lock; the lock is audited with the failure."""
        until = self._accounts.record_login_failure(username, now, MAX_FAILED_LOGINS, LOCKOUT)
        self._decisions.record_login(username, False, message, code=code, locked_until=until)
        raise LoginRefused(401, field, code, message)
