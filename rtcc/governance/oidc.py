"""Sign-in through the agency identity provider: OpenID Connect authorization code + PKCE.

`begin` sends the browser to the provider with a fresh state, nonce and S256 challenge;
`complete` takes the answer back, redeems the code, verifies the ID token, maps the
provider's groups to one OpenRTCC role (none mapped: refused, never a default role),
checks the provider asserted multi-factor where the role needs it, then provisions or
updates the local account. Every outcome is audited through the DecisionPoint.

Sign-ins in progress live in this process's memory for ten minutes: one server, as
deployed; a restart only means starting the sign-in again.
"""

import hmac
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from rtcc.governance.authz import DecisionPoint
from rtcc.governance.hardening import mfa_required_for
from rtcc.governance.identity import token_hash
from rtcc.governance.login import LoginRefused
from rtcc.governance.oidc_client import OidcError, ProviderClient
from rtcc.governance.oidc_config import OidcSettings
from rtcc.governance.roles import Role
from rtcc.storage.base import AccountStore, User

FLOW_TTL = timedelta(minutes=10)
MAX_PENDING = 10_000
_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
UNKNOWN_ACTOR = "(oidc sign-in)"


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    nonce: str
    verifier: str
    binding_hash: str  # the browser that started it holds the binding in a cookie
    next_path: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class SignInStart:
    authorize_url: str
    binding: str  # goes into a short-lived cookie, so only this browser can finish


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    next_path: str


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """What the provider sent back to the redirect URL, and the browser's binding cookie."""

    state: str | None
    code: str | None
    error: str | None
    error_description: str | None
    binding: str | None


class OidcSignIn:
    def __init__(
        self,
        settings: OidcSettings,
        accounts: AccountStore,
        decisions: DecisionPoint,
        provider: ProviderClient | None = None,
    ) -> None:
        self._settings = settings
        self._accounts = accounts
        self._decisions = decisions
        self.provider = provider or ProviderClient(settings)
        self._pending: dict[str, PendingSignIn] = {}
        self._lock = threading.Lock()

    def begin(self, next_path: str, now: datetime) -> SignInStart:
        try:
            meta = self.provider.metadata()
        except OidcError as exc:
            self._refuse(UNKNOWN_ACTOR, 502, exc.code, exc.message)
        state, nonce, verifier, binding = (generate_token(48) for _ in range(4))
        with self._lock:
            self._expire(now)
            if len(self._pending) >= MAX_PENDING:
                message = "too many sign-ins in progress; try again in a few minutes"
                self._refuse(UNKNOWN_ACTOR, 503, "oidc_busy", message)
            self._pending[state] = PendingSignIn(
                nonce, verifier, token_hash(binding), next_path, now
            )
        url = add_params_to_uri(
            meta.authorization_endpoint,
            [
                ("response_type", "code"),
                ("client_id", self._settings.client_id or ""),
                ("redirect_uri", self._settings.redirect_url or ""),
                ("scope", " ".join(self._settings.scopes)),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", create_s256_code_challenge(verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return SignInStart(url, binding)

    def complete(self, answer: CallbackParams, now: datetime) -> SignedIn:
        pending = self._take(answer.state, now)
        if pending is None:
            message = "this answer matches no sign-in started here (unknown, used or expired)"
            self._refuse(UNKNOWN_ACTOR, 400, "oidc_state", message)
        binding = token_hash(answer.binding or "")
        if not hmac.compare_digest(binding, pending.binding_hash):
            message = "this sign-in was started in another browser; start again here"
            self._refuse(UNKNOWN_ACTOR, 400, "oidc_state", message)
        if answer.error:
            message = f"the identity provider refused: {answer.error}"
            if answer.error_description:
                message += f" ({answer.error_description[:200]})"
            self._refuse(UNKNOWN_ACTOR, 401, "oidc_provider_error", message)
        if not answer.code:
            self._refuse(UNKNOWN_ACTOR, 400, "oidc_code", "the answer carries no code")
        try:
            id_token = self.provider.exchange_code(answer.code, pending.verifier)
            claims = self.provider.verify_id_token(id_token, pending.nonce, now)
        except OidcError as exc:
            self._refuse(UNKNOWN_ACTOR, 401, exc.code, exc.message)
        return SignedIn(self._admit(claims, now), pending.next_path)

    def _admit(self, claims: dict[str, Any], now: datetime) -> User:
        """From verified claims to a local account: name, role, multi-factor, provisioning."""
        issuer, subject = str(claims["iss"]), str(claims["sub"])
        name = claims.get(self._settings.username_claim)
        actor = name if isinstance(name, str) and _USERNAME.match(name) else f"{subject}@{issuer}"
        if actor != name:
            message = (
                f"the ID token's {self._settings.username_claim!r} claim is missing or not a "
                "valid username (1-64 letters, digits, . _ @ + -)"
            )
            self._refuse(actor, 403, "oidc_username", message)
        role, held = self._role(claims, actor)
        how = self._multi_factor(claims, role, actor)
        user = self._account(issuer, subject, actor, role, now)
        if user.role != role.value:
            self._accounts.set_role(user.username, role.value)
        self._accounts.reset_login_failures(user.username)
        reason = (
            f"signed in through {self._settings.display_name} (sub {subject}); "
            f"role {role.value} from {self._settings.role_claim} {held!r}; {how}"
        )
        self._decisions.record_login(user.username, True, reason, code="oidc")
        return self._accounts.get_user(user.username) or user

    def _role(self, claims: dict[str, Any], actor: str) -> tuple[Role, str]:
        """The first entry of the role map the user holds (the map's order is precedence)."""
        raw = claims.get(self._settings.role_claim)
        held = {raw} if isinstance(raw, str) else {v for v in raw or () if isinstance(v, str)}
        for value, role in self._settings.role_map.items():
            if value in held:
                return role, value
        shown = ", ".join(sorted(held)[:10]) or "none"
        message = (
            f"no OpenRTCC role is mapped to your {self._settings.role_claim!r} ({shown}); "
            "ask an administrator to map your group in oidc.role_map"
        )
        self._refuse(actor, 403, "oidc_role_unmapped", message)

    def _multi_factor(self, claims: dict[str, Any], role: Role, actor: str) -> str:
        amr = claims.get("amr")
        methods = [m for m in amr if isinstance(m, str)] if isinstance(amr, list) else []
        acr = claims.get("acr")
        if set(methods) & set(self._settings.mfa_amr_values):
            return f"multi-factor asserted by the provider (amr {methods})"
        if isinstance(acr, str) and acr in self._settings.mfa_acr_values:
            return f"multi-factor asserted by the provider (acr {acr!r})"
        if not mfa_required_for(role):
            return "no multi-factor asserted (not required for this role)"
        message = (
            f"role {role.value} needs multi-factor sign-in, but {self._settings.display_name} "
            f"did not assert it (amr {methods or 'absent'}, acr {acr or 'absent'}); sign in "
            "there with your second factor, or ask for the provider to require it"
        )
        self._refuse(actor, 403, "oidc_mfa_required", message)

    def _account(self, issuer: str, subject: str, name: str, role: Role, now: datetime) -> User:
        user = self._accounts.external_user(issuer, subject)
        if user is None:
            local = self._accounts.get_user(name)
            if local is None:
                self._accounts.add_external_user(name, role.value, issuer, subject)
                created = self._accounts.get_user(name)
                assert created is not None
                return created
            if local.external_issuer is not None or not self._settings.link_existing_accounts:
                message = (
                    f"a different account named {name!r} already exists here; an administrator "
                    "must rename it, or allow linking (oidc.link_existing_accounts)"
                )
                self._refuse(name, 409, "oidc_account_conflict", message)
            self._accounts.link_external_identity(name, issuer, subject)
            user = self._accounts.get_user(name)
            assert user is not None
        if user.disabled:
            self._refuse(user.username, 403, "oidc_disabled", "this account is disabled")
        if user.locked_until is not None and user.locked_until > now:
            self._refuse(user.username, 403, "oidc_locked", "this account is locked")
        return user

    def _take(self, state: str | None, now: datetime) -> PendingSignIn | None:
        """The sign-in this state belongs to, removed: each state is good for one answer."""
        with self._lock:
            self._expire(now)
            return self._pending.pop(state, None) if state else None

    def _expire(self, now: datetime) -> None:
        for state in [s for s, p in self._pending.items() if now - p.started_at > FLOW_TTL]:
            del self._pending[state]

    def _refuse(self, actor: str, status: int, code: str, message: str) -> NoReturn:
        self._decisions.record_login(actor, False, message, code=code)
        raise LoginRefused(status, "oidc", code, message)
