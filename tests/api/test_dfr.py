"""The DFR routes: a drone fed as unit_position events, an incident, and who may ask."""

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.core.geo import offset_m
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from tests.conftest import login_as

EVENTS = "/api/v1/events"
RECOMMEND = "/api/v1/dfr/recommendation"
INCIDENT = (39.9612, -82.9988)
NORTH = offset_m(*INCIDENT, 1_500, 0)
EAST = offset_m(*INCIDENT, 0, 2_500)
DFR: dict[str, Any] = {
    "docks": [
        {
            "id": "north",
            "name": "North",
            "lat": NORTH[0],
            "lon": NORTH[1],
            "unit_id": "uav-n",
            "max_range_m": 4_000,
        },
        {
            "id": "east",
            "name": "East",
            "lat": EAST[0],
            "lon": EAST[1],
            "unit_id": "uav-e",
            "max_range_m": 4_000,
        },
    ],
    "weather": {"wind_mps": 4.0},
}


@pytest.fixture
def dfr_app(tmp_path: Path) -> FastAPI:
    settings = Settings.model_validate(
        {"data_dir": tmp_path, "sqlite_synchronous": "NORMAL", "dfr": DFR}
    )
    return create_app(settings)


def drone(
    unit_id: str, lat: float, lon: float, battery: float, speed: float = 0.0
) -> dict[str, Any]:
    return {
        "kind": "unit_position",
        "id": f"{unit_id}-fix",
        "occurred_at": "2026-11-25T20:14:00Z",
        "location": {"lat": lat, "lon": lon},
        "payload": {
            "unit_id": unit_id,
            "unit_type": "drone",
            "speed_mps": speed,
            "altitude_m": 0.5,
            "heading_deg": 90.0,
            "battery_pct": battery,
        },
    }


def incident(incident_id: str, located: bool = True) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "cad_incident",
        "id": f"{incident_id}-created",
        "occurred_at": "2026-11-25T20:13:00Z",
        "payload": {"incident_id": incident_id, "status": "created", "call_type": "SHOTS"},
    }
    if located:
        item["location"] = {"lat": INCIDENT[0], "lon": INCIDENT[1]}
    return item


def feed(client: TestClient, app: FastAPI, events: list[dict[str, Any]]) -> None:
    key = create_source_key(app.state.services.storage.accounts, "dfr-test-feed")
    response = client.post(
        EVENTS, json={"events": events}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("role", ["admin", "supervisor", "analyst", "officer", "auditor"])
def test_dfr_routes_need_dfr_view(client: TestClient, app: FastAPI, role: str) -> None:
    login_as(client, app, role)
    allowed = role != "auditor"
    for path in (f"{RECOMMEND}?lat=40&lon=-83", "/api/v1/dfr/docks"):
        assert client.get(path).status_code == (200 if allowed else 403), (role, path)


def test_anonymous_and_feeds_are_refused(client: TestClient, app: FastAPI) -> None:
    assert client.get("/api/v1/dfr/docks").status_code == 401
    key = create_source_key(app.state.services.storage.accounts, "a-feed")
    response = client.get("/api/v1/dfr/docks", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403


def test_without_docks_the_answer_says_so(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "officer")
    body = client.get(f"{RECOMMEND}?lat=40&lon=-83").json()
    assert body["recommended_dock_id"] is None and body["summary"] == "no DFR docks configured"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("", 422, "lat"),
        ("?lat=40", 422, "lon"),
        ("?incident_id=I1&lat=40&lon=-83", 422, "incident_id"),
        ("?incident_id=nope", 404, "incident_id"),
        ("?incident_id=unlocated", 422, "incident_id"),
    ],
)
def test_bad_questions_get_a_clear_error(
    client: TestClient, app: FastAPI, query: str, status: int, field: str
) -> None:
    feed(client, app, [incident("unlocated", located=False)])
    login_as(client, app, "analyst")
    response = client.get(f"{RECOMMEND}{query}")
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_recommends_the_fastest_docked_charged_drone(dfr_app: FastAPI) -> None:
    with TestClient(dfr_app) as client:
        feed(
            client,
            dfr_app,
            [
                incident("I-2026-1"),
                drone("uav-n", *NORTH, battery=22.0),  # nearer, but not charged enough
                drone("uav-e", *EAST, battery=88.0),
            ],
        )
        login_as(client, dfr_app, "officer")
        body = client.get(f"{RECOMMEND}?incident_id=I-2026-1").json()
    assert body["incident_id"] == "I-2026-1"
    assert body["recommended_dock_id"] == "east"
    assert [o["dock_id"] for o in body["options"]] == ["east", "north"]
    east, north = body["options"]
    assert east["eligible"] and east["eta_s"] == pytest.approx(25 + 2_500 / 18, abs=1)
    assert north["blockers"] == ["battery 22% below the 40% minimum"]
    assert body["summary"].startswith("launch East: ETA 2 min")


def test_a_drone_in_flight_is_not_recommended(dfr_app: FastAPI) -> None:
    with TestClient(dfr_app) as client:
        feed(client, dfr_app, [drone("uav-n", *NORTH, 90.0, speed=12.0)])
        login_as(client, dfr_app, "supervisor")
        body = client.get(f"{RECOMMEND}?lat={INCIDENT[0]}&lon={INCIDENT[1]}").json()
    by_id = {o["dock_id"]: o for o in body["options"]}
    assert by_id["north"]["blockers"] == ["drone already flying (12.0 m/s)"]
    assert by_id["east"]["blockers"] == ["no position ever received from drone uav-e"]
    assert body["recommended_dock_id"] is None


def test_docks_lists_the_configuration_for_the_map(dfr_app: FastAPI) -> None:
    with TestClient(dfr_app) as client:
        login_as(client, dfr_app, "analyst")
        body = client.get("/api/v1/dfr/docks").json()
    assert [d["id"] for d in body["docks"]] == ["north", "east"]
    assert body["weather"]["wind_mps"] == 4.0 and body["zones"] == []
