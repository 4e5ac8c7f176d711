"""A hotlist hit in real browsers: the analyst sees it beside its entry and confirms it; the
officer's wall shows nothing of it until then, and the confirmed hit afterwards."""

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from rtcc.core.clock import iso, utcnow
from tests.browser.conftest import USERS, LiveServer
from tests.browser.test_wall import WAIT_MS, log_in

pytestmark = pytest.mark.browser
NATIONAL = Path(__file__).resolve().parents[1] / "analysis/fixtures/hotlists/ncic_national.txt"
# A 1x1 PNG stands in for the reader's plate crop (a data: URL renders as an image).
IMAGE = (
    "data:image/png;base64,"
    + base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
        )
    ).decode()
)


def upload_hotlist(page: Page) -> dict[str, object]:
    script = """async (text) => {
        const r = await fetch('/api/v1/hotlists/ncic-test/import?format=ncic&filename=n.txt',
                              {method: 'POST', body: text});
        return r.json();
    }"""
    result: dict[str, object] = page.evaluate(script, NATIONAL.read_text())
    return result


def test_hit_waits_for_the_analyst_before_the_officer_sees_it(
    browser: Browser, live_server: LiveServer
) -> None:
    analyst = browser.new_context().new_page()
    officer = browser.new_context().new_page()
    log_in(analyst, live_server.base_url, "analyst")
    log_in(officer, live_server.base_url, "officer")
    assert upload_hotlist(analyst)["loaded"] == 5
    expect(analyst.locator('[data-testid="hits-panel"] h2')).to_contain_text("Hits to confirm")
    expect(officer.locator('[data-testid="hits-panel"] h2')).to_contain_text("Confirmed hits")

    # Everything the officer's wall receives about plate 50B112, as it arrives.
    officer.evaluate("""() => {
        window.heard = [];
        window.addEventListener('rtcc:live', (e) => {
            const text = JSON.stringify(e.detail);
            if (text.includes('50B112')) window.heard.push(e.detail);
        });
    }""")
    lat, lon = live_server.city.origin
    read = {
        "id": "browser-hit-1",
        "kind": "lpr_read",
        "occurred_at": iso(utcnow()),
        "location": {"lat": lat, "lon": lon},
        "payload": {"reader_id": "LPR-B1", "plate": "50B112", "plate_state": "OH",
                    "image_ref": IMAGE},
    }  # fmt: skip
    live_server.post([read])

    item = analyst.locator('[data-testid="hit-item"]', has_text="50B112")
    expect(item).to_be_visible(timeout=WAIT_MS)
    expect(item).to_have_attribute("data-status", "pending")
    expect(item.locator('[data-testid="hit-entry"]')).to_contain_text("SO8IL2")
    expect(item.locator('[data-testid="hit-entry"]')).to_contain_text("Wanted Person")
    expect(item.locator('[data-testid="hit-lookalike"]')).to_be_visible()
    expect(item.locator(".hit-read mark")).to_have_count(5)  # S/5 O/0 8/B I/1 L/1
    expect(item.locator("img.hit-image")).to_have_attribute("src", IMAGE)

    # The officer's wall has heard the read, but nothing of the hit.
    officer.wait_for_function("window.heard.some((m) => m.type === 'event')", timeout=WAIT_MS)
    heard = officer.evaluate("window.heard.map((m) => m.type)")
    assert heard == ["event"], heard
    officer_hits = officer.locator('[data-testid="hit-item"]', has_text="50B112")
    expect(officer.locator('[data-testid="alert-feed"]')).not_to_contain_text("50B112")
    expect(officer_hits).to_have_count(0)

    item.locator('[data-testid="hit-confirm"]').click()
    expect(item).to_have_count(0, timeout=WAIT_MS)  # no longer waiting for anyone
    expect(officer_hits).to_be_visible(timeout=WAIT_MS)
    expect(officer_hits).to_contain_text(f"Confirmed by {USERS['analyst'][0]}")
    expect(officer.locator('[data-testid="alert-feed"]')).to_contain_text("50B112")
    rules = officer.evaluate(
        "window.heard.filter((m) => m.type === 'alert').map((m) => m.alert.rule)"
    )
    # The confirmed hit and the starter playbook's officers-nearby alert; never the pending one.
    assert rules == ["hotlist_hit_confirmed", "hotlist_officers_nearby"]
