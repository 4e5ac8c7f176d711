"""new → acknowledged → assigned → closed, with who and when and a disposition; live."""

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.pipeline.alert_lifecycle import precision
from tests.conftest import gunshot, login_as


def raise_alert(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/v1/events", json={"events": [gunshot()]}, headers=headers)
    [alert_id] = response.json()["alerts"]
    return str(alert_id)


def test_an_alert_is_acknowledged_assigned_and_closed_by_name(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    alert_id = raise_alert(client, ingest_headers)
    login_as(client, app, "analyst")
    assert client.get(f"/api/v1/alerts/{alert_id}/state").json()["status"] == "new"
    assigned = client.post(f"/api/v1/alerts/{alert_id}/assign", json={"assignee": "4A12"})
    assert assigned.status_code == 200, assigned.text
    state = assigned.json()
    assert state["status"] == "assigned" and state["assigned_to"] == "4A12"
    assert state["acknowledged_by"] == "analyst1"  # assigning acknowledges it too
    login_as(client, app, "officer")
    refused = client.post(f"/api/v1/alerts/{alert_id}/close", json={"disposition": "maybe"})
    assert refused.status_code == 422
    closed = client.post(
        f"/api/v1/alerts/{alert_id}/close",
        json={"disposition": "confirmed", "note": "Two casings found; victim transported"},
    )
    assert closed.json()["closed_by"] == "officer1" and closed.json()["disposition"] == "confirmed"
    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    assert again.status_code == 409 and again.json()["error"]["message"] == "the alert is closed"
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert app.state.services.storage.alert_states.outcomes(since) == [
        ("gunshot_nearby", "confirmed")
    ]


def test_officers_do_not_assign_and_unknown_alerts_are_not_found(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    alert_id = raise_alert(client, ingest_headers)
    login_as(client, app, "officer")
    assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 200
    refused = client.post(f"/api/v1/alerts/{alert_id}/assign", json={"assignee": "4A12"})
    assert refused.status_code == 403
    assert client.post("/api/v1/alerts/nope/acknowledge").status_code == 404


def test_state_changes_reach_the_wall(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    alert_id = raise_alert(client, ingest_headers)
    login_as(client, app, "analyst")
    with client.websocket_connect("/api/v1/live") as ws:
        ws.receive_json()  # the snapshot
        client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
        for _ in range(20):
            message = ws.receive_json()
            if message["type"] == "alert_state":
                break
    assert message["alert_state"]["alert_id"] == alert_id
    assert message["alert_state"]["status"] == "acknowledged"


def test_precision_counts_only_judged_outcomes() -> None:
    assert precision(["confirmed", "unfounded", "arrest", "duplicate", "other"]) == (2, 1, 2 / 3)
    assert precision(["duplicate"]) == (0, 0, None)
