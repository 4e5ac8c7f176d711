"""Misuse detection reads the audit trail and queues unusual use for a supervisor."""

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import Principal
from rtcc.governance.misuse import MisuseRules, SearchRecord, detect, subject_of
from rtcc.governance.purpose import PurposeStatement
from rtcc.governance.review_queue import run_detection
from rtcc.governance.roles import Permission, Role
from rtcc.storage.base import Storage
from tests.conftest import login_as

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday afternoon
RULES = MisuseRules(timezone="America/Chicago", volume_floor=10)
SEARCH = "GET /api/v1/lpr/search?pattern={}&mode=exact"


def record(
    seq: int, at: datetime, actor: str = "ana", plate: str = "7ABC123", case: str | None = "C-1"
) -> SearchRecord:
    return SearchRecord(
        seq, at, actor, "lpr.search", SEARCH.format(plate), "criminal_investigation", case
    )


def rules_hit(records: list[SearchRecord]) -> set[str]:
    return {flag.rule for flag in detect(records, NOW, RULES)}


def test_ordinary_use_raises_nothing() -> None:
    """Three searches a day for a month, each with a case, in working hours."""
    records = [
        record(i, NOW - timedelta(days=day, hours=h), plate=f"7AB{day:02d}{h}")
        for i, (day, h) in enumerate((d, h) for d in range(30) for h in (1, 2, 3))
    ]
    assert rules_hit(records) == set()


def test_a_day_far_above_the_users_norm_is_flagged() -> None:
    baseline = [record(i, NOW - timedelta(days=d, hours=2)) for i, d in enumerate(range(1, 30))]
    burst = [
        record(100 + i, NOW - timedelta(minutes=5 * i), plate=f"8XYZ{i:03d}") for i in range(25)
    ]
    flags = detect(baseline + burst, NOW, RULES)
    volume = [f for f in flags if f.rule == "volume"]
    assert len(volume) == 1 and volume[0].actor == "ana"
    assert "25 sensitive searches in 24 h" in volume[0].detail
    assert "median day over 30 days is 1" in volume[0].detail


def test_a_search_at_night_without_a_case_is_flagged_in_local_time() -> None:
    night = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)  # 02:30 in Chicago, 08:30 UTC
    flags = detect([record(1, night, case=None), record(2, night, case="C-9")], NOW, RULES)
    assert [f.rule for f in flags] == ["off_hours_no_case"]
    assert "02:30 America/Chicago" in flags[0].detail and flags[0].audit_seqs == (1,)


def test_the_same_plate_searched_again_and_again_without_a_case_is_flagged() -> None:
    day = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
    plates = ["7ABC123", "7abc-123", "7ABC123", "9ZZZ999"]
    records = [
        record(i, day + timedelta(hours=i), plate=p, case=None) for i, p in enumerate(plates)
    ]
    flags = [f for f in detect(records, NOW, RULES) if f.rule == "repeated_subject_no_case"]
    assert len(flags) == 1 and "plate 7ABC123 searched 3 times" in flags[0].detail


def test_subject_reads_plates_from_patterns_and_paths() -> None:
    assert subject_of("GET /api/v1/lpr/search?pattern=7ab-123") == "plate 7AB123"
    assert subject_of("GET /api/v1/lpr/plates/7AB123/travel") == "plate 7AB123"
    assert subject_of("GET /api/v1/lpr/search?pattern=7AB%3F12*") == "plate 7AB12"


def test_the_queue_holds_each_flag_once_and_closes_it_once(backend: Storage) -> None:
    """The audit and review stores detection runs over, on each backend."""
    decisions = DecisionPoint(backend.audit)
    analyst = Principal("ana", "user", Role.ANALYST)
    stated = PurposeStatement(purpose="crime_in_progress")
    for _ in range(3):
        resource = SEARCH.format("7ABC123")
        assert decisions.decide(analyst, Permission.LPR_SEARCH, resource, stated).allowed
    decisions.decide(analyst, Permission.WALL_VIEW, "GET /")  # not a search: not read
    rules = MisuseRules(work_start_hour=0, work_end_hour=24)
    assert run_detection(backend.audit, backend.reviews, rules) == 1
    assert run_detection(backend.audit, backend.reviews, rules) == 0  # queued once
    [item] = backend.reviews.list("open", 10)
    assert (item.rule, item.actor, item.status) == ("repeated_subject_no_case", "ana", "open")
    assert item.audit_seqs == [1, 2, 3]
    assert backend.reviews.list("closed", 10) == []
    assert backend.reviews.close(item.id, "sup", "justified", "exigent", NOW)
    assert not backend.reviews.close(item.id, "sup", "misuse", "again", NOW)  # already closed
    [done] = backend.reviews.list(None, 10)
    assert (done.status, done.reviewed_by, done.outcome) == ("closed", "sup", "justified")
    assert done.reviewed_at == "2026-11-20T15:00:00.000000+00:00" and done.note == "exigent"
    assert backend.reviews.list("open", 10) == []


def test_flags_reach_the_supervisor_queue_once_and_are_closed_with_an_outcome(
    app: FastAPI, client: TestClient
) -> None:
    storage = app.state.services.storage
    decisions = DecisionPoint(storage.audit)
    analyst = Principal("ana", "user", Role.ANALYST)
    stated = PurposeStatement(purpose="crime_in_progress")
    for _ in range(3):
        resource = SEARCH.format("7ABC123")
        assert decisions.decide(analyst, Permission.LPR_SEARCH, resource, stated).allowed
    rules = MisuseRules(work_start_hour=0, work_end_hour=24)  # working hours all day
    assert run_detection(storage.audit, storage.reviews, rules) == 1
    assert run_detection(storage.audit, storage.reviews, rules) == 0  # queued once

    login_as(client, app, "analyst")
    assert client.get("/api/v1/reviews").status_code == 403
    login_as(client, app, "supervisor")
    [item] = client.get("/api/v1/reviews").json()
    assert item["rule"] == "repeated_subject_no_case" and item["actor"] == "ana"
    assert len(item["audit_seqs"]) == 3
    closed = client.post(
        f"/api/v1/reviews/{item['id']}/close",
        json={"outcome": "needs_training", "note": "exigent searches; reminded to add the case"},
    )
    assert closed.status_code == 200
    assert client.get("/api/v1/reviews").json() == []
    [done] = client.get("/api/v1/reviews?status=closed").json()
    assert done["outcome"] == "needs_training" and done["reviewed_by"] == "supervisor1"
