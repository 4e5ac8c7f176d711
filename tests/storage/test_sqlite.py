"""The embedded store: WAL, append-only, R*Tree, latest state per entity, audit chain."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.storage.base import AuditRecord
from rtcc.storage.sqlite import SqliteStorage
from tests.conftest import camera, gunshot, unit


def _event(item: dict[str, object]) -> Event:
    return event_from_wire(EVENT_IN_ADAPTER.validate_python(item), "t", datetime.now(UTC))


@pytest.fixture
def storage(tmp_path: Path) -> SqliteStorage:
    return SqliteStorage(tmp_path / "t.db", "NORMAL")


def test_wal_and_append_only(storage: SqliteStorage) -> None:
    assert storage.db.journal_mode() == "wal"
    storage.events.append([_event(gunshot())])
    with (
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
        storage.db.transaction() as conn,
    ):
        conn.execute("UPDATE events SET kind = 'lpr_read'")


def test_data_survives_reopening(tmp_path: Path) -> None:
    first = SqliteStorage(tmp_path / "t.db")
    first.events.append([_event(gunshot())])
    first.close()
    assert SqliteStorage(tmp_path / "t.db").events.count_events() == 1


def test_latest_state_ignores_late_older_positions(storage: SqliteStorage) -> None:
    newer = _event(unit("P1", 39.97, -83.0, at="2026-11-25T20:15:00Z"))
    older = _event(unit("P1", 39.90, -83.0, at="2026-11-25T20:10:00Z"))
    storage.events.append([newer])
    storage.events.append([older])
    [state] = storage.events.entities()
    assert state.key == "unit:P1" and state.lat == 39.97
    assert storage.events.count_events() == 2


def test_spatial_index_finds_nearest_of_one_type(storage: SqliteStorage) -> None:
    storage.events.append(
        [
            _event(unit("NEAR", 39.9620, -82.9988)),
            _event(unit("MID", 39.9660, -82.9988)),
            _event(unit("FAR", 39.9800, -82.9988)),
            _event(camera("CAM-1", 39.9613, -82.9988, 0.0)),
        ]
    )
    near = storage.events.entities_near(39.9612, -82.9988, 1000.0, "unit")
    assert [n.entity.key for n in near] == ["unit:NEAR", "unit:MID"]
    assert near[0].distance_m == pytest.approx(88.9, abs=1.0)
    with storage.db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM entity_rtree").fetchone()[0] == 4
        # AVL fixes stay out of the events index: only the camera's registration is in it.
        assert conn.execute("SELECT count(*) FROM events_rtree").fetchone()[0] == 1


def test_moving_entity_moves_in_the_index(storage: SqliteStorage) -> None:
    storage.events.append([_event(unit("P1", 39.9800, -82.9988, at="2026-11-25T20:00:00Z"))])
    storage.events.append([_event(unit("P1", 39.9615, -82.9988, at="2026-11-25T20:01:00Z"))])
    near = storage.events.entities_near(39.9612, -82.9988, 100.0, "unit")
    assert [n.entity.key for n in near] == ["unit:P1"]
    with storage.db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM entity_rtree").fetchone()[0] == 1


def test_duplicates_within_and_across_batches(storage: SqliteStorage) -> None:
    first = storage.events.append([_event(gunshot(ref="a")), _event(gunshot(ref="a"))])
    assert len(first.stored) == 1 and len(first.duplicates) == 1
    again = storage.events.append([_event(gunshot(ref="a"))])
    assert again.stored == [] and len(again.duplicates) == 1
    assert first.stored[0].hops.persisted_at is not None


def _record(outcome: str) -> AuditRecord:
    return AuditRecord(datetime.now(UTC), "ana", "user", "analyst", "wall.view", "/", outcome, "r")


def test_audit_chain_detects_tampering(storage: SqliteStorage) -> None:
    for outcome in ("allow", "deny", "allow"):
        storage.audit.append(_record(outcome))
    assert storage.audit.verify() == (True, 3, "ok")
    with pytest.raises(sqlite3.IntegrityError), storage.db.transaction() as conn:
        conn.execute("UPDATE audit SET outcome = 'allow' WHERE seq = 2")
    # Someone with raw file access drops the trigger and rewrites history:
    with storage.db.transaction() as conn:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET outcome = 'allow' WHERE seq = 2")
    intact, checked, detail = storage.audit.verify()
    assert not intact and checked == 1 and "row 2" in detail


def test_audit_chain_detects_a_deleted_row(storage: SqliteStorage) -> None:
    for outcome in ("allow", "deny", "allow"):
        storage.audit.append(_record(outcome))
    with storage.db.transaction() as conn:
        conn.execute("DELETE FROM audit WHERE seq = 2")
    intact, _, detail = storage.audit.verify()
    assert not intact and "row 2 missing" in detail


def test_entity_remembers_when_it_was_first_seen(storage: SqliteStorage) -> None:
    storage.events.append([_event(unit("P1", 39.96, -83.0, at="2026-11-25T20:00:00Z"))])
    storage.events.append([_event(unit("P1", 39.97, -83.0, at="2026-11-25T20:05:00Z"))])
    [state] = storage.events.entities()
    assert state.event["first_occurred_at"] == "2026-11-25T20:00:00.000000+00:00"
    assert state.event["occurred_at"] == "2026-11-25T20:05:00.000000+00:00"
