"""Bulletin routes: a PDF for each bulletin, the permission each needs, and 4xx naming the field."""

import subprocess
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import camera, gunshot, login_as, unit

BOLO: dict[str, Any] = {
    "title": "Stolen vehicle used in robbery",
    "vehicle": "Black Ford F-150",
    "plate": "JKL4321",
    "plate_state": "OH",
    "reason": "Used in armed robbery, 2026-11-25",
    "case_number": "2026-004455",
    "contact": "Robbery unit, 614-555-0199",
}


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def test_bolo_from_json_body(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    response = client.post("/api/v1/bulletins/bolo", json=BOLO)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="bolo-2026-004455.pdf"' in response.headers["content-disposition"]
    text = _text(response.content)
    assert "JKL4321 (OH)" in text and "2026-004455" in text and "analyst1" in text


def test_bad_bolo_names_the_field(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    bad_plate = client.post("/api/v1/bulletins/bolo", json=BOLO | {"plate": "jkl 4321"})
    assert bad_plate.status_code == 422
    assert bad_plate.json()["error"]["field"] == "plate"
    nothing = {k: v for k, v in BOLO.items() if k not in ("vehicle", "plate", "plate_state")}
    missing = client.post("/api/v1/bulletins/bolo", json=nothing)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "subject"
    unknown = client.post("/api/v1/bulletins/bolo", json=BOLO | {"colour": "red"})
    assert unknown.json()["error"]["field"] == "colour"
    assert client.post("/api/v1/bulletins/bolo", content=b"{not json").status_code == 422


def test_lead_summary_of_an_ingested_gunshot(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    events = [
        camera("CAM-1", 39.9621, -82.9988, heading=180.0),
        unit("4A12", 39.9600, -82.9990),
        gunshot(),
    ]
    ingested = client.post("/api/v1/events", json={"events": events}, headers=ingest_headers)
    assert ingested.status_code == 200, ingested.text
    alerts = app.state.services.storage.events.recent_alerts(10)
    incident_id = alerts[0]["detail"]["incident"]["id"]
    login_as(client, app, "officer")
    unstated = client.get(f"/api/v1/bulletins/incidents/{incident_id}.pdf")
    assert unstated.status_code == 422 and unstated.json()["error"]["field"] == "purpose"
    stated = {"purpose": "criminal_investigation", "case_number": incident_id}
    response = client.get(f"/api/v1/bulletins/incidents/{incident_id}.pdf", params=stated)
    assert response.status_code == 200, response.text
    audit = app.state.services.storage.audit.recent(1)[0]
    assert (audit["action"], audit["purpose"], audit["case_number"]) == (
        "data.export",
        "criminal_investigation",
        incident_id,
    )
    text = _text(response.content)
    assert f"Incident {incident_id}" in text and "CAM-1" in text and "4A12" in text
    missing = client.get("/api/v1/bulletins/incidents/NOPE-1.pdf", params=stated)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "incident_id"


def test_shift_brief_period_checks(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "supervisor")
    ok = client.get("/api/v1/bulletins/shift.pdf")
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF-")
    assert "Alerts: 0" in _text(ok.content)
    backwards = client.get(
        "/api/v1/bulletins/shift.pdf",
        params={"since": "2026-11-25T18:00:00Z", "until": "2026-11-25T06:00:00Z"},
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "until"
    naive = client.get("/api/v1/bulletins/shift.pdf", params={"since": "2026-11-25T06:00:00"})
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "since"


def test_permissions(client: TestClient, app: FastAPI) -> None:
    assert client.get("/api/v1/bulletins/shift.pdf").status_code == 401
    login_as(client, app, "auditor")
    assert client.get("/api/v1/bulletins/shift.pdf").status_code == 403
    assert client.post("/api/v1/bulletins/bolo", json=BOLO).status_code == 403


def test_shift_brief_beyond_year_1_or_9999_in_utc(client: TestClient, app: FastAPI) -> None:
    """Found by fuzzing: these periods were an OverflowError (500) in the brief."""
    login_as(client, app, "supervisor")
    for params, field in (
        ({"until": "9999-12-31T23:00:00-12:00"}, "until"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"until": "0001-01-01T00:00:00Z"}, "until"),  # the default since: 12 hours before
    ):
        response = client.get("/api/v1/bulletins/shift.pdf", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["field"] == field, params
