"""The browser's path through OIDC sign-in: login page link, out to the provider (run by
the test on loopback), back to the callback, a session with the mapped role; refusals on
the login page with the reason, and each outcome in the audit trail."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.api.oidc_routes import FLOW_COOKIE, safe_next
from rtcc.api.security import SESSION_COOKIE
from rtcc.app import create_app
from rtcc.settings import Settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, running_provider

BASE = "http://127.0.0.1"
REDIRECT = f"{BASE}/auth/oidc/callback"


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    with running_provider(REDIRECT) as idp:
        yield idp


@pytest.fixture
def oidc_app(tmp_path: Path, provider: LoopbackProvider) -> FastAPI:
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path,
            "sqlite_synchronous": "NORMAL",
            "oidc": {
                "enabled": True,
                "display_name": "Metro SSO",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_url": REDIRECT,
                "role_map": {"rtcc-analysts": "analyst", "rtcc-admins": "admin"},
            },
        }
    )
    return create_app(settings)


@pytest.fixture
def browser(oidc_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(oidc_app, base_url=BASE) as client:
        yield client


def go_to_provider(browser: TestClient, next_path: str = "/") -> str:
    """Click the link, let the provider consent; the callback URL it sends us back to."""
    out = browser.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert out.status_code == 303, out.text
    assert FLOW_COOKIE in out.cookies
    assert "samesite=lax" in out.headers["set-cookie"].lower()
    back = httpx.get(out.headers["location"], follow_redirects=False)
    assert back.status_code == 302, back.text
    location = back.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return location[len(BASE) :]


def login_rows(app: FastAPI) -> list[dict[str, str]]:
    rows = app.state.services.storage.audit.recent(100)
    return [r for r in reversed(rows) if r["action"] == "auth.login"]


def test_the_login_page_offers_the_provider_only_when_enabled(
    browser: TestClient, client: TestClient
) -> None:
    page = browser.get("/login", params={"next": "/admin"})
    assert 'data-testid="oidc-login"' in page.text
    assert "Sign in with Metro SSO" in page.text
    assert "/auth/oidc/login?next=/admin" in page.text
    assert 'data-testid="oidc-login"' not in client.get("/login").text
    off = client.get("/auth/oidc/login", follow_redirects=False)
    assert off.status_code == 404
    assert "not configured" in off.text


def test_a_full_sign_in_opens_a_session_with_the_mapped_role(
    browser: TestClient, oidc_app: FastAPI
) -> None:
    done = browser.get(go_to_provider(browser, "/admin"), follow_redirects=False)
    assert done.status_code == 200, done.text
    assert '<meta http-equiv="refresh" content="0;url=/admin">' in done.text
    assert SESSION_COOKIE in done.cookies
    assert "samesite=strict" in done.headers["set-cookie"].lower()
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"]) == ("jdoe", "analyst")
    assert browser.get("/", follow_redirects=False).status_code == 200  # the wall
    rows = login_rows(oidc_app)
    assert [(r["actor"], r["outcome"]) for r in rows] == [("jdoe", "allow")]
    assert rows[0]["reason"].startswith("oidc: signed in through Metro SSO")


def test_an_unmapped_group_is_refused_on_the_login_page(
    browser: TestClient, oidc_app: FastAPI, provider: LoopbackProvider
) -> None:
    provider.user["groups"] = ["facilities"]
    page = browser.get(go_to_provider(browser), follow_redirects=False)
    assert page.status_code == 403
    assert 'data-testid="oidc-error"' in page.text
    assert "no OpenRTCC role is mapped to your &#39;groups&#39; (facilities)" in page.text
    assert SESSION_COOKIE not in page.cookies
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert login_rows(oidc_app)[-1]["reason"].startswith("oidc_role_unmapped: ")


def test_a_forged_token_and_a_replayed_answer_are_refused(
    browser: TestClient, oidc_app: FastAPI, provider: LoopbackProvider
) -> None:
    provider.claims = {"aud": "some-other-app"}
    page = browser.get(go_to_provider(browser), follow_redirects=False)
    assert page.status_code == 401
    assert "ID token claim &#39;aud&#39; refused" in page.text
    provider.claims = {}
    callback = go_to_provider(browser)
    assert browser.get(callback, follow_redirects=False).status_code == 200
    again = browser.get(callback, follow_redirects=False)
    assert again.status_code == 400
    assert "matches no sign-in started here" in again.text
    codes = [r["reason"].split(":")[0] for r in login_rows(oidc_app)]
    assert codes == ["oidc_audience", "oidc", "oidc_state"]


def test_an_answer_without_the_flow_cookie_is_refused(browser: TestClient) -> None:
    callback = go_to_provider(browser)
    browser.cookies.clear()  # a different browser, or a login-CSRF attempt
    page = browser.get(callback, follow_redirects=False)
    assert page.status_code == 400
    assert "started in another browser" in page.text


def test_a_provider_error_is_shown(browser: TestClient) -> None:
    out = browser.get("/auth/oidc/login", follow_redirects=False)
    state = parse_qs(urlsplit(out.headers["location"]).query)["state"][0]
    page = browser.get(
        "/auth/oidc/callback",
        params={"state": state, "error": "access_denied", "error_description": "<b>no</b>"},
    )
    assert page.status_code == 401
    assert "the identity provider refused: access_denied (&lt;b&gt;no&lt;/b&gt;)" in page.text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("/admin", "/admin"),
        ("/?a=1", "/?a=1"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_paths_on_this_site_are_kept_as_the_landing_page(raw: str | None, kept: str) -> None:
    assert safe_next(raw) == kept
