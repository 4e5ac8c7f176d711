"""The wall shows an output channel failing and recovering (Outputs strip, live)."""

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect

from rtcc.app import create_app
from rtcc.governance.identity import hash_password, new_api_key
from rtcc.settings import Settings
from tests.browser.conftest import _free_port, _wait_healthy
from tests.outputs.receiver import Receiver, receiver

pytestmark = pytest.mark.browser
WAIT_MS = 10_000
USER = ("wall-ana", "analyst-pass-1")
SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as rx:
        yield rx


@pytest.fixture
def server(tmp_path: Path, hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RTCC_MFA_REQUIRED", "false")
    options = {"url": hook.url, "secret": SECRET}
    app = create_app(
        Settings.model_validate(
            {
                "data_dir": tmp_path,
                "sqlite_synchronous": "NORMAL",
                "outputs": [
                    {
                        "name": "partner-hook",
                        "kind": "webhook",
                        "options": options,
                        "max_attempts": 1,
                    }
                ],
            }
        )
    )
    accounts = app.state.services.storage.accounts
    accounts.add_user(USER[0], hash_password(USER[1]), "analyst")
    key, key_id, key_hash = new_api_key()
    accounts.add_api_key(key_id, "sim", key_hash)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(base, thread)
    try:
        yield f"{base}|{key}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def _gunshot(base: str, key: str, hour: int) -> None:
    at = datetime(2026, 11, 25, tzinfo=UTC) + timedelta(hours=hour)
    shot = {
        "kind": "gunshot",
        "id": f"wall-out-{hour}",
        "occurred_at": at.isoformat(),
        "location": {"lat": 39.9612, "lon": -82.9988, "accuracy_m": 25.0},
        "payload": {"detection_id": f"wall-out-{hour}", "rounds": 2},
    }
    response = httpx.post(
        f"{base}/api/v1/events",
        headers={"Authorization": f"Bearer {key}"},
        json={"events": [shot]},
        timeout=30,
    )
    assert response.status_code == 200 and response.json()["alerts"], response.text


def test_a_failing_channel_turns_red_then_recovers(page: Page, server: str, hook: Receiver) -> None:
    base, key = server.split("|")
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.locator("#username").fill(USER[0])
    page.locator("#password").fill(USER[1])
    page.locator("#login-button").click()
    expect(page.locator("#conn-status")).to_have_text("live", timeout=WAIT_MS)
    item = page.locator('[data-testid="output-item"][data-channel="partner-hook"]')
    expect(item).to_have_attribute("data-health", "ok", timeout=WAIT_MS)
    expect(page.locator("#output-problems")).to_have_text("0")

    hook.default = (503, "down for maintenance")
    _gunshot(base, key, 1)
    expect(item).to_have_attribute("data-health", "failing", timeout=WAIT_MS)
    expect(page.locator("#output-problems")).to_have_text("1")

    hook.default = (200, "ok")
    _gunshot(base, key, 3)
    expect(item).to_have_attribute("data-health", "ok", timeout=WAIT_MS)
    expect(page.locator("#output-problems")).to_have_text("0")
