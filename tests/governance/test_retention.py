"""Retention that really deletes: policy files, legal holds, certificates, the overdue alarm."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.core.clock import iso, utcnow
from rtcc.governance.retention import overdue_alert, run_purge
from rtcc.governance.retention_policy import (
    DEFAULT_POLICY,
    PolicyError,
    PolicyInForce,
    RetentionPolicy,
    RetentionRule,
    load_policy,
)
from tests.conftest import login_as

OLD = utcnow() - timedelta(days=45)
NEW = utcnow() - timedelta(days=2)
POLICY = RetentionPolicy(
    rules=[
        RetentionRule(kind="lpr_read", keep_days=30),
        RetentionRule(kind="cad_incident", keep_days=30),
        RetentionRule(kind="dead_letters", keep_days=30),
        RetentionRule(kind="audit", keep_days=400),
    ],
    source="test policy",
)


def read(ref: str, plate: str, at: Any, lat: float = 41.88) -> dict[str, Any]:
    return {
        "kind": "lpr_read",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": lat, "lon": -87.63, "accuracy_m": 10.0},
        "payload": {"reader_id": "R-7", "plate": plate, "plate_state": "IL"},
    }


def incident(ref: str, number: str, at: Any) -> dict[str, Any]:
    return {
        "kind": "cad_incident",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": 41.881, "lon": -87.631, "accuracy_m": 20.0},
        "payload": {"incident_id": number, "status": "created", "call_type": "ROBBERY"},
    }


@pytest.fixture
def loaded(client: TestClient, ingest_headers: dict[str, str]) -> TestClient:
    events = [
        read("old-1", "EXPIRD1", OLD),
        read("old-2", "EXPIRD2", OLD, lat=41.89),
        read("old-held", "HELDPL8", OLD),
        read("new-1", "RECENT1", NEW),
        incident("inc-old", "2026-000001", OLD),
        incident("inc-held", "2026-000777", OLD),
    ]
    response = client.post("/api/v1/events", json={"events": events}, headers=ingest_headers)
    assert response.status_code == 200, response.text
    return client


def event_id(app: FastAPI, plate_or_incident: str) -> str:
    with app.state.services.storage.db.reading() as conn:
        row = conn.execute(
            "SELECT id FROM events WHERE json_extract(payload, '$.plate') = ? "
            "OR json_extract(payload, '$.incident_id') = ?",
            (plate_or_incident, plate_or_incident),
        ).fetchone()
    return str(row[0])


def test_expired_data_is_gone_from_every_table_and_the_file(
    app: FastAPI, loaded: TestClient, tmp_path: Path
) -> None:
    storage = app.state.services.storage
    storage.retention.add_hold("2026-000777", "homicide trial", [event_id(app, "HELDPL8")], "sup")
    certificate = run_purge(
        storage, app.state.services.decisions, POLICY, Ed25519PrivateKey.generate()
    )

    by_kind = {k["kind"]: k for k in certificate["kinds"]}
    assert (by_kind["lpr_read"]["count"], by_kind["lpr_read"]["held"]) == (2, 1)
    assert (by_kind["cad_incident"]["count"], by_kind["cad_incident"]["held"]) == (1, 1)
    assert certificate["legal_holds"] == ["2026-000777"] and len(certificate["signature"]) == 128
    with storage.db.reading() as conn:
        plates = {r[0] for r in conn.execute("SELECT json_extract(payload, '$.plate') FROM events")}
        assert plates == {"HELDPL8", "RECENT1", None}
        assert conn.execute("SELECT count(*) FROM events_rtree").fetchone()[0] == 3
        assert (
            conn.execute(
                "SELECT count(*) FROM events_rtree WHERE seq NOT IN (SELECT seq FROM events)"
            ).fetchone()[0]
            == 0
        )
        states = conn.execute("SELECT entity_key FROM entity_state").fetchall()
        assert not any("2026-000001" in key for (key,) in states)
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'plates'").fetchone():
            indexed = {r[0] for r in conn.execute("SELECT plate FROM plates")}
            assert indexed == {"HELDPL8", "RECENT1"}
    raw = b"".join(p.read_bytes() for p in Path(storage.db.path).parent.glob("rtcc.db*"))
    assert b"EXPIRD1" not in raw and b"EXPIRD2" not in raw  # zeroed, not just unlinked
    assert b"HELDPL8" in raw


def test_the_purge_is_certified_in_the_audit_trail(app: FastAPI, loaded: TestClient) -> None:
    storage = app.state.services.storage
    certificate = run_purge(
        storage, app.state.services.decisions, POLICY, Ed25519PrivateKey.generate()
    )
    row = storage.audit.recent(1)[0]
    assert row["action"] == "retention.purge" and row["actor"] == "system"
    assert certificate["digest"] in row["reason"]
    assert storage.retention.certificates(1)[0]["digest"] == certificate["digest"]


def status(ref: str, camera_id: str, at: Any) -> dict[str, Any]:
    return {
        "kind": "camera_status",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": 41.882, "lon": -87.632},
        "payload": {"camera_id": camera_id, "status": "online", "heading_deg": 90},
    }


def test_default_policy_purges_camera_history_but_keeps_each_cameras_current_status(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str]
) -> None:
    events = [
        status("moved-1", "PTZ-1", OLD),
        status("moved-2", "PTZ-1", OLD + timedelta(minutes=1)),
        status("now", "PTZ-1", NEW),
        status("set-once", "FIXED-9", OLD),  # a fixed camera that reported once, long ago
    ]
    response = client.post("/api/v1/events", json={"events": events}, headers=ingest_headers)
    assert response.status_code == 200, response.text
    storage = app.state.services.storage
    certificate = run_purge(
        storage, app.state.services.decisions, DEFAULT_POLICY, Ed25519PrivateKey.generate()
    )
    by_kind = {k["kind"]: k for k in certificate["kinds"]}
    assert (by_kind["camera_status"]["count"], by_kind["camera_status"]["held"]) == (2, 1)
    assert storage.events.entity("camera:PTZ-1") is not None
    assert storage.events.entity("camera:FIXED-9") is not None  # still on the map


def test_a_purge_that_is_late_raises_an_alarm(app: FastAPI) -> None:
    storage = app.state.services.storage
    started = utcnow() - timedelta(hours=60)
    alert = overdue_alert(storage, every_hours=24, started=started)
    assert alert is not None and "no purge has run" in alert.title
    run_purge(storage, app.state.services.decisions, POLICY, Ed25519PrivateKey.generate())
    assert overdue_alert(storage, every_hours=24, started=started) is None


def test_a_policy_file_error_names_file_and_line_and_keeps_the_old_policy(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text("rules:\n  - kind: lpr_read\n    keep_days: 30\n")
    in_force = PolicyInForce(path)
    assert in_force.current().keep_days("lpr_read") == 30
    path.write_text(
        "rules:\n  - kind: lpr_read\n    keep_days: 30\n  - kind: audit\n    keep_days: 90\n"
    )
    with pytest.raises(PolicyError, match=r"retention.yaml:4: rules.1: .*at least 365 days"):
        load_policy(path)
    assert in_force.current().keep_days("lpr_read") == 30
    assert in_force.last_error is not None and "previous policy in force" in in_force.last_error
    path.write_text("rules:\n  - kind: lpr_read\n    keep_days: -3\n")
    with pytest.raises(PolicyError, match=r"retention.yaml:3: rules.0.keep_days"):
        load_policy(path)
    path.write_text("rules:\n  - kind: lpr_read\n    keep_days: [30\n")
    with pytest.raises(PolicyError, match=r"retention.yaml:4: not valid YAML"):
        load_policy(path)
    path.write_text(
        "rules:\n  - kind: video\n    keep_days: 30\n  - kind: video\n    keep_days: 9\n"
    )
    with pytest.raises(PolicyError, match="kind video has more than one rule"):
        load_policy(path)


def test_holds_and_runs_through_the_api(app: FastAPI, loaded: TestClient) -> None:
    login_as(loaded, app, "officer")
    assert loaded.post("/api/v1/retention/run").status_code == 403
    login_as(loaded, app, "supervisor")
    hold = {"case_number": "2026-000777", "reason": "homicide trial, do not delete"}
    assert loaded.post("/api/v1/retention/holds", json=hold).status_code == 200
    certificate = loaded.post("/api/v1/retention/run").json()
    assert {k["kind"] for k in certificate["kinds"]} >= {"lpr_read", "unit_position", "video"}
    status = loaded.get("/api/v1/retention").json()
    assert status["certificates"][0]["digest"] == certificate["digest"]
    assert [h["case_number"] for h in status["holds"]] == ["2026-000777"]
