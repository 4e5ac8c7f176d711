"""CJIS-style identity policy: lockout, who must use MFA, idle sessions (constants, not settings).

These are deliberately constants: they are security policy, not tuning. The one
per-deployment switch is `RTCC_MFA_REQUIRED` (default true), read at each login.
"""

import os
from datetime import timedelta

from rtcc.governance.roles import Role

MAX_FAILED_LOGINS = 5
"""Consecutive failures (wrong password or wrong one-time code) before the account locks."""
LOCKOUT = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
"""A session not used for this long is no longer valid."""
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""A session's last use is written at most this often, not on every request."""
MFA_REQUIRED_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ANALYST, Role.OFFICER})
"""Roles that can see criminal-justice information must sign in with a second factor."""
MFA_ENV = "RTCC_MFA_REQUIRED"


def mfa_enforced() -> bool:
    """The deployment switch: MFA is enforced unless RTCC_MFA_REQUIRED is false/0/no/off."""
    return os.environ.get(MFA_ENV, "true").strip().lower() not in ("false", "0", "no", "off")


def mfa_required_for(role: Role) -> bool:
    return mfa_enforced() and role in MFA_REQUIRED_ROLES
