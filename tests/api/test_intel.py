"""28 CFR Part 23: what an intelligence record needs, who may receive it, when it goes."""

from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.governance.retention import purge_expired_intel
from tests.conftest import login_as

RECORD: dict[str, Any] = {
    "subject": "Vehicle: grey sedan, plate 7ABC123",
    "summary": "Seen at three armed robberies of convenience stores in District 4.",
    "criminal_predicate": {
        "offense": "robbery",
        "reasonable_suspicion": "Two witnesses and store video place the car at each robbery.",
    },
    "source_reliability": "usually_reliable",
    "content_validity": "probably_true",
    "case_number": "2026-004411",
}
RELEASE = {
    "recipient": "Det. R. Alvarez",
    "recipient_agency": "County Sheriff Robbery Task Force",
    "recipient_is_law_enforcement": True,
    "need_to_know": "Investigating the same robbery series in the county",
    "right_to_know": "Sworn investigator, task force member",
}


def error_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    error: dict[str, str] = response.json()["error"]
    return error


def test_a_record_without_a_criminal_predicate_is_refused(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "analyst")
    body = {k: v for k, v in RECORD.items() if k != "criminal_predicate"}
    error = error_of(client.post("/api/v1/intel", json=body))
    assert error["field"] == "criminal_predicate"
    assert error["message"].startswith("28 CFR 23.20(a)")


def test_views_and_associations_need_a_criminal_nexus(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "analyst")
    views = {"category": "political", "information": "Attends protests of the city council"}
    error = error_of(
        client.post("/api/v1/intel", json={**RECORD, "protected_information": [views]})
    )
    assert error["field"] == "protected_information[0].criminal_nexus"
    assert error["message"].startswith("28 CFR 23.20(b)")
    tied = {**views, "criminal_nexus": "Planned the arson at the council office with the group"}
    accepted = client.post("/api/v1/intel", json={**RECORD, "protected_information": [tied]})
    assert accepted.status_code == 200, accepted.text


def test_an_unevaluated_source_is_refused(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "analyst")
    body = {k: v for k, v in RECORD.items() if k != "content_validity"}
    error = error_of(client.post("/api/v1/intel", json=body))
    assert error["field"] == "content_validity" and "submission criteria" in error["message"]


def test_each_release_is_logged_and_only_to_law_enforcement(
    app: FastAPI, client: TestClient
) -> None:
    login_as(client, app, "analyst")
    record_id = client.post("/api/v1/intel", json=RECORD).json()["id"]
    press = {**RELEASE, "recipient_is_law_enforcement": False, "recipient_agency": "Daily News"}
    error = error_of(client.post(f"/api/v1/intel/{record_id}/disseminate", json=press))
    assert error["message"].startswith("28 CFR 23.20(e)-(f)")
    assert client.post(f"/api/v1/intel/{record_id}/disseminate", json=RELEASE).status_code == 200
    [release] = client.get(f"/api/v1/intel/{record_id}").json()["disseminations"]
    assert release["recipient"] == "Det. R. Alvarez" and release["released_by"] == "analyst1"
    assert release["need_to_know"].startswith("Investigating")


def test_officers_cannot_read_intelligence(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "officer")
    assert client.get("/api/v1/intel").status_code == 403


def test_a_five_year_old_record_is_purged_unless_revalidated(
    app: FastAPI, client: TestClient
) -> None:
    login_as(client, app, "analyst")
    old = client.post("/api/v1/intel", json=RECORD).json()
    kept = client.post("/api/v1/intel", json={**RECORD, "subject": "Person: J. Doe"}).json()
    login_as(client, app, "supervisor")
    note = {"note": "Still an active robbery series suspect; new sighting 2026-11"}
    assert client.post(f"/api/v1/intel/{kept['id']}/revalidate", json=note).status_code == 200
    storage = app.state.services.storage
    decisions = app.state.services.decisions

    four_years = datetime.fromisoformat(old["created_at"]) + timedelta(days=4 * 365)
    assert purge_expired_intel(storage.intel, decisions, four_years) == []
    later = datetime.fromisoformat(old["created_at"]) + timedelta(days=5 * 365 + 2)
    # the supervisor revalidated the other record the day before: its five years restart
    storage.intel.revalidate(
        kept["id"],
        "supervisor1",
        note["note"],
        later - timedelta(days=1),
        later + timedelta(days=1),
    )
    assert purge_expired_intel(storage.intel, decisions, later) == [old["id"]]
    assert storage.intel.get(old["id"]) is None and storage.intel.get(kept["id"]) is not None
    with storage.db.reading() as conn:
        left = conn.execute("SELECT count(*) FROM intel_records WHERE id = ?", (old["id"],))
        assert left.fetchone()[0] == 0
    purge = storage.audit.recent(1)[0]
    assert purge["action"] == "intel.purge" and "28 CFR 23.20(h)" in purge["reason"]
