"""Talking to the identity provider: discovery, its signing keys, the code exchange, and
the ID token's signature and claims (authlib's OIDC claim rules over joserfc's JWS).

Every problem becomes an `OidcError` with a reason code, so the sign-in can refuse and
audit it; nothing here decides who may sign in.
"""

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from rtcc.governance.oidc_config import OidcSettings


class OidcError(Exception):
    """What went wrong with the provider or its token: a reason code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    basic_auth: bool  # client_secret_basic (else client_secret_post)


_CLAIM_CODES = {
    "nonce": "oidc_nonce",
    "aud": "oidc_audience",
    "azp": "oidc_audience",
    "iss": "oidc_issuer",
}


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise OidcError("oidc_provider", f"{what} answered HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise OidcError("oidc_provider", f"{what} did not answer JSON") from exc
    if not isinstance(data, dict):
        raise OidcError("oidc_provider", f"{what} did not answer a JSON object")
    return data


class ProviderClient:
    """One provider, its metadata and keys cached; keys refetched once on an unknown `kid`."""

    def __init__(self, settings: OidcSettings, transport: httpx.BaseTransport | None = None):
        self._settings = settings
        self._http = httpx.Client(timeout=settings.http_timeout_s, transport=transport)
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None

    def metadata(self) -> ProviderMetadata:
        with self._lock:
            return self._metadata_locked()

    def _get(self, url: str, what: str) -> dict[str, Any]:
        try:
            return _json(self._http.get(url), what)
        except httpx.HTTPError as exc:
            raise OidcError("oidc_provider", f"{what} unreachable: {exc}") from exc

    def _discover(self) -> ProviderMetadata:
        issuer = self._settings.issuer or ""
        doc = self._get(issuer.rstrip("/") + "/.well-known/openid-configuration", "discovery")
        if doc.get("issuer") != issuer:
            raise OidcError(
                "oidc_provider",
                f"discovery names issuer {doc.get('issuer')!r}, not the configured {issuer!r}",
            )
        urls = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = doc.get(name)
            if not isinstance(value, str) or not value.startswith(("https://", "http://")):
                raise OidcError("oidc_provider", f"discovery lacks a usable {name}")
            urls[name] = value
        challenges = doc.get("code_challenge_methods_supported")
        if isinstance(challenges, list) and "S256" not in challenges:
            raise OidcError("oidc_provider", "the provider does not support PKCE with S256")
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in self._settings.id_token_algorithms if a in offered)
        if not algorithms:
            raise OidcError(
                "oidc_provider",
                f"the provider signs ID tokens with {offered}, none of oidc.id_token_algorithms",
            )
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=urls["authorization_endpoint"],
            token_endpoint=urls["token_endpoint"],
            jwks_uri=urls["jwks_uri"],
            algorithms=algorithms,
            basic_auth="client_secret_basic" in methods or "client_secret_post" not in methods,
        )

    def _key_set(self, refresh: bool) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                jwks = self._get(self._metadata_locked().jwks_uri, "JWKS")
                try:
                    self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError) as exc:
                    raise OidcError("oidc_provider", f"unusable JWKS: {exc}") from exc
            return self._keys

    def _metadata_locked(self) -> ProviderMetadata:
        if self._metadata is None:
            self._metadata = self._discover()
        return self._metadata

    def exchange_code(self, code: str, verifier: str) -> str:
        """Redeem the authorization code (with the PKCE verifier) for the ID token."""
        meta = self.metadata()
        client_id, secret = self._settings.client_id or "", self._settings.secret()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._settings.redirect_url or "",
            "code_verifier": verifier,
        }
        try:
            if meta.basic_auth:  # RFC 6749 §2.3.1: both parts form-encoded first
                auth = httpx.BasicAuth(quote(client_id, safe=""), quote(secret, safe=""))
                response = self._http.post(meta.token_endpoint, data=form, auth=auth)
            else:
                form |= {"client_id": client_id, "client_secret": secret}
                response = self._http.post(meta.token_endpoint, data=form)
        except httpx.HTTPError as exc:
            raise OidcError("oidc_provider", f"token endpoint unreachable: {exc}") from exc
        if response.status_code != 200:
            detail = ""
            try:
                body = response.json()
                detail = f": {body.get('error')}: {body.get('error_description', '')}".rstrip(": ")
            except ValueError:
                pass
            message = f"the provider refused the code (HTTP {response.status_code}{detail})"
            raise OidcError("oidc_token", message)
        token = _json(response, "token endpoint").get("id_token")
        if not isinstance(token, str) or not token:
            raise OidcError("oidc_token", "the token response has no id_token")
        return token

    def verify_id_token(self, id_token: str, nonce: str, now: datetime) -> dict[str, Any]:
        """The ID token's claims, once its signature, iss, aud, exp, iat and nonce hold."""
        meta = self.metadata()
        registry = JWSRegistry(algorithms=list(meta.algorithms), strict_check_header=False)
        try:
            try:
                token = jwt.decode(id_token, self._key_set(False), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys
                token = jwt.decode(id_token, self._key_set(True), registry=registry)
        except BadSignatureError as exc:
            raise OidcError(
                "oidc_signature", "the ID token's signature does not match the provider's keys"
            ) from exc
        except InvalidKeyIdError as exc:
            raise OidcError("oidc_signature", "the ID token is signed by an unknown key") from exc
        except JoseError as exc:
            raise OidcError("oidc_id_token", f"unreadable ID token: {exc}") from exc
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "value": meta.issuer},
                "aud": {"essential": True, "value": self._settings.client_id or ""},
            },
            {"nonce": nonce, "client_id": self._settings.client_id},
        )
        try:
            claims.validate(now=int(now.timestamp()), leeway=self._settings.clock_skew_s)
        except ExpiredTokenError as exc:
            raise OidcError("oidc_expired", "the ID token has expired") from exc
        except ClaimError as exc:
            code = _CLAIM_CODES.get(exc.claim, "oidc_claims")
            raise OidcError(code, f"ID token claim {exc.claim!r} refused: {exc}") from exc
        return dict(token.claims)

    def close(self) -> None:
        self._http.close()
