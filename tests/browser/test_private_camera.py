"""A resident registers a camera on the public page; an analyst reaches it under a grant;
the owner's page then shows that access (who, agency, case, purpose)."""

from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from rtcc.core.geo import offset_m
from tests.browser.conftest import USERS, LiveServer

pytestmark = pytest.mark.browser
CASE = "2026-BR-0042"


def test_owner_sees_the_access_the_analyst_made(page: Page, live_server: LiveServer) -> None:
    lat, lon = offset_m(*live_server.city.origin, 120.0, -80.0)
    page.goto(f"{live_server.base_url}/cameras/register")
    page.locator("#owner_name").fill("Corner Grocery")
    page.locator("#email").fill("grocer@example.org")
    page.locator("#address").fill("400 Test Ave")
    page.locator("#label").fill("Parking lot")
    page.locator("#lat").fill(f"{lat:.6f}")
    page.locator("#lon").fill(f"{lon:.6f}")
    page.locator("#heading_deg").fill("45")
    page.locator("#kind").select_option("integrated")
    page.locator("#sharing").select_option("always")
    page.locator("#register-button").click()
    link = page.get_by_test_id("owner-link")
    expect(link).to_be_visible()
    owner_url = link.get_attribute("href")
    camera_id = page.get_by_test_id("camera-id").inner_text()
    assert owner_url and "/cameras/owner/" in owner_url

    page.goto(owner_url)
    expect(page.get_by_test_id("owner-sharing")).to_have_text("always")
    expect(page.get_by_test_id("owner-no-access")).to_be_visible()

    name, password = USERS["analyst"]
    with httpx.Client(base_url=live_server.base_url, timeout=30) as analyst:
        login = analyst.post("/api/v1/auth/login", json={"username": name, "password": password})
        assert login.status_code == 200, login.text
        on_map = analyst.get("/api/v1/state").json()["cameras"]
        assert camera_id in [c["payload"]["camera_id"] for c in on_map]
        grant = analyst.post(
            f"/api/v1/private-cameras/{camera_id}/grants", json={"case_number": CASE, "hours": 4}
        )
        assert grant.status_code == 201, grant.text
        start = datetime.fromisoformat(grant.json()["starts_at"])
        params = {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "purpose": "criminal_investigation",
            "case_number": CASE,
        }
        viewed = analyst.get(f"/api/v1/private-cameras/{camera_id}/footage", params=params)
        assert viewed.status_code == 200, viewed.text

    page.reload()
    rows = page.get_by_test_id("access-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("access-who")).to_contain_text(name)
    expect(rows.first.get_by_test_id("access-agency")).to_have_text("OpenRTCC agency")
    expect(rows.first.get_by_test_id("access-case")).to_have_text(CASE)
    expect(rows.first.get_by_test_id("access-purpose")).to_have_text("criminal_investigation")
    expect(rows.first.get_by_test_id("access-outcome")).to_contain_text("viewed")
    expect(page.get_by_test_id("owner-grants")).to_contain_text(CASE)
