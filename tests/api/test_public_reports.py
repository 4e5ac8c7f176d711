"""The public reports need no login, match the audit trail and never show personal data."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.settings import Settings
from tests.conftest import login_as
from tests.governance.test_fairness import chicago, red_light_cameras

SEARCH = "/api/v1/lpr/search"
CASE = "2026-004411"
PLATE = "7ABC123"
SEARCHES = [  # (purpose, case, how many)
    ("criminal_investigation", CASE, 6),
    ("crime_in_progress", None, 2),
    ("stolen_vehicle", None, 1),  # refused: this purpose needs a case number
    (None, None, 1),  # refused: no purpose
]


@pytest.fixture
def settings(tmp_path: Path, shared_data: Path) -> Settings:
    return Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", fairness=chicago(shared_data))


@pytest.fixture
def searched(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str], shared_data: Path
) -> None:
    """Cameras registered, then an analyst runs searches through the decision point and
    leaves: every later request in the test is anonymous."""
    events = red_light_cameras(shared_data)[:40]
    assert client.post("/api/v1/events", json={"events": events}, headers=ingest_headers).is_success
    login_as(client, app, "analyst")
    for purpose, case, times in SEARCHES:
        params = {"pattern": PLATE, "purpose": purpose, "case_number": case}
        for _ in range(times):
            client.get(SEARCH, params={k: v for k, v in params.items() if v is not None})
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303  # really signed out


def _trail_counts(app: FastAPI) -> dict[str, tuple[int, int]]:
    """(allowed, refused) per purpose, straight from the audit rows."""
    counts: dict[str, list[int]] = {}
    for row in app.state.services.storage.audit.recent(10_000):
        if row["action"] == "lpr.search":
            cell = counts.setdefault(row["purpose"] or "(none stated)", [0, 0])
            cell[0 if row["outcome"] == "allow" else 1] += 1
    return {k: (a, r) for k, (a, r) in counts.items()}


@pytest.mark.usefixtures("searched")
def test_the_json_counts_equal_the_audit_trail(client: TestClient, app: FastAPI) -> None:
    response = client.get("/api/v1/public/transparency")
    assert response.status_code == 200
    report = response.json()
    got = {
        row["purpose"]: (row["allowed"], row["refused"])
        for row in report["searches"]["by_purpose"]["period"]
    }
    assert got == _trail_counts(app)
    assert got == {
        "criminal_investigation": (6, 0),
        "crime_in_progress": (2, 0),
        "stolen_vehicle": (0, 1),
        "(none stated)": (0, 1),
    }
    assert report["sensors"]["by_type"] == {"fixed": 40}
    assert sum(a["cameras"] for a in report["sensors"]["by_neighbourhood"]) <= 40
    assert report["audit_checkpoint"]["public_key_pem"].startswith("-----BEGIN PUBLIC KEY")


@pytest.mark.usefixtures("searched")
def test_no_personal_data_in_any_public_answer(client: TestClient) -> None:
    answers = [
        client.get("/api/v1/public/transparency").text,
        client.get("/transparency").text,
        client.get("/transparency/fairness").text,
        client.get("/api/v1/public/fairness").text,
    ]
    for text in answers:
        for secret in (PLATE, "analyst1", CASE, "pattern="):
            assert secret not in text, secret


@pytest.mark.usefixtures("searched")
def test_the_page_shows_the_figures(client: TestClient) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'data-testid="headline-allowed">8<' in page.text
    assert 'data-testid="headline-refused">2<' in page.text
    assert 'data-purpose="criminal_investigation"' in page.text
    assert "retention purge certificates: none recorded" in page.text
    assert "No alert was closed with an outcome in this period." in page.text


def test_a_bad_period_is_refused_naming_the_field(client: TestClient) -> None:
    backwards = client.get(
        "/api/v1/public/transparency",
        params={"since": "2026-06-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "since"
    naive = client.get("/api/v1/public/transparency", params={"since": "2026-06-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["query", "since"]


@pytest.mark.usefixtures("searched")
def test_the_pdf_renders_with_the_headline_figures(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/transparency.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Transparency report" in text
    assert _figure_after(text, "Sensitive searches allowed") == "8"
    assert _figure_after(text, "Sensitive searches refused") == "2"
    assert "criminal_investigation" in text and PLATE not in text and CASE not in text


def _figure_after(text: str, label: str) -> Any:
    """The first number printed after a headline label."""
    tail = text.split(label, 1)[1]
    return next(word for word in tail.split() if word.isdigit())


@pytest.mark.usefixtures("searched")
def test_the_default_report_is_reused_briefly_an_explicit_period_is_fresh(
    client: TestClient, app: FastAPI
) -> None:
    def allowed(report: dict[str, Any]) -> int:
        return sum(row["allowed"] for row in report["searches"]["by_purpose"]["period"])

    first = client.get("/api/v1/public/transparency").json()
    login_as(client, app, "supervisor")
    params = {"pattern": PLATE, "purpose": "crime_in_progress"}
    assert client.get(SEARCH, params=params).status_code == 200
    client.cookies.clear()
    again = client.get("/api/v1/public/transparency").json()
    assert again["generated_at"] == first["generated_at"] and allowed(again) == allowed(first)
    since = first["period"]["since"]
    fresh = client.get("/api/v1/public/transparency", params={"since": since}).json()
    assert allowed(fresh) == allowed(first) + 1


def test_a_period_beyond_year_1_or_9999_in_utc_is_refused(client: TestClient) -> None:
    """Found by fuzzing: such periods were an OverflowError (500) in every public report."""
    for path in ("/api/v1/public/transparency", "/api/v1/public/fairness", "/transparency"):
        for params, field in (
            ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
            ({"until": "9999-12-31T23:00:00-12:00"}, "until"),
            ({"until": "0001-01-01T00:00:00Z"}, "since"),  # the default since: a year before
        ):
            response = client.get(path, params=params)
            assert response.status_code == 422, (path, params, response.text)
            error = response.json()["error"]
            assert (error["field"], error["reason"]) == (field, "invalid_period"), (path, params)
