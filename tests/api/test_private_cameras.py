"""Private cameras end to end: public registration onto the map, grants, footage inside the
grant only, purpose required, and the owner's page listing every access."""

import sqlite3
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.api.camera_forms import RateLimit
from rtcc.core.geo import offset_m
from rtcc.settings import Settings
from tests.conftest import login_as

AGENCY = "Columbus Division of Police"
CASE = "2026-004711"
LAT, LON = 39.9612, -82.9988
JSON = {"Accept": "application/json"}
BASE = "/api/v1/private-cameras"


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    return Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", agency_name=AGENCY)


def form(**overrides: str) -> dict[str, str]:
    values = {
        "owner_name": "Maple Street Bakery",
        "email": "owner@maple-bakery.example",
        "phone": "",
        "address": "120 Maple St, Columbus OH",
        "label": "Storefront",
        "lat": str(LAT),
        "lon": str(LON),
        "heading_deg": "180",
        "fov_deg": "100",
        "range_m": "40",
        "kind": "integrated",
        "sharing": "always",
        "stream_url": "rtsp://192.0.2.10/stream1",
    }
    values.update(overrides)
    return values


def register(client: TestClient, **overrides: str) -> dict[str, Any]:
    response = client.post("/cameras/register", data=form(**overrides), headers=JSON)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def t(at: datetime) -> str:
    return at.isoformat()


def grant(client: TestClient, camera_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"{BASE}/{camera_id}/grants", json={"case_number": CASE, **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def footage(
    client: TestClient, camera_id: str, start: datetime, end: datetime, **extra: str
) -> Any:
    params = {"start": t(start), "end": t(end), "purpose": "criminal_investigation"}
    params["case_number"] = CASE
    params.update(extra)
    return client.get(f"{BASE}/{camera_id}/footage", params=params)


def test_public_registration_puts_the_camera_on_the_map(client: TestClient, app: FastAPI) -> None:
    page = client.get("/cameras/register")
    assert page.status_code == 200 and 'name="owner_name"' in page.text
    done = client.post("/cameras/register", data=form(kind="registered", stream_url=""))
    assert done.status_code == 201
    assert "/cameras/owner/" in done.text and "shown only once" in done.text
    login_as(client, app, "analyst")
    cameras = client.get("/api/v1/state").json()["cameras"]
    mine = [c for c in cameras if c["payload"]["camera_type"] == "private_registered"]
    assert len(mine) == 1
    payload = mine[0]["payload"]
    assert (payload["heading_deg"], payload["fov_deg"], payload["range_m"]) == (180.0, 100.0, 40.0)
    assert mine[0]["location"]["lat"] == LAT and mine[0]["source"] == "private-camera-registry"
    assert "Maple" not in str(mine[0])  # the owner's name and contact stay off the map
    listed = client.get(BASE).json()
    assert [(c["kind"], c["sharing"]) for c in listed] == [("registered", None)]
    refused = client.post(f"{BASE}/{listed[0]['id']}/grants", json={"case_number": CASE})
    assert refused.status_code == 409
    assert refused.json()["error"]["reason"] == "registered_map_only"


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"lat": "91"}, "lat", "less_than_equal"),
        ({"lon": "east"}, "lon", "float_parsing"),
        ({"email": "", "phone": ""}, "email", "missing"),
        ({"email": "not-an-address"}, "email", "email_invalid"),
        ({"sharing": ""}, "sharing", "missing"),
        ({"sharing": "sometimes"}, "sharing", "literal_error"),
        ({"heading_deg": ""}, "heading_deg", "missing"),
        ({"kind": "registered"}, "stream_url", "not_integrated"),
        ({"stream_url": "javascript:alert(1)"}, "stream_url", "url_invalid"),
        ({"owner_name": ""}, "owner_name", "missing"),
        ({"favourite": "x"}, "favourite", "extra_forbidden"),
    ],
)
def test_bad_registration_names_the_field_and_reason(
    client: TestClient, overrides: dict[str, str], field: str, reason: str
) -> None:
    response = client.post("/cameras/register", data=form(**overrides), headers=JSON)
    assert response.status_code == 422, response.text
    errors = [(e["field"], e["reason"]) for e in response.json()["errors"]]
    assert (field, reason) in errors
    page = client.post("/cameras/register", data=form(**overrides))
    assert page.status_code == 422
    assert f'data-field="{field}" data-reason="{reason}"' in page.text


def test_registration_body_is_size_limited_and_rate_limited(client: TestClient) -> None:
    huge = form(address="x" * 9000)
    response = client.post("/cameras/register", data=huge, headers=JSON)
    assert response.status_code == 413 and response.json()["error"]["field"] == "body"
    limit = RateLimit(2, 60.0)
    assert [limit.allow("a", 0.0), limit.allow("a", 1.0), limit.allow("a", 2.0)] == [
        True,
        True,
        False,
    ]
    assert limit.allow("b", 2.0) and limit.allow("a", 61.0)


def test_grant_footage_inside_window_and_refusal_before_it_began(
    client: TestClient, app: FastAPI
) -> None:
    reg = register(client)
    camera_id, token = reg["camera_id"], reg["owner_token"]
    login_as(client, app, "analyst")
    g = grant(client, camera_id, hours=2)
    start = datetime.fromisoformat(g["starts_at"])
    assert datetime.fromisoformat(g["ends_at"]) - start == timedelta(hours=2)
    assert g["agency"] == AGENCY and g["granted_by"] == "analyst1" and g["live"]
    segments = [
        (start - timedelta(minutes=10), start - timedelta(minutes=5), "https://nvr.example/a"),
        (start - timedelta(minutes=1), start + timedelta(minutes=1), "https://nvr.example/b"),
        (start + timedelta(seconds=1), start + timedelta(minutes=5), "https://nvr.example/c"),
    ]
    body = {
        "segments": [{"starts_at": t(a), "ends_at": t(b), "clip_url": u} for a, b, u in segments]
    }
    reported = client.post(f"/cameras/owner/{token}/segments", json=body)
    assert reported.json() == {"received": 3, "stored": 3}

    ok = footage(client, camera_id, start, start + timedelta(hours=1))
    assert ok.status_code == 200, ok.text
    assert [s["clip_url"] for s in ok.json()["segments"]] == ["https://nvr.example/c"]
    assert ok.json()["live_stream_url"] == "rtsp://192.0.2.10/stream1"

    before = footage(client, camera_id, start - timedelta(minutes=10), start + timedelta(minutes=5))
    assert before.status_code == 403
    error = before.json()["error"]
    assert (error["field"], error["reason"]) == ("start", "before_grant_start")
    assert "cannot reach footage recorded before it began" in error["message"]

    other_case = footage(client, camera_id, start, start + timedelta(minutes=5), case_number="X-1")
    assert other_case.status_code == 403 and other_case.json()["error"]["reason"] == "no_grant"

    no_purpose = client.get(
        f"{BASE}/{camera_id}/footage", params={"start": t(start), "end": t(start)}
    )
    assert no_purpose.status_code == 422 and no_purpose.json()["error"]["field"] == "purpose"

    page = client.get(f"/cameras/owner/{token}")
    assert page.status_code == 200
    text = page.text
    assert text.count('data-testid="access-row"') == 3  # the view and both refused attempts
    for shown in ("analyst1", AGENCY, CASE, "criminal_investigation", "before_grant_start"):
        assert shown in text


def test_grants_are_time_boxed_and_only_for_granters(client: TestClient, app: FastAPI) -> None:
    camera_id = register(client)["camera_id"]
    login_as(client, app, "officer")
    assert client.post(f"{BASE}/{camera_id}/grants", json={"case_number": CASE}).status_code == 403
    login_as(client, app, "analyst")
    too_long = client.post(f"{BASE}/{camera_id}/grants", json={"case_number": CASE, "hours": 100})
    assert too_long.status_code == 422 and too_long.json()["error"]["reason"] == "too_long"
    backdated = client.post(
        f"{BASE}/{camera_id}/grants",
        json={"case_number": CASE, "starts_at": "2020-01-01T00:00:00Z"},
    )
    assert backdated.status_code == 422 and backdated.json()["error"]["field"] == "starts_at"
    no_case = client.post(f"{BASE}/{camera_id}/grants", json={"hours": 1})
    assert no_case.status_code == 422
    assert client.post(f"{BASE}/pc-nope/grants", json={"case_number": CASE}).status_code == 404
    assert [g["case_number"] for g in client.get(f"{BASE}/{camera_id}/grants").json()] == []


def test_alarm_only_opens_with_an_open_incident_nearby(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    camera_id = register(client, sharing="alarm_only")["camera_id"]
    login_as(client, app, "analyst")
    start = datetime.fromisoformat(grant(client, camera_id)["starts_at"])
    refused = footage(client, camera_id, start, start + timedelta(minutes=5))
    assert refused.status_code == 403
    assert refused.json()["error"]["reason"] == "alarm_only_no_incident"
    lat, lon = offset_m(LAT, LON, 300.0, 0.0)
    incident = {
        "kind": "cad_incident",
        "id": "inc-77",
        "occurred_at": t(start),
        "location": {"lat": lat, "lon": lon},
        "payload": {"incident_id": "INC-77", "status": "dispatched", "call_type": "BURGLARY"},
    }
    posted = client.post("/api/v1/events", json={"events": [incident]}, headers=ingest_headers)
    assert posted.status_code == 200, posted.text
    allowed = footage(client, camera_id, start, start + timedelta(minutes=5))
    assert allowed.status_code == 200 and "INC-77" in allowed.json()["reason"]


def test_owner_changes_sharing_and_withdraws(client: TestClient, app: FastAPI) -> None:
    reg = register(client)
    camera_id, token = reg["camera_id"], reg["owner_token"]
    changed = client.post(
        f"/cameras/owner/{token}/sharing", data={"sharing": "registry_only"}, follow_redirects=False
    )
    assert changed.status_code == 303
    login_as(client, app, "analyst")
    refused = client.post(f"{BASE}/{camera_id}/grants", json={"case_number": CASE})
    assert refused.status_code == 409 and refused.json()["error"]["reason"] == "registry_only"
    bad = client.post(f"/cameras/owner/{token}/sharing", data={"sharing": "public"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "sharing"
    assert client.post(f"/cameras/owner/{token}/withdraw").status_code == 200  # redirected
    state = client.get("/api/v1/state").json()["cameras"]
    assert [c["payload"]["status"] for c in state if c["payload"]["camera_id"] == camera_id] == [
        "offline"
    ]
    assert "withdrawn" in client.get(f"/cameras/owner/{token}").text


def test_a_wrong_owner_token_opens_nothing(client: TestClient) -> None:
    register(client)
    assert client.get("/cameras/owner/not-the-token").status_code == 404
    assert client.get("/cameras/owner/" + "x" * 43, headers=JSON).status_code == 404
    assert client.post("/cameras/owner/nope/withdraw").status_code == 404
    assert client.post("/cameras/owner/nope/segments", json={"segments": []}).status_code == 404


def test_the_owners_access_log_cannot_be_rewritten(client: TestClient, app: FastAPI) -> None:
    camera_id = register(client)["camera_id"]
    login_as(client, app, "analyst")
    now = datetime.fromisoformat(grant(client, camera_id)["starts_at"])
    assert footage(client, camera_id, now, now + timedelta(minutes=1)).status_code == 200
    storage = app.state.services.storage
    refused = pytest.raises(sqlite3.IntegrityError, match="append-only")
    with refused, storage.db.transaction() as conn:
        conn.execute("UPDATE private_camera_access SET actor = 'nobody'")
    assert [a.actor for a in storage.private_cameras.access_log(camera_id)] == ["analyst1"]
