"""Geofence API: who may draw, list and delete; bad polygons refused; changes and alerts live."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.core.geo import offset_m
from tests.analysis.test_geofence import LAT, LON, square
from tests.conftest import add_user, login_as

URL = "/api/v1/geofences"


def log_in(client: TestClient, app: FastAPI, username: str, role: str) -> None:
    if app.state.services.storage.accounts.get_user(username) is None:
        add_user(app, username, role)
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": "correct horse"}
    )
    assert response.status_code == 200, response.text


def create(client: TestClient, name: str = "Lincoln High School", half_m: float = 100.0) -> Any:
    response = client.post(URL, json={"name": name, "geometry": square(LAT, LON, half_m)})
    assert response.status_code == 201, response.text
    return response.json()


def caller(call_id: str, north_m: float, east_m: float, at: str) -> dict[str, Any]:
    lat, lon = offset_m(LAT, LON, north_m, east_m)
    return {
        "kind": "caller_location",
        "id": f"{call_id}-{at}",
        "occurred_at": at,
        "location": {"lat": lat, "lon": lon, "accuracy_m": 10.0},
        "payload": {"call_id": call_id, "method": "gps"},
    }


def test_officer_draws_a_geofence_everyone_on_the_wall_sees_it(
    client: TestClient, app: FastAPI
) -> None:
    login_as(client, app, "officer")
    fence = create(client)
    assert fence["owner"] == "officer1" and fence["name"] == "Lincoln High School"
    assert fence["geometry"]["type"] == "Polygon"
    min_lon, min_lat, max_lon, max_lat = fence["bbox"]
    assert min_lon < LON < max_lon and min_lat < LAT < max_lat
    login_as(client, app, "analyst")
    create(client, "Mall", 300.0)
    listed = client.get(URL)
    assert listed.status_code == 200
    assert [(f["name"], f["owner"]) for f in listed.json()] == [
        ("Lincoln High School", "officer1"),
        ("Mall", "analyst1"),
    ]
    assert [f.id for f in app.state.services.storage.geofences.list("officer1")] == [fence["id"]]


def test_who_may_not_list_or_create(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    body = {"name": "x", "geometry": square(LAT, LON, 50.0)}
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, json=body, headers=ingest_headers).status_code == 403
    login_as(client, app, "auditor")
    assert client.get(URL).status_code == 403
    refused = client.post(URL, json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "role auditor lacks geofences.manage"


def test_bad_polygons_are_refused_naming_the_field(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    bowtie = [[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]
    cases = [
        ({"name": "b", "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
         "geometry.coordinates", "self_intersection"),
        ({"name": "p", "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
         "geometry.type", "unsupported_type"),
        ({"name": "big", "geometry": square(LAT, LON, 20_000.0)},
         "geometry.coordinates", "too_large"),
        ({"geometry": square(LAT, LON, 50.0)}, "name", "missing"),
        ({"name": "  ", "geometry": square(LAT, LON, 50.0)}, "name", "string_too_short"),
    ]  # fmt: skip
    for body, field, reason in cases:
        response = client.post(URL, json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert (error["field"], error["reason"]) == (field, reason), error
        assert error["message"]
    malformed = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert client.get(URL).json() == []


def test_only_the_owner_or_a_supervisor_or_admin_deletes(client: TestClient, app: FastAPI) -> None:
    log_in(client, app, "ofc", "officer")
    first, second = create(client, "A"), create(client, "B")
    log_in(client, app, "other", "officer")
    refused = client.delete(f"{URL}/{first['id']}")
    assert refused.status_code == 403
    message = refused.json()["error"]["message"]
    assert "belongs to ofc" in message and "owner, an admin or a supervisor" in message
    log_in(client, app, "ofc2", "analyst")
    assert client.delete(f"{URL}/{first['id']}").status_code == 403
    login_as(client, app, "supervisor")
    assert client.delete(f"{URL}/{first['id']}").json() == {"deleted": first["id"]}
    assert client.delete(f"{URL}/{first['id']}").status_code == 404
    log_in(client, app, "ofc", "officer")
    assert client.delete(f"{URL}/{second['id']}").status_code == 200
    assert client.get(URL).json() == []


def test_changes_and_the_caller_alert_reach_the_wall(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    login_as(client, app, "officer")
    existing = create(client, "Existing", 50.0)
    with client.websocket_connect("/api/v1/live") as ws:
        snapshot = ws.receive_json()
        assert snapshot["type"] == "snapshot"
        assert [f["id"] for f in snapshot["state"]["geofences"]] == [existing["id"]]

        fence = create(client, "Lincoln High School", 200.0)
        added = next_of(ws, "geofence")["geofence"]
        assert added["action"] == "added" and added["id"] == fence["id"]
        assert added["owner"] == "officer1" and added["geometry"] == fence["geometry"]

        at = "2026-11-25T20:14:00Z"
        posted = client.post(
            "/api/v1/events", json={"events": [caller("C-77", 0.0, 150.0, at)]},
            headers=ingest_headers,
        )  # fmt: skip
        assert posted.status_code == 200 and len(posted.json()["alerts"]) == 1
        alert = next_of(ws, "alert")["alert"]
        assert alert["rule"] == "caller_in_geofence"
        assert alert["title"] == "911 caller inside geofence 'Lincoln High School' (owner officer1)"
        assert alert["detail"]["call_id"] == "C-77"
        assert [g["id"] for g in alert["detail"]["geofences"]] == [fence["id"]]

        assert client.delete(f"{URL}/{existing['id']}").status_code == 200
        deleted = next_of(ws, "geofence")["geofence"]
        assert deleted == {"action": "deleted", "id": existing["id"]}


def next_of(ws: Any, kind: str) -> dict[str, Any]:
    """The next message of one type, skipping heartbeats and events."""
    for _ in range(100):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")
