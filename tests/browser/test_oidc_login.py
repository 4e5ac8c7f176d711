"""Chromium signs in through the test's own OIDC provider on another site (localhost vs
127.0.0.1): the Lax flow cookie survives the cross-site return, and the Strict session
cookie reaches the wall after the callback page moves on by itself."""

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect

from rtcc.app import create_app
from rtcc.settings import Settings
from tests.browser.conftest import _free_port, _wait_healthy
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LoopbackProvider]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with running_provider(f"{base}/auth/oidc/callback", issuer_host="localhost") as idp:
        data_dir: Path = tmp_path_factory.mktemp("rtcc-oidc-browser")
        settings = Settings.model_validate(
            {
                "data_dir": data_dir,
                "sqlite_synchronous": "NORMAL",
                "oidc": {
                    "enabled": True,
                    "display_name": "Metro SSO",
                    "issuer": idp.issuer,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_url": f"{base}/auth/oidc/callback",
                    "role_map": {"rtcc-analysts": "analyst"},
                },
            }
        )
        app = create_app(settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="rtcc-oidc-server", daemon=True)
        thread.start()
        try:
            _wait_healthy(base, thread)
            yield base, idp
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def test_sign_in_with_the_provider_lands_on_the_wall(
    page: Page, oidc_server: tuple[str, LoopbackProvider]
) -> None:
    base, idp = oidc_server
    idp.user["groups"] = ["rtcc-analysts"]
    idp.interactive = True
    page.goto(f"{base}/login?next=/")
    page.get_by_test_id("oidc-login").click()
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/authorize"))
    page.locator("#consent").click()  # a navigation started by the provider's site
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    me = page.evaluate("fetch('/api/v1/auth/me').then(r => r.json())")
    assert (me["username"], me["role"]) == ("jdoe", "analyst")


def test_an_unmapped_user_sees_the_reason_on_the_login_page(
    page: Page, oidc_server: tuple[str, LoopbackProvider]
) -> None:
    base, idp = oidc_server
    idp.user["groups"] = ["facilities"]
    idp.interactive = False
    page.goto(f"{base}/login")
    page.get_by_test_id("oidc-login").click()
    expect(page.get_by_test_id("oidc-error")).to_contain_text("no OpenRTCC role is mapped")
    expect(page.get_by_test_id("login-form")).to_be_visible()
