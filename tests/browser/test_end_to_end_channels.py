"""Issue #6, done-when: a simulated gunshot runs the gunshot playbook end to end.

One grouped alert (the shot and its follow-up make one incident; the starter playbook
`gunshot_response` annotates that incident's alert) appears on the wall and on the
officer's phone; the same alert id reaches Slack, Teams and a webhook (local receivers),
a CAP aggregator (local receiver), a REAL TAK server (taky) that relays the CoT to a
second TAK client, and the radio (espeak-ng + sox make the WAV); the latency page shows
every hop, live, for the feed, the rule and each channel.

Nothing here is skipped: taky, espeak-ng/sox and chromium missing are failures.
"""

import contextlib
import json
import re
import socket
import threading
import time
import uuid
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytak
import pytest
import uvicorn
from lxml import etree
from playwright.sync_api import Browser, BrowserContext, Page, expect

from rtcc.app import create_app
from rtcc.core.clock import utcnow
from rtcc.core.geo import offset_m
from rtcc.governance.identity import hash_password, new_api_key
from rtcc.settings import Settings
from rtcc.simulator import CitySimulator, build_city
from tests.browser.conftest import _free_port, _wait_healthy
from tests.outputs.receiver import Receiver, receiver
from tests.outputs.test_cot import _events, _start_taky, _stop

pytestmark = pytest.mark.browser
WAIT_MS = 10_000  # each step; the whole test stays well under a minute
BUDGET_S = 60.0
FEED = "acoustic-sim"  # the API key holder: the feed's name on the latency page
USERS = {
    "analyst": ("e2e-ana", "analyst-pass-1"),
    "officer": ("e2e-ofc", "officer-pass-1"),
    "supervisor": ("e2e-sup", "supervisor-pass-1"),
}
CHANNELS = ("slack-rtcc", "teams-rtcc", "partner-hook", "cap-eoc", "tak", "radio-d4")
NUMBER = re.compile(r"^-?[\d,]+(\.\d)?$")  # a latency figure as the page prints it


@dataclass
class TakClient:
    """A second TAK client on the TAK server, as pytak connects: TCP, a hello, then CoT."""

    sock: socket.socket
    data: bytearray = field(default_factory=bytearray)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read_forever(self) -> None:
        while chunk := self._recv():
            with self.lock:
                self.data += chunk

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""

    def events(self, uid: str) -> list[etree._Element]:
        with self.lock:
            data = bytes(self.data)
        return [e for e in _events(data) if e.get("uid") == uid]


@dataclass
class Rig:
    base: str
    feed_key: str
    receivers: dict[str, Receiver]
    tak: TakClient
    tak_prefix: str
    radio_folder: Path
    sim: CitySimulator
    origin: tuple[float, float]


@pytest.fixture
def tak_port(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    process = _start_taky(tmp_path / "taky", port)  # fails (never skips) without taky
    try:
        yield port
    finally:
        _stop(process)


@pytest.fixture
def tak_client(tak_port: int) -> Iterator[TakClient]:
    sock = socket.create_connection(("127.0.0.1", tak_port), timeout=5)
    sock.settimeout(None)
    sock.sendall(pytak.hello_event(f"rtcc-e2e-{uuid.uuid4().hex[:8]}"))
    client = TakClient(sock)
    reader = threading.Thread(target=client.read_forever, daemon=True)
    reader.start()
    time.sleep(0.3)  # taky registers the client before it routes to it
    try:
        yield client
    finally:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked in recv
        sock.close()
        reader.join(timeout=5)


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    with receiver() as slack, receiver() as teams, receiver() as hook, receiver() as cap:
        yield {"slack": slack, "teams": teams, "webhook": hook, "cap": cap}


def _outputs(
    rx: dict[str, Receiver], tak_port: int, prefix: str, radio: Path
) -> list[dict[str, Any]]:
    secret = "s3cret-s3cret-s3cret"
    return [
        {"name": "slack-rtcc", "kind": "slack",
         "options": {"webhook_url": rx["slack"].url + "/services/T0/B0/X"}},
        {"name": "teams-rtcc", "kind": "teams", "options": {"webhook_url": rx["teams"].url}},
        {"name": "partner-hook", "kind": "webhook",
         "options": {"url": rx["webhook"].url, "secret": secret}},
        {"name": "cap-eoc", "kind": "cap",
         "options": {"sender": "rtcc@police.example.gov", "url": rx["cap"].url}},
        {"name": "tak", "kind": "cot", "options": {"port": tak_port, "uid_prefix": prefix}},
        {"name": "radio-d4", "kind": "radio",
         "options": {"folder": str(radio), "seconds_per_hour": 600,
                     "talkgroup": "All units, District 4"}},
    ]  # fmt: skip


@pytest.fixture
def rig(
    tmp_path: Path,
    tak_port: int,
    tak_client: TakClient,
    receivers: dict[str, Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Rig]:
    monkeypatch.setenv("RTCC_MFA_REQUIRED", "false")  # the test users have no authenticator
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    radio = tmp_path / "radio"
    app = create_app(
        Settings.model_validate(
            {
                "data_dir": tmp_path / "data",
                "sqlite_synchronous": "NORMAL",
                "heartbeat_s": 1.0,
                "outputs": _outputs(receivers, tak_port, prefix, radio),
                # playbooks_dir unset: the starter playbooks, gunshot_response among them
            }
        )
    )
    accounts = app.state.services.storage.accounts
    for role, (name, password) in USERS.items():
        accounts.add_user(name, hash_password(password), role)
    key, key_id, key_hash = new_api_key()
    accounts.add_api_key(key_id, FEED, key_hash)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="rtcc-e2e-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, thread)
        city = build_city(seed=11)
        sim = CitySimulator(city, seed=11)
        yield Rig(base, key, receivers, tak_client, prefix, radio, sim, city.origin)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def pages(browser: Browser, rig: Rig) -> Iterator[Callable[..., Page]]:
    """New pages, each in its own context, closed before the server stops (open live
    sockets would hold its shutdown)."""
    contexts: list[BrowserContext] = []

    def new_page(**options: Any) -> Page:
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield new_page
    for context in contexts:
        context.close()


def _log_in(page: Page, base: str, role: str, path: str) -> None:
    name, password = USERS[role]
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("#username").fill(name)
    page.locator("#password").fill(password)
    page.locator("#login-button").click()
    expect(page).to_have_url(f"{base}{path}")


def _post(rig: Rig, event: dict[str, Any]) -> list[str]:
    response = httpx.post(
        f"{rig.base}/api/v1/events",
        headers={"Authorization": f"Bearer {rig.feed_key}"},
        json={"events": [event]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    alerts: list[str] = response.json()["alerts"]
    return alerts


def _wait(what: str, ready: Any, seconds: float = WAIT_MS / 1000) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := ready()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return found


def _only_request(rx: Receiver, what: str) -> bytes:
    _wait(what, lambda: rx.requests)
    [request] = rx.requests  # one alert, delivered once
    return request.body


def test_a_simulated_gunshot_reaches_every_channel_and_the_latency_page(
    pages: Callable[..., Page], rig: Rig
) -> None:
    started = time.monotonic()
    shot_at = offset_m(*rig.origin, 120.0, -80.0)

    wall = pages(viewport={"width": 1600, "height": 900})
    _log_in(wall, rig.base, "analyst", "/")
    expect(wall.locator("#conn-status")).to_have_text("live", timeout=WAIT_MS)
    officer_at = offset_m(*shot_at, -400.0, 0.0)
    phone = pages(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": officer_at[0], "longitude": officer_at[1], "accuracy": 8},
        permissions=["geolocation"],
        is_mobile=True,
        has_touch=True,
    )
    _log_in(phone, rig.base, "officer", "/m")
    expect(phone.locator('[data-testid="conn-status"]')).to_have_text("live", timeout=WAIT_MS)

    # The simulator's detection, then a follow-up 20 m away 4 s later: one incident.
    now = utcnow()
    [alert_id] = _post(rig, rig.sim.gunshot_at(now - timedelta(seconds=5), *shot_at))
    follow_up = offset_m(*shot_at, 20.0, 0.0)
    assert _post(rig, rig.sim.gunshot_at(now - timedelta(seconds=1), *follow_up)) == []

    # One grouped alert on the wall and on the phone.
    item = wall.locator(f'#alert-feed li.alert[data-alert-id="{alert_id}"]')
    expect(item).to_be_visible(timeout=WAIT_MS)
    expect(wall.locator("#alert-feed li.alert")).to_have_count(1)
    cards = phone.locator('[data-testid="m-alert"]')
    expect(cards).to_have_count(1, timeout=WAIT_MS)
    expect(cards.first).to_have_attribute("data-alert-id", alert_id)

    # The same alert, with the playbook's findings, through every channel.
    sent = json.loads(_only_request(rig.receivers["webhook"], "the webhook"))
    assert sent["id"] == alert_id and sent["rule"] == "gunshot_nearby"
    assert "gunshot_response" in sent["detail"]["playbooks"]  # grouped by the playbook
    slack = _only_request(rig.receivers["slack"], "slack").decode()
    assert f"RTCC alert `{alert_id}`" in slack
    teams = _only_request(rig.receivers["teams"], "teams").decode()
    assert f"RTCC alert {alert_id}" in teams
    cap = etree.fromstring(_only_request(rig.receivers["cap"], "the CAP aggregator"))
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert cap.findtext("cap:identifier", namespaces=ns) == f"police.example.gov.rtcc.{alert_id}"
    uid = f"{rig.tak_prefix}.alert.{alert_id}"
    [cot] = _wait("the TAK server to relay the CoT", lambda: rig.tak.events(uid))
    assert cot.get("type") == "b-d-a"
    wav = _wait("the radio WAV", lambda: list(rig.radio_folder.glob(f"*-{alert_id}.wav")))[0]
    with wave.open(str(wav)) as audio:
        assert audio.getnframes() / audio.getframerate() > 1.0  # spoken, not empty

    # The latency page, live: open it, then acknowledge on the phone and watch it arrive.
    latency = pages(viewport={"width": 1600, "height": 900})
    _log_in(latency, rig.base, "supervisor", "/latency")

    def cell(table: str, name: str, hop: str, stat: str) -> Any:
        row = latency.locator(f'#latency-{table} tr[data-name="{name}"]')
        return row.locator(f'td[data-hop="{hop}"][data-stat="{stat}"]')

    for hop in ("sensor_to_received", "received_to_persisted", "persisted_to_published"):
        expect(cell("feeds", FEED, hop, "n")).to_have_text("2", timeout=WAIT_MS)  # both shots
        expect(cell("feeds", FEED, hop, "p50")).to_have_text(NUMBER)
    for hop in ("received_to_fired", "fired_to_delivered"):
        expect(cell("rules", "gunshot_nearby", hop, "n")).to_have_text("1", timeout=WAIT_MS)
        expect(cell("rules", "gunshot_nearby", hop, "p95")).to_have_text(NUMBER)
    for name in CHANNELS:
        expect(cell("channels", name, "created_to_delivered", "n")).to_have_text(
            "1", timeout=WAIT_MS
        )
        expect(cell("channels", name, "created_to_delivered", "p50")).to_have_text(NUMBER)
    acked = cell("rules", "gunshot_nearby", "created_to_acknowledged", "n")
    expect(acked).to_have_text("0")

    phone.locator('[data-testid="m-ack"]').first.click()
    expect(cards.first).to_have_attribute("data-status", "acknowledged", timeout=WAIT_MS)
    expect(acked).to_have_text("1", timeout=WAIT_MS)  # no reload: the page refreshes itself
    expect(cell("rules", "gunshot_nearby", "created_to_acknowledged", "p50")).to_have_text(NUMBER)
    expect(latency.locator('[data-testid="latency-lost"]')).to_have_text("0")
    assert time.monotonic() - started < BUDGET_S
