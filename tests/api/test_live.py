"""WS /api/v1/live: snapshot first, then persisted events and alerts, heartbeats."""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from rtcc.analysis.hotlists.delivery import granted
from rtcc.api import live
from rtcc.core.bus import Bus, BusMessage
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.governance.roles import Permission, Role
from tests.conftest import camera, gunshot, login_as, unit


def test_snapshot_then_live_gunshot_with_alert(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    setup = [camera("CAM-1", 39.9620, -82.9988, 180.0), unit("P1", 39.9650, -82.9988)]
    client.post("/api/v1/events", json={"events": setup}, headers=ingest_headers)
    login_as(client, app, "analyst")
    with client.websocket_connect("/api/v1/live") as ws:
        first = ws.receive_json()
        assert first["type"] == "snapshot"
        assert [c["payload"]["camera_id"] for c in first["state"]["cameras"]] == ["CAM-1"]
        assert [u["payload"]["unit_id"] for u in first["state"]["units"]] == ["P1"]
        client.post("/api/v1/events", json={"events": [gunshot()]}, headers=ingest_headers)
        seen = {}
        while len(seen) < 2:
            message = ws.receive_json()
            if message["type"] in ("event", "alert"):
                seen[message["type"]] = message
    event, alert = seen["event"], seen["alert"]
    assert event["event"]["kind"] == "gunshot"
    hops = event["event"]["hops"]
    assert hops["received_at"] <= hops["persisted_at"] <= hops["published_at"]
    assert event["delivered_at"] >= hops["published_at"]
    assert alert["alert"]["rule"] == "gunshot_nearby"
    assert alert["alert"]["event_id"] == event["event"]["id"]
    assert [c["camera_id"] for c in alert["alert"]["detail"]["cameras"]] == ["CAM-1"]
    assert alert["alert"]["detail"]["cameras"][0]["in_view"] is True
    assert [u["unit_id"] for u in alert["alert"]["detail"]["units"]] == ["P1"]


def test_heartbeats_keep_coming(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "officer")
    with client.websocket_connect("/api/v1/live") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        assert ws.receive_json()["type"] == "heartbeat"
        assert ws.receive_json()["type"] == "heartbeat"


def test_a_client_that_takes_batches_gets_event_and_alert_in_one_frame(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    login_as(client, app, "analyst")
    with client.websocket_connect("/api/v1/live?batch=1") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        client.post("/api/v1/events", json={"events": [gunshot()]}, headers=ingest_headers)
        frame = ws.receive_json()
        while not isinstance(frame, list):
            assert frame["type"] == "heartbeat"
            frame = ws.receive_json()
    event, alert = frame
    assert (event["type"], alert["type"]) == ("event", "alert")
    assert alert["alert"]["event_id"] == event["event"]["id"]
    assert event["delivered_at"] == alert["delivered_at"] >= alert["alert"]["hops"]["published_at"]


def test_anonymous_and_auditor_cannot_watch(client: TestClient, app: FastAPI) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as anonymous,
        client.websocket_connect("/api/v1/live") as ws,
    ):
        ws.receive_json()
    assert anonymous.value.code == 1008
    login_as(client, app, "auditor")
    with (
        pytest.raises(WebSocketDisconnect) as auditor,
        client.websocket_connect("/api/v1/live") as ws,
    ):
        ws.receive_json()
    assert auditor.value.code == 1008


def test_subscriber_leaves_the_bus_on_disconnect(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    bus = app.state.services.bus
    others = bus.subscriber_count  # the server's own (the latency book)
    with client.websocket_connect("/api/v1/live") as ws:
        ws.receive_json()
        assert bus.subscriber_count == others + 1
    for _ in range(50):
        if bus.subscriber_count == others:
            break
        client.get("/healthz")
    assert bus.subscriber_count == others


class _Socket:
    """Records frames; `hold()` makes sends block, like a client whose TCP window is full."""

    def __init__(self) -> None:
        self.frames: list[Any] = []  # a message, or an array of them
        self._open = asyncio.Event()
        self._open.set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def send_text(self, text: str) -> None:
        await self._open.wait()
        self.frames.append(json.loads(text))  # every frame, spliced or not, is valid JSON


def _units(n: int) -> list[Event]:
    now = datetime.now(UTC)
    wires = [unit(f"U{i}", 39.9, -83.0) for i in range(n)]
    return [event_from_wire(EVENT_IN_ADAPTER.validate_python(w), "t", now) for w in wires]


async def _settle(done: Callable[[], bool]) -> None:
    for _ in range(400):
        if done():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the stream did not catch up")


async def test_frame_rendered_once_per_role_and_stamped_per_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renders: list[frozenset[Permission]] = []

    def counted(message: BusMessage, permissions: frozenset[Permission]) -> str | None:
        renders.append(permissions)
        return render(message, permissions)

    render = live._render
    monkeypatch.setattr(live, "_render", counted)
    bus = Bus()
    roles = [Role.ANALYST, Role.ANALYST, Role.ANALYST, Role.OFFICER]
    sockets = [_Socket() for _ in roles]
    async with asyncio.TaskGroup() as tasks:
        runs = [
            tasks.create_task(
                live._stream(
                    cast(WebSocket, ws), bus.subscribe(str(i)), granted(role), live._Quiet(0.0), 1
                )
            )
            for i, (ws, role) in enumerate(zip(sockets, roles, strict=True))
        ]
        await asyncio.sleep(0)
        [event] = _units(1)
        bus.publish_events([event])
        await _settle(lambda: all(ws.frames for ws in sockets))
        for run in runs:
            run.cancel()
    assert sorted(renders, key=len) == sorted({granted(r) for r in roles}, key=len)
    published = event.hops.published_at
    assert published is not None
    for ws in sockets:
        [frame] = ws.frames
        assert frame["type"] == "event" and frame["event"]["id"] == event.id
        assert frame["event"]["hops"]["published_at"] == iso(published)
        delivered = datetime.fromisoformat(frame["delivered_at"])
        assert published <= delivered <= utcnow()


async def test_a_blocked_client_resyncs_and_never_holds_up_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def snapshot(websocket: _Socket, permissions: frozenset[Permission]) -> None:
        await websocket.send_text('{"type": "snapshot"}')

    monkeypatch.setattr(live, "_send_snapshot", snapshot)
    bus = Bus(queue_size=5)
    slow, fast = _Socket(), _Socket()
    permissions = granted(Role.ANALYST)
    async with asyncio.TaskGroup() as tasks:
        runs = [
            tasks.create_task(
                live._stream(
                    cast(WebSocket, ws), bus.subscribe(name), permissions, live._Quiet(0), 1
                )
            )
            for ws, name in ((slow, "slow"), (fast, "fast"))
        ]
        await asyncio.sleep(0)
        slow.hold()
        events = _units(30)
        for event in events[:20]:
            bus.publish_events([event])
            await asyncio.sleep(0)  # the fast client keeps up; the slow one's queue overflows
        assert [f["event"]["id"] for f in fast.frames] == [e.id for e in events[:20]]
        slow.release()
        await _settle(lambda: len(slow.frames) >= 2)
        for event in events[20:]:
            bus.publish_events([event])
            await asyncio.sleep(0)
        last = events[-1].id
        await _settle(
            lambda: all(ws.frames[-1].get("event", {}).get("id") == last for ws in (fast, slow))
        )
        for run in runs:
            run.cancel()
    assert [f["event"]["id"] for f in fast.frames] == [e.id for e in events]
    kinds = [f["type"] for f in slow.frames]
    assert slow.frames[0]["event"]["id"] == events[0].id  # taken before its socket blocked
    assert "resync" in kinds and kinds[kinds.index("resync") + 1] == "snapshot"
    after = slow.frames[kinds.index("snapshot") + 1 :]
    assert [f["event"]["id"] for f in after][-10:] == [e.id for e in events[20:]]


async def test_batches_keep_order_and_stop_at_a_resync(monkeypatch: pytest.MonkeyPatch) -> None:
    async def snapshot(websocket: _Socket, permissions: frozenset[Permission]) -> None:
        await websocket.send_text('{"type": "snapshot"}')

    monkeypatch.setattr(live, "_send_snapshot", snapshot)
    bus, ws = Bus(queue_size=6), _Socket()
    sub = bus.subscribe("wall")
    run = asyncio.create_task(
        live._stream(cast(WebSocket, ws), sub, granted(Role.ANALYST), live._Quiet(0), 4)
    )
    await asyncio.sleep(0)
    events = _units(14)
    bus.publish_events(events[:6])  # six waiting: a frame of four, then one of two
    await _settle(lambda: len(ws.frames) == 2)
    bus.publish_events(events[6:13])  # seven overflow a queue of six: resync
    bus.publish_events(events[13:])  # … and one more behind it
    await _settle(lambda: len(ws.frames) == 5)
    run.cancel()
    first, second, resync, snapshot_, last = ws.frames
    assert [m["event"]["id"] for m in first + second] == [e.id for e in events[:6]]
    assert [len(first), len(second)] == [4, 2]
    assert (resync["type"], snapshot_["type"]) == ("resync", "snapshot")
    assert last["event"]["id"] == events[13].id  # alone: a plain object, not an array


async def test_heartbeat_fills_silences_only() -> None:
    ws, quiet = _Socket(), live._Quiet(time.monotonic())
    beat = asyncio.create_task(live._heartbeat(cast(WebSocket, ws), 0.2, quiet))
    busy_until = time.monotonic() + 0.5
    while time.monotonic() < busy_until:  # frames flowing: no heartbeat needed
        quiet.since = time.monotonic()
        await asyncio.sleep(0.01)
    assert ws.frames == []
    await asyncio.sleep(0.5)  # silence: about two
    beat.cancel()
    assert 1 <= len(ws.frames) <= 3
    assert {f["type"] for f in ws.frames} == {"heartbeat"}


def test_delivered_stamp_is_iso_utc_to_the_microsecond() -> None:
    before = utcnow()
    stamp = live._stamp()
    after = utcnow()
    assert len(stamp) == len(iso(before)) and stamp.endswith("+00:00")
    assert before <= datetime.fromisoformat(stamp) <= after
