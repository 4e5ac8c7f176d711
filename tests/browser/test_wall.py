"""The analyst wall in a real browser: log in, see the live city, a gunshot, a reconnect."""

import math
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rtcc.core.clock import iso, utcnow
from rtcc.core.geo import offset_m
from rtcc.simulator import City
from tests.browser.conftest import (
    DFR_DOCK,
    DFR_NO_FLY,
    DFR_OTHER_DOCK,
    FEED,
    FEED_HEARTBEAT_S,
    USERS,
    LiveServer,
)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 5_000  # generous upper bound for things that arrive over the live socket


def log_in(page: Page, base_url: str, role: str) -> None:
    """Open the wall anonymously, get sent to the login form, sign in, land on the wall."""
    name, password = USERS[role]
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.locator("#username").fill(name)
    page.locator("#password").fill(password)
    page.locator("#login-button").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("#conn-status")).to_have_text("live", timeout=WAIT_MS)


def incident(incident_id: str, status: str, lat: float, lon: float) -> dict[str, object]:
    return {
        "id": f"{incident_id}-{status}",
        "kind": "cad_incident",
        "occurred_at": iso(utcnow()),
        "location": {"lat": lat, "lon": lon},
        "payload": {
            "incident_id": incident_id,
            "status": status,
            "call_type": "ROBBERY",
            "priority": 1,
            "address": "100 block of Test Ave",
        },
    }


def camera_online(city: City, index: int) -> dict[str, object]:
    """A fresh registration of one of the city's cameras, online and looking where it should."""
    camera = city.cameras[index]
    return {
        "id": f"test-{camera.camera_id}-online",
        "kind": "camera_status",
        "occurred_at": iso(utcnow()),
        "location": {"lat": camera.lat, "lon": camera.lon},
        "payload": {
            "camera_id": camera.camera_id,
            "name": camera.name,
            "camera_type": "fixed",
            "status": "online",
            "heading_deg": camera.heading_deg,
            "fov_deg": camera.fov_deg,
            "range_m": camera.range_m,
        },
    }


def test_analyst_sees_city_and_gunshot_alert(page: Page, live_server: LiveServer) -> None:
    city = live_server.city
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "analyst")

    # The basemap (districts and streets) and the simulator's sensors are on the map.
    expect(page.locator(".leaflet-basemap-pane path")).to_have_count(
        len(city.districts) + len(city.streets)
    )
    expect(page.locator(".district-label")).to_have_count(len(city.districts))
    # Other browser tests share this server and add cameras and units of their own, away
    # from the city: count the city's.
    for camera in city.cameras:
        expect(
            page.locator(f'[data-testid="camera-marker"][data-camera-id="{camera.camera_id}"]')
        ).to_have_count(1)
    for unit in city.units:
        expect(
            page.locator(f'[data-testid="unit-marker"][data-unit-id="{unit.unit_id}"]')
        ).to_have_count(1)
    assert page.evaluate("window.rtcc.counts().cameras") >= len(city.cameras)
    gunshots_before = page.evaluate("window.rtcc.counts().gunshots")

    # A gunshot 30 m in front of a camera (re-registered online, so the city's own
    # camera outages cannot hide it): it must be listed as able to see it.
    camera = city.cameras[0]
    live_server.post([camera_online(city, 0)])
    heading = math.radians(camera.heading_deg)
    lat, lon = offset_m(camera.lat, camera.lon, 30 * math.cos(heading), 30 * math.sin(heading))
    result = live_server.post([live_server.sim.gunshot_at(utcnow(), lat, lon)])
    assert len(result["alerts"]) == 1
    event_id, alert_id = result["ids"][0], result["alerts"][0]

    marker = page.locator(f'[data-testid="gunshot-marker"][data-event-id="{event_id}"]')
    expect(marker).to_be_visible(timeout=WAIT_MS)
    item = page.locator(f'#alert-feed li.alert[data-alert-id="{alert_id}"]')
    expect(item).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#alert-feed li.alert").first).to_have_attribute("data-alert-id", alert_id)
    expect(item).to_have_class(re.compile(r"\balert-critical\b"))
    expect(item.locator(".alert-counts")).to_have_text(
        re.compile(r"^\d+ cameras? \(\d+ in view\) · \d+ plate reads? · \d+ units?$")
    )
    expect(
        item.locator(f'.chip-camera.in-view[data-camera-id="{camera.camera_id}"]')
    ).to_be_visible()
    assert page.evaluate("window.rtcc.counts().gunshots") == gunshots_before + 1
    expect(page.locator("path.gunshot-ring")).to_have_count(gunshots_before + 1)

    # Clicking the alert draws a green line to every camera that can see the shot.
    item.click()
    expect(item).to_have_class(re.compile(r"\bselected\b"))
    in_view = item.locator(".chip-camera.in-view").count()
    expect(page.locator("path.link-in-view")).to_have_count(in_view)
    page.wait_for_timeout(1_200)  # let the fly-to animation settle for the screenshot

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wall.png"), full_page=True)

    # Every marker explains itself: a camera's popup carries its payload details.
    page.locator(
        f'[data-camera-id="{camera.camera_id}"][data-testid="camera-marker"]'
    ).dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(camera.camera_id)
    expect(popup).to_contain_text(f"Field of view{round(camera.fov_deg)}°")


def test_officer_is_denied_admin_and_anonymous_goes_to_login(
    page: Page, live_server: LiveServer
) -> None:
    base = live_server.base_url
    page.goto(f"{base}/admin")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin$"))

    page.locator("#username").fill(USERS["officer"][0])
    page.locator("#password").fill("not-the-password")
    page.locator("#login-button").click()
    expect(page.locator("#login-error")).to_have_text("wrong username or password")

    page.locator("#password").fill(USERS["officer"][1])
    page.locator("#login-button").click()
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#denied")).to_contain_text("Access denied")
    response = page.goto(f"{base}/admin")
    assert response is not None and response.status == 403

    # The officer can still use the wall, and logging out ends the session.
    page.goto(f"{base}/")
    expect(page.locator("#conn-status")).to_have_text("live", timeout=WAIT_MS)
    page.locator("#logout-button").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_admin_page_lists_users_without_secrets(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server.base_url, "admin")
    page.goto(f"{live_server.base_url}/admin")
    users = page.locator("#users-table")
    for name, password in USERS.values():
        expect(users).to_contain_text(name)
        expect(page.locator("body")).not_to_contain_text(password)
    expect(page.locator("body")).not_to_contain_text("$argon2")
    expect(page.locator("#rejects-table")).to_be_visible()
    expect(page.locator('[data-testid="audit-tile"]')).to_contain_text("intact")
    page.locator('[data-testid="wall-link"]').click()
    expect(page.locator("#conn-status")).to_have_text("live", timeout=WAIT_MS)


def test_wall_reconnects_and_resyncs(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server.base_url, "analyst")
    status = page.locator("#conn-status")
    centre = live_server.city.origin
    lat, lon = offset_m(*centre, 40.0, -60.0)

    live_server.post([incident("T-RECON-1", "created", lat, lon)])
    stale = page.locator('#incident-list li[data-incident-id="T-RECON-1"]')
    expect(stale).to_be_visible(timeout=WAIT_MS)

    # A dropped link reconnects on its own after a short backoff.
    page.evaluate("window.rtcc.dropSocket()")
    expect(status).to_have_text("reconnecting…")
    expect(status).to_have_text("live", timeout=WAIT_MS)

    # While the link is down the incident closes and a new unit and incident appear...
    page.evaluate("window.rtcc.dropSocket({hold: true})")
    expect(status).to_have_text("reconnecting…")
    assert page.evaluate("window.rtcc.socketState()") == "reconnecting"
    unit = {
        "id": "recon-unit-1",
        "kind": "unit_position",
        "occurred_at": iso(utcnow() - timedelta(seconds=1)),
        "location": {"lat": lat, "lon": lon},
        "payload": {"unit_id": "RECON1", "status": "enroute"},
    }
    closed = incident("T-RECON-1", "closed", lat, lon)
    live_server.post([closed, incident("T-RECON-2", "created", lat, lon), unit])
    new_unit = page.locator('[data-testid="unit-marker"][data-unit-id="RECON1"]')
    expect(new_unit).to_have_count(0)

    # ...and the snapshot after reconnecting replaces the stale picture.
    page.evaluate("window.rtcc.reconnect()")
    expect(status).to_have_text("live", timeout=WAIT_MS)
    expect(new_unit).to_have_count(1)
    expect(page.locator('#incident-list li[data-incident-id="T-RECON-2"]')).to_be_visible()
    expect(stale).to_have_count(0)
    expect(
        page.locator('[data-testid="incident-marker"][data-incident-id="T-RECON-1"]')
    ).to_have_count(0)
    assert page.evaluate("window.rtcc.stats().snapshots") == 3

    # A late fix older than what the wall shows is ignored, as the store ignores it.
    late = {**unit, "id": "recon-unit-late", "occurred_at": iso(utcnow() - timedelta(minutes=5))}
    late["payload"] = {"unit_id": "RECON1", "status": "available"}
    live_server.post([late])
    live_server.post([incident("T-RECON-3", "created", lat, lon)])  # delivered after `late`
    expect(page.locator('#incident-list li[data-incident-id="T-RECON-3"]')).to_be_visible()
    expect(page.locator(".unit-icon.unit-enroute", has=new_unit)).to_have_count(1)
    newer = {**unit, "id": "recon-unit-newer", "occurred_at": iso(utcnow())}
    newer["payload"] = {"unit_id": "RECON1", "status": "on_scene"}
    live_server.post([newer])
    expect(page.locator(".unit-icon.unit-on_scene", has=new_unit)).to_have_count(1)

    # A session that has ended sends the wall back to the login page.
    page.context.clear_cookies()
    page.evaluate("window.rtcc.dropSocket()")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"), timeout=WAIT_MS)


@pytest.mark.browser
def test_feed_health_shows_unavailable_and_recovery(page: Page, live_server: LiveServer) -> None:
    """A feed that stops goes unavailable on the wall within 2 heartbeats, then recovers."""
    log_in(page, live_server.base_url, "analyst")
    feed = page.locator(f'[data-testid="feed-item"][data-source="{FEED}"]')

    def fix() -> bytes:
        stamp = iso(utcnow()).replace("+00:00", "Z")
        return b'{"unit": "F1", "t": "%s", "lat": 39.9612, "lon": -82.9988}' % stamp.encode()

    live_server.push(FEED, fix())
    # Silence: unavailable after 2 heartbeats (1 s each), shown without a reload.
    silence_ms = int(2 * FEED_HEARTBEAT_S * 1000) + 1500  # two heartbeats + the health clock
    expect(feed).to_have_attribute("data-health", "unavailable", timeout=silence_ms)
    expect(page.locator("#feed-problems")).to_have_text("1")
    live_server.push(FEED, fix())
    expect(feed).to_have_attribute("data-health", "recovered", timeout=WAIT_MS)
    for _ in range(4):  # keep talking for a heartbeat: recovered settles to ok
        live_server.push(FEED, fix())
        page.wait_for_timeout(400)
    expect(feed).to_have_attribute("data-health", "ok", timeout=WAIT_MS)


def caller_at(call_id: str, lat: float, lon: float, at: datetime) -> dict[str, object]:
    return {
        "id": f"{call_id}-{at.timestamp()}",
        "kind": "caller_location",
        "occurred_at": iso(at),
        "location": {"lat": lat, "lon": lon, "accuracy_m": 8.0},
        "payload": {"call_id": call_id, "method": "gps"},
    }


def test_officer_draws_a_geofence_and_a_caller_moves_into_it(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "officer")
    # A quiet spot just north of the city, close up, so no marker takes the clicks.
    spot = offset_m(*live_server.city.origin, 1_700.0, 0.0)
    page.evaluate("([lat, lon]) => window.rtcc.view(lat, lon, 17)", list(spot))

    # Draw: three clicks, then a double-click on the fourth corner closes it; name it.
    page.locator('[data-testid="geofence-draw"]').click()
    expect(page.locator('[data-testid="geofence-hint"]')).to_be_visible()
    box = page.locator("#map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in [(-150, -100), (150, -100), (150, 100)]:
        page.mouse.click(cx + dx, cy + dy)
    expect(page.locator("path.geofence-vertex")).to_have_count(3)
    name = "Lincoln High School"
    page.once("dialog", lambda dialog: dialog.accept(name))
    page.mouse.dblclick(cx - 150, cy + 100)
    label = page.locator('[data-testid="geofence-label"]', has_text=name)
    expect(label).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('[data-testid="geofence-hint"]')).to_be_hidden()
    expect(page.locator("path.geofence-vertex")).to_have_count(0)

    fences = page.evaluate("fetch('/api/v1/geofences').then((r) => r.json())")
    [fence] = [f for f in fences if f["name"] == name]
    assert fence["owner"] == USERS["officer"][0]
    assert len(fence["geometry"]["coordinates"][0]) == 5  # four corners, closed
    expect(page.locator(f"path.geofence-id-{fence['id']}.geofence-mine")).to_have_count(1)
    min_lon, min_lat, max_lon, max_lat = fence["bbox"]
    lat, lon = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2

    # A 911 caller in the middle of it: the alert, the highlight and the list entry appear.
    t0 = utcnow()
    result = live_server.post([caller_at("GF-1", lat, lon, t0)])
    [alert_id] = result["alerts"]
    item = page.locator(f'#alert-feed li.alert[data-alert-id="{alert_id}"]')
    expect(item).to_be_visible(timeout=WAIT_MS)
    expect(item).to_have_attribute("data-rule", "caller_in_geofence")
    expect(item.locator(".alert-rule")).to_have_text("Caller in geofence")
    expect(item.locator(".alert-title")).to_have_text(
        f"911 caller inside geofence '{name}' (owner {USERS['officer'][0]})"
    )
    marker = page.locator('[data-testid="call-marker"][data-call-id="GF-1"]')
    expect(marker).to_have_attribute("data-geofence", "inside")
    listed = page.locator('[data-testid="geofence-call"][data-call-id="GF-1"]')
    expect(listed).to_contain_text(f"inside {name}")
    expect(page.locator("path.geofence-call-ring")).to_have_count(1)
    assert page.evaluate("window.rtcc.geofences().highlighted") == ["GF-1"]
    page.wait_for_timeout(300)  # let the flash settle for the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wall-geofence.png"))

    # The caller moves 60 m east, still inside: no new alert; marker and circle follow.
    before = marker.bounding_box()
    lat2, lon2 = offset_m(lat, lon, 0.0, 60.0)
    assert (
        live_server.post([caller_at("GF-1", lat2, lon2, t0 + timedelta(seconds=5))])["alerts"] == []
    )
    page.wait_for_function(
        """([id, lat, lon]) => {
            const c = window.rtcc.call(id);
            const near = (p) => p && Math.abs(p.lat - lat) < 1e-9 && Math.abs(p.lng - lon) < 1e-9;
            return c && near(c.marker) && near(c.circle);
        }""",
        arg=["GF-1", lat2, lon2],
        timeout=WAIT_MS,
    )
    after = marker.bounding_box()
    assert before is not None and after is not None
    assert after["x"] - before["x"] > 30 and abs(after["y"] - before["y"]) < 2
    expect(marker).to_have_attribute("data-geofence", "inside")

    # Out of the fence: the highlight and the list entry go.
    lat3, lon3 = offset_m(lat, lon, 0.0, 600.0)
    live_server.post([caller_at("GF-1", lat3, lon3, t0 + timedelta(seconds=10))])
    expect(listed).to_have_count(0, timeout=WAIT_MS)
    expect(marker).not_to_have_attribute("data-geofence", re.compile(".*"))
    expect(page.locator("path.geofence-call-ring")).to_have_count(0)


def test_analyst_asks_which_drone_dock_should_launch(page: Page, live_server: LiveServer) -> None:
    """Docks and airspace on the map; "Drone?" on an incident names the dock, ETA and why not."""
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "analyst")
    dock_id, dock_name, drone_id, north, east = DFR_DOCK
    other_id, other_name = DFR_OTHER_DOCK[:2]
    expect(page.locator('[data-testid="dfr-dock"]')).to_have_count(2, timeout=WAIT_MS)
    expect(page.locator(".dfr-dock-label", has_text=dock_name)).to_be_visible()
    expect(page.locator("path.dfr-zone-no_fly")).to_have_count(1)
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Drones / DFR")
    hook = page.evaluate("window.rtcc.dfr()")
    assert [d["id"] for d in hook["docks"]] == [dock_id, other_id]
    assert [z["id"] for z in hook["zones"]] == [DFR_NO_FLY[0]]
    assert hook["lastRecommendation"] is None

    # The dock's drone reports from its dock, charged and still; a robbery near the centre.
    dock_lat, dock_lon = offset_m(*live_server.city.origin, north, east)
    drone = {
        "id": "dfr-drone-1",
        "kind": "unit_position",
        "occurred_at": iso(utcnow()),
        "location": {"lat": dock_lat, "lon": dock_lon},
        "payload": {
            "unit_id": drone_id,
            "unit_type": "drone",
            "status": "available",
            "battery_pct": 90,
            "speed_mps": 0,
        },
    }
    lat, lon = offset_m(*live_server.city.origin, 60.0, 80.0)
    live_server.post([drone, incident("T-DFR-1", "created", lat, lon)])
    expect(page.locator(f'[data-testid="unit-marker"][data-unit-id="{drone_id}"]')).to_have_count(
        1, timeout=WAIT_MS
    )
    item = page.locator('#incident-list li[data-incident-id="T-DFR-1"]')
    expect(item).to_be_visible(timeout=WAIT_MS)

    item.locator('[data-testid="dfr-ask"]').click()
    card = item.locator('[data-testid="dfr-card"]')
    best = card.locator('[data-testid="dfr-recommended"]')
    expect(best).to_have_attribute("data-dock-id", dock_id)
    expect(best).to_contain_text(dock_name)
    expect(best.locator('[data-testid="dfr-eta"]')).to_have_text(re.compile(r"^\d{2}:[0-5]\d$"))
    other = card.locator(f'[data-testid="dfr-option"][data-dock-id="{other_id}"]')
    expect(other).to_have_attribute("data-eligible", "false")
    expect(other).to_contain_text(other_name)
    expect(other).to_contain_text("not eligible")
    expect(other.locator('[data-testid="dfr-reason"]')).to_contain_text(
        f"flight path crosses no-fly zone {DFR_NO_FLY[1]}"
    )
    expect(page.locator("path.dfr-route")).to_have_count(1)
    last = page.evaluate("window.rtcc.dfr().lastRecommendation")
    assert last["incident_id"] == "T-DFR-1" and last["recommended_dock_id"] == dock_id
    page.wait_for_timeout(800)  # let the map settle for the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wall-dfr.png"))

    # The incident's map popup offers the same question and shows the same answer.
    page.locator('[data-testid="incident-marker"][data-incident-id="T-DFR-1"]').dispatch_event(
        "click"
    )
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator('[data-testid="dfr-ask"]')).to_be_visible()
    expect(popup.locator('[data-testid="dfr-recommended"]')).to_contain_text(dock_name)
