"""Sensitive actions state a configured purpose (and a case where policy says); both audited."""

from pathlib import Path

import pytest

from rtcc.governance.authz import Decision, DecisionPoint
from rtcc.governance.identity import Principal
from rtcc.governance.purpose import PurposeStatement
from rtcc.governance.roles import Permission, Role
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage

ANALYST = Principal("ana", "user", Role.ANALYST)


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def _decide(
    storage: Storage, statement: PurposeStatement | None, who: Principal = ANALYST
) -> Decision:
    return DecisionPoint(storage.audit).decide(who, Permission.LPR_SEARCH, "search", statement)


def test_a_search_without_a_purpose_is_refused_with_the_reason(storage: Storage) -> None:
    decision = _decide(storage, None)
    assert not decision.allowed and decision.field == "purpose"
    assert "purpose required" in decision.reason
    assert storage.audit.recent(1)[0]["outcome"] == "deny"


def test_an_unlisted_purpose_and_a_missing_case_are_refused(storage: Storage) -> None:
    unlisted = _decide(storage, PurposeStatement(purpose="curiosity"))
    assert not unlisted.allowed and "not in the configured list" in unlisted.reason
    no_case = _decide(storage, PurposeStatement(purpose="criminal_investigation"))
    assert not no_case.allowed and "requires a case number" in no_case.reason


def test_an_allowed_search_keeps_purpose_and_case_in_the_chain(storage: Storage) -> None:
    stated = PurposeStatement(purpose="criminal_investigation", case_number="2026-001234")
    assert _decide(storage, stated).allowed
    assert _decide(storage, PurposeStatement(purpose="crime_in_progress")).allowed
    rows = storage.audit.recent(2)
    assert (rows[1]["purpose"], rows[1]["case_number"]) == (
        "criminal_investigation",
        "2026-001234",
    )
    assert rows[0]["purpose"] == "crime_in_progress" and rows[0]["case_number"] is None
    assert storage.audit.verify()[0]


def test_the_role_is_decided_before_the_purpose(storage: Storage) -> None:
    officer = Principal("oscar", "user", Role.OFFICER)
    stated = PurposeStatement(purpose="crime_in_progress")
    decision = _decide(storage, stated, officer)
    assert not decision.allowed and decision.field == "authorization"
    assert "lacks lpr.search" in decision.reason


def test_rows_written_before_the_purpose_columns_still_verify(tmp_path: Path) -> None:
    """An audit trail from before purposes existed is upgraded in place, chain intact."""
    import sqlite3

    from rtcc.storage.sql.audit import GENESIS, chain_hash

    old = {"at": "2026-01-01T00:00:00Z", "actor": "a", "actor_kind": "user", "role": "admin"}
    old |= {"action": "x", "resource": "y", "outcome": "allow", "reason": "r"}
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, actor_kind TEXT,"
            " role TEXT, action TEXT, resource TEXT, outcome TEXT, reason TEXT,"
            " prev_hash TEXT, hash TEXT)"
        )
        conn.execute(
            "INSERT INTO audit VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*old.values(), GENESIS, chain_hash(GENESIS, dict(old))),
        )
    store = SqliteStorage(path, "NORMAL")
    try:
        _decide(store, PurposeStatement(purpose="crime_in_progress"))
        assert store.audit.verify() == (True, 2, "ok")
    finally:
        store.close()
