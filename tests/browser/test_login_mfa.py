"""The login form asks for a one-time code only when the server says one is required."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from rtcc.governance.bootstrap import enrol_mfa
from rtcc.governance.identity import hash_password
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_login_asks_for_the_code_then_signs_in(page: Page, live_server: LiveServer) -> None:
    live_server.accounts.add_user("mfa-ana", hash_password("mfa-pass-1"), "analyst")
    totp = pyotp.TOTP(pyotp.parse_uri(enrol_mfa(live_server.accounts, "mfa-ana")).secret)
    page.goto(f"{live_server.base_url}/login?next=/")
    expect(page.locator("#otp")).to_be_hidden()
    page.locator("#username").fill("mfa-ana")
    page.locator("#password").fill("mfa-pass-1")
    page.locator("#login-button").click()
    expect(page.locator("#otp")).to_be_visible()
    expect(page.locator("#otp")).to_be_focused()
    expect(page.locator("#login-error")).to_contain_text("6-digit code")
    page.locator("#otp").fill(totp.now())
    page.locator("#login-button").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#conn-status")).to_have_text("live", timeout=5_000)
