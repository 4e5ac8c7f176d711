"""Opening a camera is decided on the role and the camera's group (an attribute), audited;
the map never carries stream addresses."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import camera, login_as


def _cameras(client: TestClient, headers: dict[str, str]) -> None:
    school = camera("SCH-1", 39.96, -83.0, 90.0)
    school["payload"] |= {"group": "schools", "stream_url": "rtsp://10.0.0.5/school-1"}
    street = camera("STR-1", 39.961, -83.0, 90.0)
    street["payload"] |= {"stream_url": "rtsp://10.0.0.6/street-1"}
    response = client.post("/api/v1/events", json={"events": [school, street]}, headers=headers)
    assert response.status_code == 200, response.text


def test_a_grouped_camera_opens_only_for_people_granted_its_group(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    _cameras(client, ingest_headers)
    login_as(client, app, "officer")
    assert client.get("/api/v1/cameras/STR-1/stream").json()["stream_url"].endswith("street-1")
    refused = client.get("/api/v1/cameras/SCH-1/stream")
    assert refused.status_code == 403
    assert "camera group schools not granted" in refused.json()["error"]["message"]
    app.state.services.storage.accounts.set_attributes("officer1", "SRO-3", ["schools"])
    opened = client.get("/api/v1/cameras/SCH-1/stream")
    assert opened.status_code == 200 and opened.json()["group"] == "schools"
    rows = app.state.services.storage.audit.recent(3)
    assert [(r["resource"], r["outcome"]) for r in rows[:2]] == [
        ("camera:SCH-1", "allow"),
        ("camera:SCH-1", "deny"),
    ]
    assert "camera group schools granted" in rows[0]["reason"]
    assert client.get("/api/v1/cameras/NOPE/stream").status_code == 404


def test_roles_without_cameras_open_are_refused(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    _cameras(client, ingest_headers)
    login_as(client, app, "admin")
    assert client.get("/api/v1/cameras/STR-1/stream").status_code == 403


def test_the_map_never_carries_stream_addresses(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    login_as(client, app, "analyst")
    with client.websocket_connect("/api/v1/live") as ws:
        ws.receive_json()
        _cameras(client, ingest_headers)
        seen = []
        while len(seen) < 2:
            message = ws.receive_json()
            if message["type"] == "event":
                seen.append(message["event"])
    assert all("stream_url" not in e["payload"] for e in seen)
    assert {e["payload"].get("group") for e in seen} == {"schools", None}
    state = client.get("/api/v1/state").text
    assert "rtsp://" not in state and "SCH-1" in state
