"""Settings of sign-in through the agency identity provider (OpenID Connect).

Checked when the settings load, so a server with a half-configured provider refuses to
start and names the setting at fault instead of failing at the first sign-in.
"""

import ipaddress
import os
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from rtcc.governance.roles import Role

CALLBACK_PATH = "/auth/oidc/callback"
CLIENT_SECRET_ENV = "RTCC_OIDC_CLIENT_SECRET"  # noqa: S105 (a variable name)
MFA_AMR_DEFAULT = ("mfa", "otp", "hwk")
Algorithm = Literal["RS256", "ES256"]


def _default_algorithms() -> list[Algorithm]:
    return ["RS256", "ES256"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why `url` cannot carry sign-in traffic: HTTPS, or plain HTTP only on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute https:// URL"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return "must use https:// (plain http is allowed only on a loopback address)"
    if parts.query or parts.fragment:
        return "must not carry a query or a fragment"
    return None


class OidcSettings(BaseModel):
    """One OpenID Connect provider (Keycloak, Entra ID, Okta, ...) and how its users map."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        False, description="offer 'Sign in with <display_name>' on the login page"
    )
    display_name: str = Field(
        "agency sign-in", min_length=1, max_length=60, description="the provider, as users know it"
    )
    issuer: str | None = Field(
        None, description="issuer URL; discovery reads <issuer>/.well-known/openid-configuration"
    )
    client_id: str | None = Field(None, min_length=1, max_length=256)
    client_secret: SecretStr | None = Field(
        None, description=f"prefer the {CLIENT_SECRET_ENV} environment variable over the file"
    )
    redirect_url: str | None = Field(
        None, description=f"this server's public URL of {CALLBACK_PATH}, registered at the IdP"
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile"], description="must include openid"
    )
    username_claim: str = Field(
        "preferred_username", min_length=1, description="ID-token claim that names the account"
    )
    role_claim: str = Field(
        "groups", min_length=1, description="ID-token claim listing the user's groups or roles"
    )
    role_map: dict[str, Role] = Field(
        default_factory=dict,
        description="claim value -> OpenRTCC role; the first entry the user holds wins; "
        "a user holding none is refused (no default role)",
    )
    mfa_amr_values: list[str] = Field(
        default_factory=lambda: list(MFA_AMR_DEFAULT),
        description="an `amr` value among these means the provider did multi-factor",
    )
    mfa_acr_values: list[str] = Field(
        default_factory=list, description="an `acr` among these also means multi-factor"
    )
    id_token_algorithms: list[Algorithm] = Field(
        default_factory=_default_algorithms, min_length=1, description="accepted signatures"
    )
    clock_skew_s: int = Field(60, ge=0, le=300, description="leeway on exp / iat / nbf")
    link_existing_accounts: bool = Field(
        False,
        description="first sign-in may take over a local account of the same username "
        "(its password stops working); off: such a sign-in is refused",
    )
    http_timeout_s: float = Field(10.0, gt=0, le=60)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> "OidcSettings":
        if not self.enabled:
            return self
        for name in ("issuer", "client_id", "redirect_url"):
            if not getattr(self, name):
                raise ValueError(f"oidc.{name}: required when oidc.enabled is true")
        assert self.issuer is not None and self.redirect_url is not None
        for name, url in (("issuer", self.issuer), ("redirect_url", self.redirect_url)):
            problem = url_problem(url)
            if problem:
                raise ValueError(f"oidc.{name}: {problem} (got {url!r})")
        if urlsplit(self.redirect_url).path != CALLBACK_PATH:
            raise ValueError(f"oidc.redirect_url: its path must be {CALLBACK_PATH}")
        if "openid" not in self.scopes:
            raise ValueError("oidc.scopes: must include 'openid'")
        if not self.role_map:
            raise ValueError(
                "oidc.role_map: map at least one value of the role claim to a role; "
                "users are never given a default role"
            )
        machine = [k for k, role in self.role_map.items() if role is Role.SOURCE]
        if machine:
            raise ValueError(f"oidc.role_map: {machine[0]!r} maps to 'source', a machine role")
        if self.client_secret is None:
            from_env = os.environ.get(CLIENT_SECRET_ENV, "")
            if not from_env:
                raise ValueError(
                    f"oidc.client_secret: required; set the {CLIENT_SECRET_ENV} variable"
                )
            self.client_secret = SecretStr(from_env)
        return self

    def secret(self) -> str:
        return self.client_secret.get_secret_value() if self.client_secret else ""
