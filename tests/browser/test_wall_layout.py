"""The wall's layout holds still for the analyst: a full hits queue does not squeeze the
incidents and alerts away, and data arriving late does not move a map someone has moved."""

import pytest
from playwright.sync_api import Page, Route, expect

from rtcc.core.geo import offset_m
from tests.browser.conftest import LiveServer
from tests.browser.test_wall import WAIT_MS, log_in

pytestmark = pytest.mark.browser
MIN_LIST_PX = 100  # a few alert rows at least


def pending_hit(n: int) -> dict[str, object]:
    """A pending hit as the live socket sends it (rtcc/api/live.py)."""
    return {
        "id": f"layout-hit-{n}",
        "status": "pending",
        "created_at": f"2026-11-29T10:{n:02d}:00+00:00",
        "reader_id": "LPR-9",
        "image_ref": "no image",
        "plate_read": f"LAY{n:03d}",
        "positions": [],
        "state_read": "OH",
        "read_at": f"2026-11-29T10:{n:02d}:00+00:00",
        "list_name": "ncic-layout",
        "entry": {"plate": f"LAY{n:03d}", "state": "OH", "reason": "stolen vehicle"},
    }


def test_a_full_hits_queue_leaves_room_for_incidents_and_alerts(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "analyst")
    expect(page.locator('[data-testid="hits-panel"]')).to_have_attribute(
        "data-mode", "confirm", timeout=WAIT_MS
    )
    page.evaluate(
        """(hits) => hits.forEach((hit) =>
            window.dispatchEvent(new CustomEvent('rtcc:live', {detail: {type: 'hit', hit}})))""",
        [pending_hit(n) for n in range(12)],
    )
    expect(page.locator('[data-testid="hit-item"][data-hit-id="layout-hit-11"]')).to_be_visible()
    for list_id in ("incident-list", "alert-feed"):
        box = page.locator(f"#{list_id}").bounding_box()
        assert box is not None and box["height"] >= MIN_LIST_PX, (list_id, box)
        # Nothing else is painted over the list: what is under its middle belongs to it.
        owner = page.evaluate(
            """(id) => {
                const box = document.getElementById(id).getBoundingClientRect();
                const hit = document.elementFromPoint(box.x + box.width / 2,
                                                      box.y + box.height / 2);
                return hit && hit.closest('section') ? hit.closest('section').className : null;
            }""",
            list_id,
        )
        assert owner is not None and ("incidents" in owner or "alerts" in owner), owner
    hits = page.locator('[data-testid="hit-list"]').bounding_box()
    assert hits is not None and hits["height"] >= MIN_LIST_PX  # the queue still shows, scrolling


def test_a_basemap_arriving_late_does_not_move_a_map_someone_moved(
    page: Page, live_server: LiveServer
) -> None:
    held: list[Route] = []
    page.route("**/api/v1/basemap", lambda route: held.append(route))  # answered later
    log_in(page, live_server.base_url, "analyst")
    page.wait_for_function("() => window.rtcc !== undefined")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the wall never asked for its basemap"
    lat, lon = offset_m(*live_server.city.origin, 1_700.0, 0.0)
    page.evaluate("([lat, lon]) => window.rtcc.view(lat, lon, 17)", [lat, lon])
    held[0].continue_()
    expect(page.locator(".district-label").first).to_be_attached(timeout=WAIT_MS)
    now = page.evaluate("window.rtcc.viewNow()")
    assert now["zoom"] == 17
    assert abs(now["lat"] - lat) < 1e-6 and abs(now["lon"] - lon) < 1e-6
