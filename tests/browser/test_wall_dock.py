"""Auto-dock on the wall: a gunshot next to a PTZ camera docks it, with "slew sent"."""

import re

import pytest
from playwright.sync_api import Page, expect

from rtcc.core.clock import utcnow
from rtcc.core.geo import offset_m
from tests.browser.conftest import LiveServer
from tests.browser.test_wall import WAIT_MS, camera_online, log_in

pytestmark = pytest.mark.browser


def test_gunshot_docks_the_ptz_camera_that_sees_it(page: Page, live_server: LiveServer) -> None:
    city = live_server.city
    index = next(i for i, c in enumerate(city.cameras) if c.camera_type == "ptz")
    camera = city.cameras[index]
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "analyst")

    online = camera_online(city, index)
    online["id"] = f"dock-{camera.camera_id}-online"
    online["payload"]["camera_type"] = "ptz"  # type: ignore[index]
    live_server.post([online])
    lat, lon = offset_m(camera.lat, camera.lon, -25.0, 10.0)  # behind it: a PTZ pans round
    result = live_server.post([live_server.sim.gunshot_at(utcnow(), lat, lon)])
    alert_id = result["alerts"][0]

    item = page.locator(f'#alert-feed li.alert[data-alert-id="{alert_id}"]')
    expect(item).to_be_visible(timeout=WAIT_MS)
    item.click()
    strip = page.locator('[data-testid="dock-strip"]')
    expect(strip).to_be_visible(timeout=WAIT_MS)
    tile = strip.locator(f'[data-testid="dock-tile"][data-camera-id="{camera.camera_id}"]')
    expect(tile).to_be_visible()
    expect(tile).to_contain_text(re.compile(r"2\d m"))
    expect(tile.locator('[data-testid="dock-slew"]')).to_have_text(
        re.compile(r"^slew sent in \d+\.\d ms$")
    )
    docked = strip.locator('[data-testid="dock-tile"]').count()
    expect(page.locator("path.dock-sector")).to_have_count(docked)
