"""Hotlist API: uploads report bad lines by number; a hit reaches officers only once an
analyst confirms it (websocket and API), and the confirmation records who."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.analysis.test_hotlists import FIXTURES
from tests.conftest import login_as

NATIONAL = (FIXTURES / "ncic_national.txt").read_bytes()


def read(plate: str, ref: str = "r1", hotlist: str | None = None) -> dict[str, Any]:
    return {
        "kind": "lpr_read",
        "id": ref,
        "occurred_at": datetime.now(UTC).isoformat(),
        "location": {"lat": 39.9612, "lon": -82.9988},
        "payload": {"reader_id": "LPR-7", "plate": plate, "plate_state": "OH",
                    "hotlist": hotlist, "image_ref": "https://img.example/r1.jpg"},
    }  # fmt: skip


@pytest.fixture
def officer(app: FastAPI) -> Iterator[TestClient]:
    """A second browser, logged in as an officer (the `client` fixture runs the app)."""
    other = TestClient(app)
    login_as(other, app, "officer")
    yield other


def upload(client: TestClient, name: str = "ncic") -> Any:
    url = f"/api/v1/hotlists/{name}/import?format=ncic&filename=ncic_national.txt"
    return client.post(url, content=NATIONAL)


def test_upload_reports_bad_lines_by_number_and_loads_the_rest(
    client: TestClient, app: FastAPI
) -> None:
    login_as(client, app, "analyst")
    response = upload(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["loaded"], body["rejected"]) == (5, 5)
    assert [e["line"] for e in body["errors"]] == [5, 6, 7, 9, 10]
    assert body["errors"][0]["file"] == "ncic_national.txt"
    assert "unknown list type" in body["errors"][0]["reason"]
    files = {"file": ("refresh.txt", (FIXTURES / "ncic_national_refresh.txt").read_bytes())}
    multipart = client.post("/api/v1/hotlists/ncic/import", files=files).json()
    assert (multipart["loaded"], multipart["removed"], multipart["errors"]) == (2, 4, [])
    plates = [e["plate"] for e in client.get("/api/v1/hotlists/ncic/entries").json()]
    assert plates == ["TST1001", "TST2001"]
    assert client.post("/api/v1/hotlists/ncic/import?format=xml", content=b"").status_code == 422


def test_officer_cannot_manage_hotlists(officer: TestClient) -> None:
    assert upload(officer).status_code == 403
    assert officer.get("/api/v1/hits/pending").status_code == 403


def test_custom_entry_needs_reason_case_expiry_and_a_second_person(
    client: TestClient, app: FastAPI
) -> None:
    login_as(client, app, "analyst")
    assert client.post("/api/v1/hotlists", json={"name": "burglary"}).status_code == 201
    entry = {"plate": "abc-1234", "state": "OH", "reason": "burglary suspect vehicle",
             "case_number": "26-004411",
             "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()}  # fmt: skip
    missing = client.post("/api/v1/hotlists/burglary/entries", json={**entry, "expires_at": None})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "expires_at"
    past = {**entry, "expires_at": "2020-01-01T00:00:00Z"}
    assert client.post("/api/v1/hotlists/burglary/entries", json=past).status_code == 422
    added = client.post("/api/v1/hotlists/burglary/entries", json=entry).json()
    assert (added["plate"], added["status"], added["added_by"]) == (
        "ABC1234",
        "pending",
        "analyst1",
    )
    own = client.post(f"/api/v1/hotlist-entries/{added['id']}/approve", json={})
    assert own.status_code == 409 and own.json()["error"]["field"] == "approved_by"
    login_as(client, app, "supervisor")
    approved = client.post(f"/api/v1/hotlist-entries/{added['id']}/approve", json={}).json()
    assert (approved["status"], approved["approved_by"]) == ("approved", "supervisor1")
    assert approved["decided_at"] is not None


def _until(ws: Any, wanted: str, status: str) -> list[dict[str, Any]]:
    """Messages received up to and including the first `wanted` one with this hit status."""
    seen = []
    while True:
        message = ws.receive_json()
        seen.append(message)
        if message["type"] == wanted == "hit" and message["hit"]["status"] == status:
            return seen
        if message["type"] == wanted == "alert" and message["alert"]["rule"] == status:
            return seen


def test_hit_waits_for_an_analyst_before_officers_see_it(
    client: TestClient, app: FastAPI, officer: TestClient, ingest_headers: dict[str, str]
) -> None:
    login_as(client, app, "analyst")
    upload(client)
    with (
        client.websocket_connect("/api/v1/live") as analyst_ws,
        officer.websocket_connect("/api/v1/live") as officer_ws,
    ):
        assert analyst_ws.receive_json()["type"] == "snapshot"
        assert officer_ws.receive_json()["type"] == "snapshot"
        events = [read("50B112", "r1", hotlist="ncic")]
        assert client.post(
            "/api/v1/events", json={"events": events}, headers=ingest_headers
        ).json()["alerts"]
        pending = _until(analyst_ws, "alert", "hotlist_match")[-1]
        hit = pending["alert"]["detail"]["hits"][0]
        assert hit["entry"]["plate"] == "SO8IL2" and hit["lookalike"] is True

        # Nothing about the pending hit over the API for the officer …
        assert all(a["rule"] != "hotlist_match" for a in officer.get("/api/v1/alerts").json())
        state = officer.get("/api/v1/state").json()
        assert all(a["rule"] != "hotlist_match" for a in state["alerts"])
        assert all(e["payload"].get("hotlist") is None for e in state["recent"])
        assert officer.get("/api/v1/hits/confirmed").json() == []
        assert [h["id"] for h in client.get("/api/v1/hits/pending").json()] == [hit["id"]]

        confirmed = client.post(f"/api/v1/hits/{hit['id']}/confirm", json={}).json()
        assert (confirmed["status"], confirmed["decided_by"]) == ("confirmed", "analyst1")
        assert confirmed["decided_at"] is not None

        # … nor over the websocket: everything before the confirmation is free of it.
        seen = _until(officer_ws, "hit", "confirmed")
        assert seen[-1]["hit"]["id"] == hit["id"]
        alerts = [m["alert"] for m in seen if m["type"] == "alert"]
        # The confirmed hit, then the starter playbook's officers-nearby alert; never the
        # pending hit's.
        assert [a["rule"] for a in alerts] == ["hotlist_hit_confirmed", "hotlist_officers_nearby"]
        assert alerts[0]["detail"]["confirmed_by"] == "analyst1"
        reads = [m["event"] for m in seen if m["type"] == "event"]
        assert [r["payload"]["plate"] for r in reads] == ["50B112"]
        assert reads[0]["payload"]["hotlist"] is None  # the reader's own flag is hidden too
    assert [h["id"] for h in officer.get("/api/v1/hits/confirmed").json()] == [hit["id"]]
    assert client.get("/api/v1/hits/pending").json() == []
    again = client.post(f"/api/v1/hits/{hit['id']}/dismiss", json={"reason": "late"})
    assert again.status_code == 409
    with officer.websocket_connect("/api/v1/live") as ws:
        snapshot = ws.receive_json()["state"]
    assert [h["status"] for h in snapshot["hits"]] == ["confirmed"]


def test_dismissal_needs_a_reason_and_never_reaches_officers(
    client: TestClient, app: FastAPI, officer: TestClient, ingest_headers: dict[str, str]
) -> None:
    login_as(client, app, "analyst")
    upload(client)
    client.post("/api/v1/events", json={"events": [read("TST1001")]}, headers=ingest_headers)
    [hit] = client.get("/api/v1/hits/pending").json()
    with officer.websocket_connect("/api/v1/live") as ws:
        snapshot = ws.receive_json()["state"]
        assert snapshot["hits"] == []
        assert all(a["rule"] != "hotlist_match" for a in snapshot["alerts"])
    with client.websocket_connect("/api/v1/live") as ws:
        assert [h["id"] for h in ws.receive_json()["state"]["hits"]] == [hit["id"]]
    no_reason = client.post(f"/api/v1/hits/{hit['id']}/dismiss", json={})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    dismissed = client.post(
        f"/api/v1/hits/{hit['id']}/dismiss", json={"reason": "misread, different car"}
    )
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["dismiss_reason"] == "misread, different car"
    assert officer.get("/api/v1/hits/confirmed").json() == []
    assert client.post("/api/v1/hits/nope/confirm", json={}).status_code == 404
