"""A small OpenID Connect provider the tests run themselves, on a free loopback port.

It does what a real one does on the code flow: discovery, a JWKS, an authorize endpoint
that auto-consents the configured user and redirects back with a code, and a token
endpoint that checks the client secret and the PKCE verifier before returning an ID
token signed with a test key. Tests bend it (`claims`, `sign_with`) to forge bad tokens.
"""

import base64
import html
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "openrtcc-test"
CLIENT_SECRET = "test-client-secret-1234"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str


@dataclass
class LoopbackProvider:
    """Provider state the tests read and bend; `issuer` is set once it listens."""

    issuer: str = ""
    redirect_uri: str = ""
    user: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "u-1001",
            "preferred_username": "jdoe",
            "groups": ["rtcc-analysts"],
            "amr": ["pwd", "otp"],
        }
    )
    claims: dict[str, Any] = field(default_factory=dict)  # overrides in the next ID tokens
    key: RSAKey | ECKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-rsa"})
    )
    sign_with: RSAKey | ECKey | None = None  # a key other than the published one: forged
    interactive: bool = False  # a page the person clicks through, as at a real provider
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def alg(self) -> str:
        return "ES256" if isinstance(self.key, ECKey) else "RS256"

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "auth_time": now,
            **self.user,
            **self.claims,
        }
        signer = self.sign_with or self.key
        header = {"alg": self.alg, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, {k: v for k, v in claims.items() if v is not None}, signer)


def _error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return unquote(user), unquote(password)
    return form.get("client_id", ""), form.get("client_secret", "")


def build_app(provider: LoopbackProvider) -> Starlette:
    async def discovery(request: Request) -> Response:
        base = provider.issuer
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(request: Request) -> Response:
        return JSONResponse(KeySet([provider.key]).as_dict(private=False))

    async def authorize(request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") != provider.redirect_uri:
            return _error("invalid_request", "unknown client or redirect_uri")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return _error("invalid_request", "code flow with S256 PKCE only")
        if "openid" not in (q.get("scope") or "").split():
            return _error("invalid_scope", "openid scope missing")
        code = secrets.token_urlsafe(24)
        provider.grants[code] = Grant(
            CLIENT_ID, provider.redirect_uri, q.get("nonce", ""), q.get("code_challenge", "")
        )
        back = f"{provider.redirect_uri}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        if provider.interactive:  # the way back then starts on this (other) site
            link = html.escape(back, quote=True)
            page = f'<a id="consent" href="{link}">Continue to OpenRTCC</a>'
            return HTMLResponse(f"<!doctype html><title>Test IdP</title>{page}")
        return RedirectResponse(back, status_code=302)

    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        provider.token_requests.append(form)
        client_id, secret = _client_credentials(request, form)
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return _error("invalid_client", "bad client credentials", 401)
        grant = provider.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return _error("invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _error("invalid_grant", "redirect_uri differs from the authorize request")
        verifier = form.get("code_verifier", "")
        if not verifier or create_s256_code_challenge(verifier) != grant.challenge:
            return _error("invalid_grant", "PKCE verifier does not match the challenge")
        body = {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": provider.id_token(grant),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks", jwks),
            Route("/authorize", authorize),
            Route("/token", token, methods=["POST"]),
        ]
    )


@contextmanager
def running_provider(
    redirect_uri: str, issuer_host: str = "127.0.0.1"
) -> Iterator[LoopbackProvider]:
    """Serve a provider on 127.0.0.1:<free port> for the duration of the block; its issuer
    URL names `issuer_host` ("localhost" puts it on another site than 127.0.0.1)."""
    provider = LoopbackProvider(redirect_uri=redirect_uri)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://{issuer_host}:{sock.getsockname()[1]}"
    config = uvicorn.Config(build_app(provider), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test OIDC provider did not start")
        time.sleep(0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
