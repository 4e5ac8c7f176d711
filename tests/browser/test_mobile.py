"""The officer's phone: alerts near them, nearest first; a confirmed hit with its read image
and entry; a far alert hidden by the radius; a large Acknowledge that the wall sees."""

import pytest
from playwright.sync_api import Browser, Page, expect

from rtcc.core.clock import iso, utcnow
from rtcc.core.geo import offset_m
from tests.browser.conftest import LiveServer
from tests.browser.test_hotlist_hits import IMAGE, upload_hotlist
from tests.browser.test_wall import WAIT_MS, log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _confirm_pending(analyst: Page, plate: str) -> None:
    script = """async (plate) => {
        const pending = await (await fetch('/api/v1/hits/pending')).json();
        const hit = pending.find((h) => h.plate_read === plate);
        const r = await fetch(`/api/v1/hits/${hit.id}/confirm`, {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: '{}'});
        return r.status;
    }"""
    analyst.wait_for_function(
        """async (plate) => (await (await fetch('/api/v1/hits/pending')).json())
              .some((h) => h.plate_read === plate)""",
        arg=plate,
        timeout=WAIT_MS,
    )
    assert analyst.evaluate(script, plate) == 200


def test_the_officer_phone_shows_what_is_near_and_acknowledges(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.base_url
    officer_at = offset_m(*live_server.city.origin, 0.0, -7000.0)  # west of the city, alone
    phone = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": officer_at[0], "longitude": officer_at[1], "accuracy": 8},
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    ).new_page()
    log_in(phone, base, "officer")
    phone.goto(f"{base}/m")
    expect(phone.locator('[data-testid="conn-status"]')).to_have_text("live", timeout=WAIT_MS)
    expect(phone.locator('[data-testid="m-position"]')).to_contain_text("Located ±")

    analyst = browser.new_context().new_page()
    log_in(analyst, base, "analyst")
    upload_hotlist(analyst)
    near = offset_m(*officer_at, 400.0, 0.0)
    read = {
        "id": "mobile-hit-1",
        "kind": "lpr_read",
        "occurred_at": iso(utcnow()),
        "location": {"lat": near[0], "lon": near[1]},
        "payload": {"reader_id": "LPR-M1", "plate": "50B112", "plate_state": "OH",
                    "image_ref": IMAGE},
    }  # fmt: skip
    live_server.post([read])
    far = offset_m(*officer_at, 0.0, -9000.0)
    far_shot = live_server.post([live_server.sim.gunshot_at(utcnow(), *far)])["alerts"][0]
    close_at = offset_m(*officer_at, -150.0, 0.0)
    near_shot = live_server.post([live_server.sim.gunshot_at(utcnow(), *close_at)])["alerts"][0]
    _confirm_pending(analyst, "50B112")

    cards = phone.locator('[data-testid="m-alert"]')
    # The confirmed hit itself (the starter playbook may add its own "officers nearby" card).
    hit_card = cards.filter(has_text="Confirmed hotlist hit: 50B112")
    expect(hit_card).to_be_visible(timeout=WAIT_MS)
    expect(hit_card.locator('[data-testid="m-hit-image"]')).to_have_attribute("src", IMAGE)
    expect(hit_card.locator('[data-testid="m-hit"]')).to_contain_text("SO8IL2")
    expect(phone.locator(f'[data-alert-id="{far_shot}"]')).to_have_count(0)  # 9 km: outside 3 km
    expect(cards.first).to_have_attribute("data-alert-id", near_shot)  # 150 m: nearest first
    expect(cards.first.locator('[data-testid="m-distance"]')).to_contain_text("150 m S")

    phone.locator('[data-testid="m-radius"]').select_option("0")
    expect(phone.locator(f'[data-alert-id="{far_shot}"]')).to_be_visible()

    ack = cards.first.locator('[data-testid="m-ack"]')
    box = ack.bounding_box()
    assert box is not None and box["height"] >= 48  # a target for a thumb
    ack.click()
    expect(cards.first).to_have_attribute("data-status", "acknowledged", timeout=WAIT_MS)
    state = analyst.evaluate(
        "async (id) => (await fetch(`/api/v1/alerts/${id}/state`)).json()", near_shot
    )
    assert state["status"] == "acknowledged" and state["acknowledged_by"] == "ofc"
