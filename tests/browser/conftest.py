"""A real server on a free port, a seeded city feeding it, and Debian chromium to look at it."""

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from rtcc.app import create_app
from rtcc.core.clock import utcnow
from rtcc.core.geo import offset_m
from rtcc.governance.identity import hash_password, new_api_key
from rtcc.settings import Settings
from rtcc.simulator import City, CitySimulator, build_city
from rtcc.sources import registry
from rtcc.sources.config import SourceConfig
from tests.sources.fake_adapter import FakeJsonLinesAdapter

SEED = 7
FEED = "avl-feed"  # a configured push feed, for the health strip
FEED_ADAPTER = FakeJsonLinesAdapter.name
FAKE_ADAPTER = "tests.sources.fake_adapter:FakeJsonLinesAdapter"
FEED_HEARTBEAT_S = 1.0
WARM_UP_S = 240  # simulated city time posted before the first page loads
USERS = {
    "analyst": ("ana", "analyst-pass-1"),
    "officer": ("ofc", "officer-pass-1"),
    "admin": ("adm", "admin-pass-1"),
}


# Drone as First Responder: a dock near the centre whose drone the tests report, and one to
# the east that never hears from its drone and whose line to the centre crosses a no-fly zone.
DFR_DOCK = ("central", "Central precinct roof", "UAV-C1", 250.0, -350.0)  # north, east (m)
DFR_OTHER_DOCK = ("east", "Fire station 12", "UAV-E1", 0.0, 1100.0)
DFR_NO_FLY = ("st-anns-helipad", "St Ann's helipad", (-150.0, 450.0), (150.0, 750.0))


def dfr_settings(city: City) -> dict[str, Any]:
    """The `dfr:` configuration of the test server, placed around the simulated city."""
    docks = []
    for dock_id, name, unit_id, north, east in (DFR_DOCK, DFR_OTHER_DOCK):
        lat, lon = offset_m(*city.origin, north, east)
        docks.append(
            {
                "id": dock_id,
                "name": name,
                "lat": lat,
                "lon": lon,
                "unit_id": unit_id,
                "max_range_m": 3000,
            }
        )
    zone_id, zone_name, (s, w), (n, e) = DFR_NO_FLY
    corners = [
        offset_m(*city.origin, north, east) for north, east in [(s, w), (s, e), (n, e), (n, w)]
    ]
    ring = [[lon, lat] for lat, lon in [*corners, corners[0]]]
    zone = {
        "id": zone_id,
        "name": zone_name,
        "kind": "no_fly",
        "polygon": {"type": "Polygon", "coordinates": [ring]},
    }
    return {"docks": docks, "zones": [zone], "weather": {"wind_mps": 6}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last. Playwright's sync API leaves an asyncio loop marked as
    running in the main thread until the session ends, so any `asyncio.run()` in a
    test collected after them would fail with "cannot be called from a running loop"."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@dataclass
class LiveServer:
    base_url: str
    api_key: str
    city: City
    sim: CitySimulator
    feed_key: str = ""
    accounts: Any = None  # the server's AccountStore, for tests that enrol a user

    def push(self, source: str, body: bytes) -> dict[str, Any]:
        """Send raw messages in a feed's own format, as that feed would."""
        response = httpx.post(
            f"{self.base_url}/api/v1/sources/{source}/messages",
            headers={"Authorization": f"Bearer {self.feed_key}"},
            content=body,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """Send events as the simulator source would; every one must be accepted."""
        for start in range(0, len(events), 2000):
            response = httpx.post(
                f"{self.base_url}/api/v1/events",
                headers={"Authorization": f"Bearer {self.api_key}"},
                json={"events": events[start : start + 2000]},
                timeout=30,
            )
            assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the test server thread died while starting")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the test server at {base_url} did not become healthy")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RTCC_MFA_REQUIRED", "false")  # the test users have no authenticator
        yield from _live_server(tmp_path_factory)


def _live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    registry.ADAPTERS[FEED_ADAPTER] = FAKE_ADAPTER
    data_dir = tmp_path_factory.mktemp("rtcc-browser")
    city = build_city(seed=SEED)
    basemap = data_dir / "basemap.geojson"
    basemap.write_text(json.dumps(city.basemap_geojson()))
    app = create_app(
        Settings(
            data_dir=data_dir,
            basemap_path=basemap,
            sqlite_synchronous="NORMAL",
            heartbeat_s=1.0,
            sources=[SourceConfig(name=FEED, adapter=FEED_ADAPTER, heartbeat_s=FEED_HEARTBEAT_S)],
            dfr=dfr_settings(city),
        )
    )
    storage = app.state.services.storage
    for role, (name, password) in USERS.items():
        storage.accounts.add_user(name, hash_password(password), role)
    key, key_id, key_hash = new_api_key()
    storage.accounts.add_api_key(key_id, "simulator", key_hash)

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="rtcc-test-server", daemon=True)
    thread.start()
    feed_key, feed_key_id, feed_key_hash = new_api_key()
    storage.accounts.add_api_key(feed_key_id, FEED, feed_key_hash)
    sim = CitySimulator(city, seed=SEED)
    live = LiveServer(f"http://127.0.0.1:{port}", key, city, sim, feed_key, storage.accounts)
    try:
        _wait_healthy(live.base_url, thread)
        _warm_up(live)
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        registry.ADAPTERS.pop(FEED_ADAPTER, None)


def _warm_up(live: LiveServer) -> None:
    """Cameras, units and a few minutes of city life (incidents, callers, plate reads)."""
    now = utcnow()
    start = now - timedelta(seconds=WARM_UP_S)
    events = live.sim.initial_events(start)
    for tick in range(1, WARM_UP_S + 1):
        events += live.sim.step(start + timedelta(seconds=tick), 1.0)
    live.post(events)
