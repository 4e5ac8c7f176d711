"""The transparency report counts what the audit trail holds, and only counts."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.core.geo import Location
from rtcc.governance.audit_checkpoints import load_or_create_key, make_checkpoint
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import ANONYMOUS, Principal
from rtcc.governance.purpose import PurposeStatement
from rtcc.governance.roles import Permission, Role
from rtcc.governance.transparency import (
    NO_PURPOSE,
    UNLISTED_PURPOSE,
    Period,
    suppress,
    transparency_report,
)
from rtcc.storage.base import AlertState, Storage
from tests.conftest import camera

ANALYST = Principal("ana_smith", "user", Role.ANALYST)
OFFICER = Principal("ofc_jones", "user", Role.OFFICER)
PARTNER = Principal("county-sheriff", "partner", Role.PARTNER)
CASE = "2026-009911"


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def _search(points: DecisionPoint, who: Principal, purpose: str | None, case: str | None) -> None:
    stated = PurposeStatement(purpose=purpose, case_number=case) if purpose else None
    points.decide(who, Permission.LPR_SEARCH, "GET /api/v1/lpr/search?pattern=7ABC123", stated)


def _report(storage: Any, **kwargs: Any) -> dict[str, Any]:
    codes = ["criminal_investigation", "crime_in_progress", "stolen_vehicle"]
    return transparency_report(storage, utcnow(), purposes=codes, **kwargs)


def test_searches_by_purpose_equal_the_audit_trail(storage: Storage) -> None:
    points = DecisionPoint(storage.audit)
    for _ in range(6):
        _search(points, ANALYST, "criminal_investigation", CASE)
    for _ in range(2):
        _search(points, ANALYST, "crime_in_progress", None)
    _search(points, ANALYST, "criminal_investigation", None)  # refused: no case number
    _search(points, ANALYST, None, None)  # refused: no purpose
    _search(points, ANALYST, "curiosity_about_my_neighbour", None)  # refused: not listed
    _search(points, OFFICER, "stolen_vehicle", CASE)  # refused: role lacks lpr.search
    _search(points, ANONYMOUS, "stolen_vehicle", CASE)  # a probe, not a search
    shared = PurposeStatement(purpose="stolen_vehicle", case_number=CASE)
    points.decide(PARTNER, Permission.PARTNER_READ, "GET /api/v1/partner/events", shared)
    points.decide(ANALYST, Permission.WALL_VIEW, "GET /")  # not sensitive: not counted

    report = _report(storage)
    searches = report["searches"]
    expected = [
        {"purpose": NO_PURPOSE, "allowed": 0, "refused": 1},
        {"purpose": UNLISTED_PURPOSE, "allowed": 0, "refused": 1},
        {"purpose": "crime_in_progress", "allowed": 2, "refused": 0},
        {"purpose": "criminal_investigation", "allowed": 6, "refused": 1},
        {"purpose": "stolen_vehicle", "allowed": 0, "refused": 1},
    ]
    assert searches["by_purpose"]["period"] == expected
    assert searches["by_purpose"]["all_time"] == expected
    # The same figures straight from the trail, as an auditor would count them.
    rows = [r for r in storage.audit.recent(100) if r["action"] == "lpr.search"]
    people = [r for r in rows if r["actor_kind"] != "anonymous"]
    assert sum(e["allowed"] + e["refused"] for e in expected) == len(people) == 12
    assert sum(e["allowed"] for e in expected) == sum(r["outcome"] == "allow" for r in rows)
    assert searches["partner_requests"]["all_time"] == [
        {"purpose": "stolen_vehicle", "allowed": 1, "refused": 0}
    ]
    month = utcnow().strftime("%Y-%m")
    cells = {(c["month"], c["purpose"]): c for c in searches["by_month"]}
    assert cells[(month, "criminal_investigation")] == {
        "month": month,
        "purpose": "criminal_investigation",
        "allowed": 6,
        "refused": "<5",
    }
    assert cells[(month, "crime_in_progress")]["allowed"] == "<5"
    assert cells[(month, "crime_in_progress")]["refused"] == 0
    text = json.dumps(report)
    for secret in ("ana_smith", "ofc_jones", "county-sheriff", CASE, "7ABC123", "curiosity"):
        assert secret not in text, secret


def test_suppression_bounds() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, "<5", "<5", 5, 12]


def test_the_period_bounds_the_counts(storage: Storage) -> None:
    points = DecisionPoint(storage.audit)
    _search(points, ANALYST, "crime_in_progress", None)
    later = utcnow() + timedelta(days=1)
    report = _report(storage, period=Period(later, later + timedelta(days=30)))
    assert report["searches"]["by_purpose"]["period"] == []
    assert report["searches"]["by_month"] == []
    assert report["searches"]["by_purpose"]["all_time"][0]["allowed"] == 1


def test_sensors_alerts_retention_and_checkpoint(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str], tmp_path: Path
) -> None:
    storage = app.state.services.storage
    events = [
        camera("c1", 41.88, -87.63, 90.0),
        camera("c2", 41.89, -87.62, None) | {"payload": {"camera_id": "c2", "camera_type": "ptz"}},
        _lpr("R1", "7ABC123"),
        _lpr("R1", "8XYZ999"),
        _lpr("R2", "7ABC123"),
    ]
    response = client.post("/api/v1/events", json={"events": events}, headers=ingest_headers)
    assert response.status_code == 200 and response.json()["accepted"] == 5
    now = utcnow()
    storage.events.add_alerts(
        [
            Alert(
                "a1",
                "gunshot_nearby",
                now,
                "critical",
                "Shots",
                "e1",
                Location(lat=41.88, lon=-87.63),
                {},
            ),
            Alert("a2", "lpr_hotlist", now, "warning", "Hit", "e2", None, {}),
            Alert("a3", "lpr_hotlist", now - timedelta(days=400), "warning", "Old", "e3", None, {}),
        ]
    )
    DecisionPoint(storage.audit).decide(ANALYST, Permission.WALL_VIEW, "GET /")
    key = load_or_create_key(tmp_path / "keys")
    signed = make_checkpoint(storage.audit, key)
    assert signed is not None

    report = _report(storage)
    assert report["sensors"]["by_type"] == {"fixed": 1, "lpr_reader": 2, "ptz": 1}
    assert report["sensors"]["total"] == 4 and report["sensors"]["by_neighbourhood"] is None
    alerts = report["alerts"]
    assert alerts["by_rule"] == {"gunshot_nearby": 1, "lpr_hotlist": 1}  # a3 is too old
    assert alerts["by_sensor_type"] == {"gunshot detection": 1, "plate reader": 1}
    assert alerts["precision"] == []  # nothing closed yet
    storage.alert_states.save(
        AlertState("a1", "closed", closed_at=iso(now), closed_by="o", disposition="unfounded")
    )
    storage.alert_states.save(
        AlertState("a2", "closed", closed_at=iso(now), closed_by="o", disposition="confirmed")
    )
    assert _report(storage)["alerts"]["precision"] == [
        {"sensor_type": "gunshot detection", "closed": 1, "right": 0, "wrong": 1, "precision": 0.0},
        {"sensor_type": "plate reader", "closed": 1, "right": 1, "wrong": 0, "precision": 1.0},
    ]
    retention = report["retention"]
    assert retention["intel_records_overdue_for_review"] == 0
    assert retention["purge_note"] == "retention purge certificates: none recorded"
    latest = report["audit_checkpoint"]["latest"]
    assert (latest["count"], latest["root"], latest["signature"]) == (
        signed.count,
        signed.root,
        signed.signature,
    )
    assert "7ABC123" not in json.dumps(report)


def _lpr(reader: str, plate: str) -> dict[str, Any]:
    return {
        "kind": "lpr_read",
        "id": f"{reader}-{plate}",
        "occurred_at": "2026-11-25T20:00:00Z",
        "location": {"lat": 41.9, "lon": -87.65},
        "payload": {"reader_id": reader, "plate": plate},
    }
