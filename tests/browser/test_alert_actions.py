"""An alert's life on two walls: the officer acknowledges, the analyst assigns and closes it
with an outcome, and each step shows on the other wall as it happens."""

import pytest
from playwright.sync_api import Browser, expect

from rtcc.core.clock import utcnow
from rtcc.core.geo import offset_m
from tests.browser.conftest import USERS, LiveServer
from tests.browser.test_wall import WAIT_MS, log_in

pytestmark = pytest.mark.browser


def test_an_alert_is_acknowledged_assigned_and_closed_across_walls(
    browser: Browser, live_server: LiveServer
) -> None:
    analyst = browser.new_context().new_page()
    officer = browser.new_context().new_page()
    log_in(analyst, live_server.base_url, "analyst")
    log_in(officer, live_server.base_url, "officer")
    lat, lon = offset_m(*live_server.city.origin, -6000.0, 0.0)  # alone: no incident to join
    result = live_server.post([live_server.sim.gunshot_at(utcnow(), lat, lon)])
    [alert_id] = result["alerts"]
    on_analyst = analyst.locator(f'li.alert[data-alert-id="{alert_id}"]')
    on_officer = officer.locator(f'li.alert[data-alert-id="{alert_id}"]')
    expect(on_officer).to_be_visible(timeout=WAIT_MS)
    expect(on_officer.locator('[data-testid="alert-assign"]')).to_have_count(0)  # not theirs

    on_officer.locator('[data-testid="alert-ack"]').click()
    officer_name, analyst_name = USERS["officer"][0], USERS["analyst"][0]
    expect(on_analyst).to_have_attribute("data-status", "acknowledged", timeout=WAIT_MS)
    expect(on_analyst.locator('[data-testid="alert-status"]')).to_contain_text(
        f"Acknowledged by {officer_name}"
    )
    on_analyst.locator('[data-testid="alert-assignee"]').fill("4A12")
    on_analyst.locator('[data-testid="alert-assign"]').click()
    expect(on_officer.locator('[data-testid="alert-status"]')).to_contain_text(
        f"Assigned to 4A12 by {analyst_name}", timeout=WAIT_MS
    )
    on_analyst.locator('[data-testid="alert-disposition"]').select_option("unfounded")
    on_analyst.locator('[data-testid="alert-close"]').click()
    expect(on_officer).to_have_attribute("data-status", "closed", timeout=WAIT_MS)
    expect(on_officer.locator('[data-testid="alert-status"]')).to_contain_text("unfounded")
    expect(on_officer.locator('[data-testid="alert-ack"]')).to_be_disabled()

    officer.reload()  # a fresh wall learns the state too
    expect(officer.locator(f'li.alert[data-alert-id="{alert_id}"]')).to_have_attribute(
        "data-status", "closed", timeout=WAIT_MS
    )
