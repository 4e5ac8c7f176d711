"""WS /api/v1/live: snapshot first, then persisted events and alerts, heartbeats."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

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
