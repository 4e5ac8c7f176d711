"""Playbooks API: admins see what is loaded, refused and held back; reload without restart."""

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from tests.conftest import gunshot, login_as, unit
from tests.pipeline.test_playbooks import CALLS

URL = "/api/v1/playbooks"


def cad(n: int, address: str, at: str) -> dict[str, Any]:
    return {
        "kind": "cad_incident",
        "id": f"cad-{n}",
        "occurred_at": at,
        "location": {"lat": 39.9612, "lon": -82.9988},
        "payload": {
            "incident_id": f"CAD-{n}",
            "status": "created",
            "call_type": "DISTURB",
            "address": address,
        },
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    books = tmp_path / "books"
    books.mkdir()
    (books / "calls.yaml").write_text(CALLS)
    return books


@pytest.fixture
def own_app(settings: Settings, folder: Path) -> FastAPI:
    return create_app(settings.model_copy(update={"playbooks_dir": folder}))


def test_admin_sees_counters_and_a_refused_edit_after_reload(
    own_app: FastAPI, folder: Path
) -> None:
    key = create_source_key(own_app.state.services.storage.accounts, "cad-feed")
    with TestClient(own_app) as client:
        batch = [cad(i, "1 Elm St", f"2026-11-25T08:{10 * i:02d}:00Z") for i in range(1, 5)]
        posted = client.post(
            "/api/v1/events", json={"events": batch}, headers={"Authorization": f"Bearer {key}"}
        )
        assert posted.status_code == 200 and len(posted.json()["alerts"]) == 1
        login_as(client, own_app, "admin")
        [book] = client.get(URL).json()["playbooks"]
        assert (book["name"], book["file"], book["alerts"]) == ("calls_here", "calls.yaml", 1)
        assert book["suppressed"] == {"duplicate": 2, "throttled": 0, "area_throttled": 0}
        assert book["groups"][0]["count"] == 3
        # a broken edit: refused with file and line, the running version stays
        (folder / "calls.yaml").write_text(CALLS.replace("severity: info", "severity: loud"))
        reloaded = client.post(f"{URL}/reload")
        assert reloaded.status_code == 200
        body = reloaded.json()
        assert [b["name"] for b in body["playbooks"]] == ["calls_here"]
        [error] = body["errors"]
        assert error["file"].endswith("calls.yaml") and error["line"] == 11
        assert "actions.alert.severity" in error["reason"]


def test_only_admins_reload_and_read(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/reload").status_code == 403


def test_starter_playbooks_load_and_a_gunshot_still_raises_one_alert(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    """The starter gunshot playbook adds to the built-in alert; it never doubles it."""
    client.post(
        "/api/v1/events", json={"events": [unit("P-1", 39.9600, -82.9988)]}, headers=ingest_headers
    )
    posted = client.post("/api/v1/events", json={"events": [gunshot()]}, headers=ingest_headers)
    [alert_id] = posted.json()["alerts"]
    login_as(client, app, "admin")
    body = client.get(URL).json()
    assert body["errors"] == [] and len(body["playbooks"]) == 4
    alerts = app.state.services.storage.events.recent_alerts(10)
    [alert] = [a for a in alerts if a["id"] == alert_id]
    assert alert["rule"] == "gunshot_nearby"
    added = alert["detail"]["playbooks"]["gunshot_response"]
    assert added["counts"]["units"] == 1 and "drone" in added
