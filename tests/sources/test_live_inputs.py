"""Each input, through its real protocol, reaches the live picture the wall loads.

NMEA and MAVLink arrive over UDP, Cursor-on-Target over TCP, the rest are pushed over
HTTP in their own format; each feed uses its adapter's conformance fixtures.
"""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from rtcc.sources.config import SourceConfig
from rtcc.sources.registry import ADAPTERS
from tests.conftest import login_as
from tests.sources.test_conformance import FIXTURES, good_files, make_adapter, read_good

TRANSPORT = {"nmea": "udp", "mavlink": "udp", "cot": "tcp"}


def _port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(name: str) -> SourceConfig:
    options_file = FIXTURES / name / "options.json"
    options = json.loads(options_file.read_text()) if options_file.exists() else {}
    transport = TRANSPORT.get(name, "http")
    port = None
    if transport != "http":
        port = _port(socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM)
    return SourceConfig(
        name=f"feed-{name.replace('_', '-')}",
        adapter=name,
        options=options,
        transport=transport,
        port=port,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient]]:
    configs = [_config(name) for name in sorted(ADAPTERS)]
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("inputs"), sqlite_synchronous="NORMAL", sources=configs
    )
    app = create_app(settings)
    with TestClient(app) as client:
        login_as(client, app, "analyst")
        yield app, client


def _first_messages(name: str) -> list[bytes]:
    adapter = make_adapter(name)
    path = next(p for p in good_files(name) if p.suffix != ".shared")
    return read_good(path, adapter.framing)


def _send(feed_config: SourceConfig, messages: list[bytes], client: TestClient, key: str) -> None:
    if feed_config.transport == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for message in messages:
                udp.sendto(message, ("127.0.0.1", feed_config.port or 0))
    elif feed_config.transport == "tcp":
        with socket.create_connection(("127.0.0.1", feed_config.port or 0)) as tcp:
            tcp.sendall(b"\n".join(messages))
    else:
        for message in messages:
            response = client.post(
                f"/api/v1/sources/{feed_config.name}/messages",
                content=message,
                headers={"Authorization": f"Bearer {key}"},
            )
            assert response.status_code == 200, response.text


def _visible(state: dict[str, Any], source: str) -> int:
    groups = ("units", "cameras", "incidents", "calls", "recent")
    return sum(1 for group in groups for e in state[group] if e["source"] == source)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_input_reaches_the_live_picture(live: tuple[FastAPI, TestClient], name: str) -> None:
    app, client = live
    feed = next(f for f in app.state.services.sources.feeds.values() if f.config.adapter == name)
    key = create_source_key(app.state.services.storage.accounts, feed.name)
    _send(feed.config, _first_messages(name), client, key)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and feed.counters.accepted == 0:
        time.sleep(0.02)
    assert feed.counters.accepted >= 1, feed.status()
    shown = _visible(client.get("/api/v1/state").json(), feed.name)
    # Recorded fixtures are old: a caller older than 30 minutes or a closed incident is kept
    # in the live state but not drawn, so for those the live state itself is checked.
    kept = [
        s for s in app.state.services.storage.events.entities() if s.event["source"] == feed.name
    ]
    assert shown >= 1 or kept, f"{name}: nothing from {feed.name} in the live picture"
    assert feed.health.state == "ok"


def test_every_adapter_has_a_fixture_folder() -> None:
    assert {p.name for p in Path(FIXTURES).iterdir() if p.is_dir()} >= set(ADAPTERS)
