"""The LPR routes: a purpose or no search, the audit row, who may search, what comes back."""

import inspect
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.analysis.plate_search import DEFAULT_LIMIT
from rtcc.api.lpr_routes import search_plates
from tests.conftest import login_as
from tests.storage.test_plate_reads import T0, lpr_read

SEARCH = "/api/v1/lpr/search"
PURPOSE = {"purpose": "criminal_investigation", "case_number": "2026-001234"}


@pytest.fixture
def reads(client: TestClient, ingest_headers: dict[str, str]) -> None:
    items = [
        lpr_read("7AB123", "R1", T0, image_ref="img/r1.jpg"),
        lpr_read("CMP200", "R1", T0 + timedelta(seconds=15)),
        lpr_read("7AB123", "R2", T0 + timedelta(minutes=10), lat=39.97, lon=-83.0),
        lpr_read("CMP200", "R2", T0 + timedelta(minutes=10, seconds=20), lat=39.97, lon=-83.0),
        lpr_read("7A8I23", "R3", T0 + timedelta(minutes=30)),
    ]
    response = client.post("/api/v1/events", json={"events": items}, headers=ingest_headers)
    assert response.status_code == 200 and response.json()["accepted"] == 5


def _get(client: TestClient, url: str, **params: Any) -> Any:
    return client.get(url, params=params)


@pytest.mark.usefixtures("reads")
def test_a_search_without_a_purpose_is_refused_naming_the_purpose(
    client: TestClient, app: FastAPI
) -> None:
    login_as(client, app, "analyst")
    response = _get(client, SEARCH, pattern="AB12")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "purpose" and "purpose required" in error["message"]
    unlisted = _get(client, SEARCH, pattern="AB12", purpose="curiosity")
    assert unlisted.status_code == 422 and unlisted.json()["error"]["field"] == "purpose"


@pytest.mark.usefixtures("reads")
def test_a_search_with_a_purpose_returns_reads_and_is_audited(
    client: TestClient, app: FastAPI
) -> None:
    login_as(client, app, "analyst")
    response = _get(client, SEARCH, pattern="AB12", **PURPOSE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["plates"], body["returned"]) == (2, 1, 2)
    newest, oldest = body["reads"]
    assert newest["reader_id"] == "R2" and newest["location"] == {"lat": 39.97, "lon": -83.0}
    assert oldest["image_ref"] == "img/r1.jpg" and oldest["plate_state"] == "OH"
    assert oldest["occurred_at"].startswith("2026-11-25T20:00:00") and len(oldest["event_id"]) == 32
    audit = app.state.services.storage.audit.recent(5)
    row = next(r for r in audit if r["action"] == "lpr.search")
    assert "pattern=AB12" in row["resource"]  # what was searched is in the trail
    assert (row["purpose"], row["case_number"], row["outcome"]) == (
        "criminal_investigation",
        "2026-001234",
        "allow",
    )
    assert row["actor"] == "analyst1"


@pytest.mark.usefixtures("reads")
def test_an_officer_is_refused(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "officer")
    response = _get(client, SEARCH, pattern="AB12", **PURPOSE)
    assert response.status_code == 403


@pytest.mark.usefixtures("reads")
def test_modes_filters_and_bad_input(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    fuzzy = _get(client, SEARCH, pattern="7AB123", mode="fuzzy", **PURPOSE).json()
    assert [(r["plate"], r["distance"]) for r in fuzzy["reads"]][-1] == ("7A8I23", 0.5)
    exact = _get(client, SEARCH, pattern="=7AB123", since="2026-11-25T20:05:00Z", **PURPOSE)
    assert exact.json()["total"] == 1
    near = _get(client, SEARCH, pattern="7A*", near="39.97,-83.0,200", **PURPOSE).json()
    assert {r["reader_id"] for r in near["reads"]} == {"R2"}
    boxed = _get(client, SEARCH, pattern="7A*", bbox="-83.01,39.96,-82.99,39.965", **PURPOSE)
    assert {r["reader_id"] for r in boxed.json()["reads"]} == {"R1", "R3"}
    limited = _get(client, SEARCH, pattern="7A*", limit=1, **PURPOSE).json()
    assert (limited["total"], limited["returned"]) == (3, 1)
    for params, field in [
        ({"pattern": "7"}, "pattern"),
        ({}, "pattern"),
        ({"pattern": "7A?1", "mode": "regex"}, "mode"),
        ({"pattern": "7AB", "since": "2026-11-25T20:00:00"}, "since"),
        ({"pattern": "7AB", "until": "yesterday"}, "until"),
        ({"pattern": "7AB", "bbox": "1,2,3"}, "bbox"),
        ({"pattern": "7AB", "near": "39.9,-83,0"}, "near"),
        ({"pattern": "7AB", "limit": 0}, "limit"),
    ]:
        response = _get(client, SEARCH, **params, **PURPOSE)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["error"]["field"] == field, params


@pytest.mark.usefixtures("reads")
def test_a_page_of_a_circle_counts_every_read_inside(client: TestClient, app: FastAPI) -> None:
    """R1 and R3 are at the centre, R2 a kilometre off: the total counts the two inside,
    the page holds the newest; by default a page is 500 reads."""
    login_as(client, app, "analyst")
    near = "39.9612,-82.9988,200"
    page = _get(client, SEARCH, pattern="7A*", near=near, limit=1, **PURPOSE).json()
    assert (page["total"], page["returned"]) == (2, 1)
    assert page["reads"][0]["reader_id"] == "R3"
    assert inspect.signature(search_plates).parameters["limit"].default == DEFAULT_LIMIT == 500


@pytest.mark.usefixtures("reads")
def test_travel_and_cotravel_are_purpose_bound(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    base = "/api/v1/lpr/plates/7ab123"
    assert _get(client, f"{base}/travel").status_code == 422
    travel = _get(client, f"{base}/travel", tz="America/New_York", **PURPOSE).json()
    assert travel["total"] == 2 and travel["by_hour"][15] == 2 and travel["by_weekday"][2] == 2
    assert [v["reader_id"] for v in travel["readers"]] == ["R1", "R2"]
    together = _get(client, f"{base}/cotravel", k=2, window_s=60, **PURPOSE).json()
    assert [c["plate"] for c in together["companions"]] == ["CMP200"]
    assert together["companions"][0]["readers"] == ["R1", "R2"]
    bad = _get(client, f"{base}/cotravel", k=0, **PURPOSE)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "k"
    login_as(client, app, "officer")
    assert _get(client, f"{base}/travel", **PURPOSE).status_code == 403


@pytest.mark.usefixtures("reads")
def test_times_beyond_year_1_or_9999_in_utc_are_refused(client: TestClient, app: FastAPI) -> None:
    """Found by fuzzing: a zone offset that pushes a time out of datetime's range once in
    UTC was an OverflowError (500) in search, travel and co-travel."""
    login_as(client, app, "analyst")
    base = "/api/v1/lpr/plates/7ab123"
    for url, extra in (
        (SEARCH, {"pattern": "7AB"}),
        (f"{base}/travel", {}),
        (f"{base}/cotravel", {}),
    ):
        for field, value in (
            ("since", "0001-01-01T00:00:00+14:00"),
            ("until", "9999-12-31T23:00:00-12:00"),
        ):
            response = _get(client, url, **{field: value}, **extra, **PURPOSE)
            assert response.status_code == 422, (url, field, response.text)
            error = response.json()["error"]
            assert (error["field"], error["reason"]) == (field, "out_of_range"), url
