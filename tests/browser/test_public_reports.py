"""Anyone, without logging in, opens the transparency page and the fairness map and sees
figures that match the audit trail and the neighbourhoods drawn."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from rtcc.app import create_app
from rtcc.governance.identity import hash_password, new_api_key
from rtcc.settings import Settings
from tests.browser.conftest import _free_port, _wait_healthy
from tests.governance.test_fairness import chicago, red_light_cameras

pytestmark = pytest.mark.browser
ANALYST = ("pubtest-analyst", "analyst-pass-9")
SEARCHES = [("criminal_investigation", "2026-PR-0007", 5), ("crime_in_progress", None, 3)]
CHICAGO_AREAS = 77


@dataclass
class PublicServer:
    base_url: str
    app: FastAPI


@pytest.fixture(scope="module")
def public_server(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> Iterator[PublicServer]:
    """A server with the Chicago community areas configured, red-light cameras registered
    and an analyst's searches in its audit trail."""
    data_dir = tmp_path_factory.mktemp("rtcc-public")
    app = create_app(
        Settings(data_dir=data_dir, sqlite_synchronous="NORMAL", fairness=chicago(shared_data))
    )
    storage = app.state.services.storage
    storage.accounts.add_user(ANALYST[0], hash_password(ANALYST[1]), "analyst")
    key, key_id, key_hash = new_api_key()
    storage.accounts.add_api_key(key_id, "registry", key_hash)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="rtcc-public-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, thread)
        with httpx.Client(base_url=base_url, timeout=30) as http:
            events = red_light_cameras(shared_data)
            posted = http.post(
                "/api/v1/events",
                json={"events": events},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert posted.status_code == 200, posted.text
            login = http.post(
                "/api/v1/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]}
            )
            assert login.status_code == 200, login.text
            for purpose, case, times in SEARCHES:
                params = {"pattern": "7ABC*", "purpose": purpose}
                if case:
                    params["case_number"] = case
                for _ in range(times):
                    assert http.get("/api/v1/lpr/search", params=params).status_code == 200
        yield PublicServer(base_url, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _allowed_in_trail(app: FastAPI, purpose: str) -> int:
    rows = app.state.services.storage.audit.recent(10_000)
    return sum(
        1
        for r in rows
        if r["action"] == "lpr.search" and r["purpose"] == purpose and r["outcome"] == "allow"
    )


def test_transparency_page_matches_the_audit_trail(page: Page, public_server: PublicServer) -> None:
    page.goto(f"{public_server.base_url}/transparency")
    expect(page).to_have_url(f"{public_server.base_url}/transparency")  # no login redirect
    for purpose, _, times in SEARCHES:
        assert _allowed_in_trail(public_server.app, purpose) == times
        row = page.locator(f'[data-testid="purpose-row"][data-purpose="{purpose}"]')
        expect(row.locator('[data-col="allowed"]')).to_have_text(str(times))
        expect(row.locator('[data-col="refused"]')).to_have_text("0")
    total = sum(times for _, _, times in SEARCHES)
    expect(page.get_by_test_id("headline-allowed")).to_have_text(str(total))
    expect(page.get_by_test_id("headline-sensors")).to_have_text("296")
    expect(page.get_by_test_id("checkpoint")).to_be_visible()


def test_fairness_map_draws_the_areas_and_runs_a_what_if(
    page: Page, public_server: PublicServer
) -> None:
    page.goto(f"{public_server.base_url}/transparency/fairness")
    expect(page).to_have_url(f"{public_server.base_url}/transparency/fairness")
    chart = page.get_by_test_id("fairness-map")
    expect(chart).to_have_attribute("data-areas-drawn", str(CHICAGO_AREAS))
    expect(chart.locator("path.leaflet-interactive")).to_have_count(CHICAGO_AREAS)
    expect(page.get_by_test_id("group-row")).to_have_count(4)
    expect(page.get_by_test_id("legend").locator("span")).not_to_have_count(0)
    page.get_by_test_id("measure").select_option("alerts_per_1000")
    chart.click()  # the centre of the map: propose a camera there
    expect(page.get_by_test_id("proposed").locator("li")).to_have_count(1)
    page.get_by_test_id("whatif-run").click()
    expect(page.get_by_test_id("whatif-summary")).to_contain_text("1 proposed")
    expect(page.get_by_test_id("whatif-areas").locator("tbody tr")).to_have_count(1)
