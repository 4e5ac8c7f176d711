"""The correlation core end to end, in a real browser: a gunshot reported only as sensor
arrival times is located, docks the cameras that can see it (a PTZ gets its slew), and
one alert lists the plate reads and the units around it."""

import random
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rtcc.core.clock import iso, utcnow
from rtcc.core.geo import bearing_deg, haversine_m, offset_m
from rtcc.simulator.acoustic import hear, sensor_grid, sensor_report
from tests.browser.conftest import LiveServer
from tests.browser.test_wall import WAIT_MS, log_in

pytestmark = pytest.mark.browser
EAST_OF_CITY_M = 7000.0  # away from the simulated city's own shots, so no incident is joined


def _camera(camera_id: str, lat: float, lon: float, kind: str, heading: float) -> dict[str, Any]:
    return {
        "id": f"{camera_id}-reg",
        "kind": "camera_status",
        "occurred_at": iso(utcnow()),
        "location": {"lat": lat, "lon": lon},
        "payload": {
            "camera_id": camera_id,
            "camera_type": kind,
            "status": "online",
            "heading_deg": round(heading, 1) % 360,
            "fov_deg": 60.0,
            "range_m": 250.0,
        },
    }


def _scene(live: LiveServer) -> tuple[float, float, list[dict[str, Any]]]:
    """A shot spot east of the city, and what is around it before the shot."""
    lat, lon = offset_m(*live.city.origin, 0.0, EAST_OF_CITY_M)
    now = utcnow()
    fixed_at = offset_m(lat, lon, -60.0, -40.0)
    ptz_at = offset_m(lat, lon, 80.0, 30.0)
    blind_at = offset_m(lat, lon, 0.0, 90.0)
    read_at = offset_m(lat, lon, 120.0, 0.0)
    around: list[dict[str, Any]] = [
        _camera("CORR-FIX", *fixed_at, "fixed", bearing_deg(*fixed_at, lat, lon)),
        _camera("CORR-PTZ", *ptz_at, "ptz", 0.0),  # looking away: it must pan round
        _camera("CORR-BLIND", *blind_at, "fixed", bearing_deg(lat, lon, *blind_at)),
        {
            "id": "corr-unit",
            "kind": "unit_position",
            "occurred_at": iso(now),
            "location": dict(zip(("lat", "lon"), offset_m(lat, lon, -300.0, 200.0), strict=True)),
            "payload": {"unit_id": "CORR-U1", "status": "available"},
        },
    ]
    for i, plate in enumerate(("CORR123", "CORR456")):
        around.append(
            {
                "id": f"corr-read-{i}",
                "kind": "lpr_read",
                "occurred_at": iso(now - timedelta(seconds=90 - 30 * i)),
                "location": {"lat": read_at[0], "lon": read_at[1]},
                "payload": {"reader_id": "CORR-LPR", "plate": plate, "plate_state": "OH"},
            }
        )
    return lat, lon, around


def test_a_sensor_report_is_located_and_correlated_in_one_alert(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1600, "height": 900})
    log_in(page, live_server.base_url, "analyst")
    lat, lon, around = _scene(live_server)
    live_server.post(around)

    rng = random.Random(20261129)
    sensors = sensor_grid(lat, lon, rng, per_square_mile=18)
    arrivals = hear(sensors, lat, lon, utcnow() - timedelta(seconds=3), rng, timing_sigma_s=0.001)
    report = sensor_report("corr-shot-1", arrivals, temperature_c=12.0, rounds=3)
    assert "location" not in report  # only the sensors' arrival times
    result = live_server.post([report])
    [alert_id] = result["alerts"]

    item = page.locator(f'#alert-feed li.alert[data-alert-id="{alert_id}"]')
    expect(item).to_be_visible(timeout=WAIT_MS)
    located = item.locator('[data-testid="alert-located"]')
    expect(located).to_have_attribute("data-method", "multilateration")
    expect(located).to_contain_text("Located from sensor times ±")
    expect(item.locator('[data-testid="alert-counts"]')).to_contain_text("2 plate reads")
    reads = item.locator('[data-testid="read-chip"]')
    expect(reads).to_have_count(2)
    expect(item.locator('[data-testid="alert-reads"]')).to_contain_text("CORR123")
    expect(item.locator('[data-testid="alert-reads"]')).to_contain_text("CORR456")
    expect(item.locator('.chip-unit[data-unit-id="CORR-U1"]')).to_be_visible()

    item.click()
    strip = page.locator('[data-testid="dock-strip"]')
    expect(strip).to_be_visible(timeout=WAIT_MS)
    expect(strip.locator('[data-testid="dock-tile"][data-camera-id="CORR-FIX"]')).to_be_visible()
    ptz = strip.locator('[data-testid="dock-tile"][data-camera-id="CORR-PTZ"]')
    expect(ptz).to_be_visible()
    expect(ptz.locator('[data-testid="dock-slew"]')).to_contain_text("slew sent in")
    expect(strip.locator('[data-testid="dock-tile"][data-camera-id="CORR-BLIND"]')).to_have_count(0)

    # Where the wall was told the shot was: within metres of where it was fired.
    alerts = page.evaluate("async () => (await (await fetch('/api/v1/alerts?limit=50')).json())")
    found = next(a for a in alerts if a["id"] == alert_id)
    assert haversine_m(lat, lon, found["location"]["lat"], found["location"]["lon"]) < 8.0
    assert found["detail"]["incident"]["id"].startswith("RTCC-")  # a new incident
