"""The feed runtime: push over HTTP/UDP/TCP, dead letters and replay, health changes."""

import asyncio
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from rtcc.sources import registry
from rtcc.sources.config import SourceConfig
from rtcc.sources.health import HealthChange, SourceHealth
from rtcc.sources.manager import build_adapter
from rtcc.sources.transports import StreamSplitter
from tests.conftest import login_as

FAKE = "tests.sources.fake_adapter:FakeJsonLinesAdapter"


def fix(unit: str, second: int, lat: float = 39.96) -> bytes:
    t = f"2026-11-25T20:00:{second:02d}Z"
    return json.dumps({"unit": unit, "t": t, "lat": lat, "lon": -83.0}).encode()


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def fake_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "fake_jsonl", FAKE)


@pytest.fixture
def feeds_app(tmp_path: Path) -> FastAPI:
    sources = [
        SourceConfig(name="avl", adapter="fake_jsonl", heartbeat_s=30),
        SourceConfig(
            name="avl-udp",
            adapter="fake_jsonl",
            transport="udp",
            port=free_port(socket.SOCK_DGRAM),
            heartbeat_s=30,
        ),
        SourceConfig(
            name="avl-tcp",
            adapter="fake_jsonl",
            transport="tcp",
            port=free_port(socket.SOCK_STREAM),
            heartbeat_s=30,
        ),
    ]
    return create_app(Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", sources=sources))


@pytest.fixture
def feeds_client(feeds_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(feeds_app) as client:
        yield client


def _key(app: FastAPI, source: str) -> dict[str, str]:
    key = create_source_key(app.state.services.storage.accounts, source)
    return {"Authorization": f"Bearer {key}"}


def _stored(app: FastAPI) -> int:
    count: int = app.state.services.storage.events.count_events()
    return count


def test_http_push_translates_and_dead_letters_the_bad(
    feeds_client: TestClient, feeds_app: FastAPI
) -> None:
    body = b"\n".join([fix("P1", 1), b"ping", b"{not json", b'{"t": 1}', fix("P2", 2, lat=95.0)])
    response = feeds_client.post(
        "/api/v1/sources/avl/messages", content=body, headers=_key(feeds_app, "avl")
    )
    assert response.status_code == 422
    out = response.json()
    assert out["messages"] == 5 and out["accepted"] == 1
    assert [(r["message_index"], r["field"], r["reason"]) for r in out["rejected"]] == [
        (2, "message", "not_json"),
        (3, "unit", "missing"),
        (4, "location.lat", "less_than_equal"),
    ]
    assert _stored(feeds_app) == 1
    letters = feeds_app.state.services.storage.dead_letters.list("avl", 10)
    assert {(d.field, d.reason) for d in letters} == {
        ("message", "not_json"),
        ("unit", "missing"),
        ("location.lat", "less_than_equal"),
    }
    assert any(d.raw == b"{not json" for d in letters)
    login_as(feeds_client, feeds_app, "analyst")
    avl = next(s for s in feeds_client.get("/api/v1/sources").json() if s["name"] == "avl")
    assert avl["messages"] == 5 and avl["accepted"] == 1 and avl["health"] == "ok"
    assert avl["rejected"] == {
        "message:not_json": 1,
        "unit:missing": 1,
        "location.lat:less_than_equal": 1,
    }
    assert avl["last_event_at"].startswith("2026-11-25T20:00:01")


def test_push_needs_the_sources_own_key(feeds_client: TestClient, feeds_app: FastAPI) -> None:
    other = feeds_client.post(
        "/api/v1/sources/avl/messages",
        content=fix("P1", 1),
        headers=_key(feeds_app, "someone-else"),
    )
    assert other.status_code == 403
    unknown = feeds_client.post(
        "/api/v1/sources/nope/messages", content=fix("P1", 1), headers=_key(feeds_app, "nope")
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "name"


def test_dead_letter_replay_after_a_fix(feeds_client: TestClient, feeds_app: FastAPI) -> None:
    feeds_client.post(
        "/api/v1/sources/avl/messages", content=b'{"t": 1}', headers=_key(feeds_app, "avl")
    )
    [letter] = feeds_app.state.services.storage.dead_letters.list("avl", 10)
    login_as(feeds_client, feeds_app, "admin")
    listed = feeds_client.get("/api/v1/admin/dead-letters?source=avl").json()
    assert listed[0]["raw_text"] == '{"t": 1}' and listed[0]["reason"] == "missing"
    feed = feeds_app.state.services.sources.feeds["avl"]
    original = feed.adapter.translate
    feed.adapter.translate = lambda m: original(fix("P9", 9))  # the "fixed" adapter
    replayed = feeds_client.post(f"/api/v1/admin/dead-letters/{letter.id}/replay")
    assert replayed.status_code == 200 and replayed.json()["accepted"] == 1
    assert feeds_app.state.services.storage.dead_letters.get(letter.id).replayed_at is not None


def test_udp_and_tcp_transports(feeds_client: TestClient, feeds_app: FastAPI) -> None:
    feeds = feeds_app.state.services.sources.feeds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(fix("U1", 1) + b"\n" + fix("U2", 2), ("127.0.0.1", feeds["avl-udp"].config.port))
    with socket.create_connection(("127.0.0.1", feeds["avl-tcp"].config.port)) as tcp:
        stream = fix("T1", 3) + b"\n" + fix("T2", 4) + b"\n" + b"{oops\n"
        tcp.sendall(stream[:25])  # a message split across TCP segments
        tcp.sendall(stream[25:])
    for _ in range(200):
        if _stored(feeds_app) >= 4 and feeds["avl-tcp"].counters.rejected:
            break
        feeds_client.get("/healthz")
        asyncio.run(asyncio.sleep(0.01))
    assert _stored(feeds_app) == 4
    assert feeds["avl-udp"].counters.accepted == 2
    assert feeds["avl-tcp"].counters.accepted == 2
    assert feeds["avl-tcp"].counters.rejected == {"message:not_json": 1}


def test_health_goes_degraded_unavailable_recovered_ok() -> None:
    changes: list[HealthChange] = []
    start = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    health = SourceHealth("avl", 10.0, start, changes.append)
    for seconds in (5, 11, 15, 21, 25):
        health.tick(start + timedelta(seconds=seconds))
    health.heard(start + timedelta(seconds=30))
    health.tick(start + timedelta(seconds=35))
    health.heard(start + timedelta(seconds=38))
    health.tick(start + timedelta(seconds=41))
    assert [(c.old, c.new) for c in changes] == [
        ("ok", "degraded"),
        ("degraded", "unavailable"),
        ("unavailable", "recovered"),
        ("recovered", "ok"),
    ]
    assert changes[1].reason == "silent for 21 s"


def test_stream_splitter_keeps_partial_frames() -> None:
    cot = StreamSplitter("cot")
    assert cot.feed(b"<event uid='a'></ev") == []
    assert cot.feed(b"ent><event uid='b'>") == [b"<event uid='a'></event>"]
    assert cot.finish() == [b"<event uid='b'>"]
    lines = StreamSplitter("lines")
    assert lines.feed(b"$GPRMC,1\n$GPGGA") == [b"$GPRMC,1"]


def test_bad_source_config_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"sources\.x\.adapter: unknown adapter 'nope'"):
        build_adapter(SourceConfig(name="x", adapter="nope"))
    with pytest.raises(ValueError, match=r"sources\.x\.options\.unit_type"):
        build_adapter(SourceConfig(name="x", adapter="fake_jsonl", options={"unit_type": 7}))
    with pytest.raises(ValueError, match="needs a port"):
        SourceConfig(name="x", adapter="fake_jsonl", transport="udp")


def test_admin_page_lists_feeds_and_dead_letters(
    feeds_client: TestClient, feeds_app: FastAPI
) -> None:
    feeds_client.post(
        "/api/v1/sources/avl/messages", content=b"{nope", headers=_key(feeds_app, "avl")
    )
    login_as(feeds_client, feeds_app, "admin")
    page = feeds_client.get("/admin").text
    assert 'data-testid="feeds-table"' in page and "avl-udp" in page and "fake_jsonl" in page
    assert "not_json" in page and "{nope" in page


def test_websocket_push_answers_each_frame(feeds_client: TestClient, feeds_app: FastAPI) -> None:
    headers = _key(feeds_app, "avl")
    with feeds_client.websocket_connect("/api/v1/sources/avl/stream", headers=headers) as ws:
        ws.send_bytes(fix("W1", 1) + b"\n" + fix("W2", 2))
        assert ws.receive_json() == {"messages": 2, "accepted": 2, "rejected": []}
        ws.send_text("{broken")
        answer = ws.receive_json()
        assert answer["accepted"] == 0 and answer["rejected"][0]["reason"] == "not_json"
    assert _stored(feeds_app) == 2
    other = _key(feeds_app, "someone-else")
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        feeds_client.websocket_connect("/api/v1/sources/avl/stream", headers=other) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008
