"""The stores on both backends: append-only, spatial index, latest state per entity,
audit chain; and what only the embedded one has (WAL, its file, its R*Tree tables)."""

import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.governance.bootstrap import ensure_admin
from rtcc.storage.base import AlreadyExists, AuditRecord, Storage
from rtcc.storage.sqlite import SqliteStorage
from tests.conftest import camera, gunshot, unit

# What a trigger refusing a write raises: RAISE(ABORT) in SQLite, a PL/pgSQL exception
# with SQLSTATE 23000 in PostgreSQL.
REFUSED = (sqlite3.IntegrityError, psycopg.errors.IntegrityConstraintViolation)


def _event(item: dict[str, object]) -> Event:
    return event_from_wire(EVENT_IN_ADAPTER.validate_python(item), "t", datetime.now(UTC))


def _transaction(backend: Storage) -> AbstractContextManager[Any]:
    """A raw write transaction, on either backend's database."""
    db: Any = cast(Any, backend).db
    return cast(AbstractContextManager[Any], db.transaction())


@pytest.fixture
def storage(tmp_path: Path) -> SqliteStorage:
    return SqliteStorage(tmp_path / "t.db", "NORMAL")


def test_wal(storage: SqliteStorage) -> None:
    assert storage.db.journal_mode() == "wal"


def test_append_only(backend: Storage) -> None:
    backend.events.append([_event(gunshot())])
    with pytest.raises(REFUSED, match="append-only"), _transaction(backend) as conn:
        conn.execute("UPDATE events SET kind = 'lpr_read'")
    with _transaction(backend) as conn:  # retention may delete
        conn.execute("DELETE FROM events")
    assert backend.events.count_events() == 0


def test_data_survives_reopening(tmp_path: Path) -> None:
    first = SqliteStorage(tmp_path / "t.db")
    first.events.append([_event(gunshot())])
    first.close()
    assert SqliteStorage(tmp_path / "t.db").events.count_events() == 1


def test_latest_state_ignores_late_older_positions(backend: Storage) -> None:
    newer = _event(unit("P1", 39.97, -83.0, at="2026-11-25T20:15:00Z"))
    older = _event(unit("P1", 39.90, -83.0, at="2026-11-25T20:10:00Z"))
    backend.events.append([newer])
    backend.events.append([older])
    [state] = backend.events.entities()
    assert state.key == "unit:P1" and state.lat == 39.97
    assert backend.events.count_events() == 2


def test_spatial_index_finds_nearest_of_one_type(backend: Storage) -> None:
    backend.events.append(
        [
            _event(unit("NEAR", 39.9620, -82.9988)),
            _event(unit("MID", 39.9660, -82.9988)),
            _event(unit("FAR", 39.9800, -82.9988)),
            _event(camera("CAM-1", 39.9613, -82.9988, 0.0)),
        ]
    )
    near = backend.events.entities_near(39.9612, -82.9988, 1000.0, "unit")
    assert [n.entity.key for n in near] == ["unit:NEAR", "unit:MID"]
    assert near[0].distance_m == pytest.approx(88.9, abs=1.0)
    if isinstance(backend, SqliteStorage):
        with backend.db.reading() as conn:
            assert conn.execute("SELECT count(*) FROM entity_rtree").fetchone()[0] == 4
            # AVL fixes stay out of the events index: only the camera's registration is in it.
            assert conn.execute("SELECT count(*) FROM events_rtree").fetchone()[0] == 1


def test_moving_entity_moves_in_the_index(backend: Storage) -> None:
    backend.events.append([_event(unit("P1", 39.9800, -82.9988, at="2026-11-25T20:00:00Z"))])
    backend.events.append([_event(unit("P1", 39.9615, -82.9988, at="2026-11-25T20:01:00Z"))])
    near = backend.events.entities_near(39.9612, -82.9988, 100.0, "unit")
    assert [n.entity.key for n in near] == ["unit:P1"]
    assert backend.events.entities_near(39.9800, -82.9988, 100.0, "unit") == []  # moved away
    if isinstance(backend, SqliteStorage):
        with backend.db.reading() as conn:
            assert conn.execute("SELECT count(*) FROM entity_rtree").fetchone()[0] == 1


def test_duplicates_within_and_across_batches(backend: Storage) -> None:
    first = backend.events.append([_event(gunshot(ref="a")), _event(gunshot(ref="a"))])
    assert len(first.stored) == 1 and len(first.duplicates) == 1
    again = backend.events.append([_event(gunshot(ref="a"))])
    assert again.stored == [] and len(again.duplicates) == 1
    assert first.stored[0].hops.persisted_at is not None


def _record(outcome: str) -> AuditRecord:
    return AuditRecord(datetime.now(UTC), "ana", "user", "analyst", "wall.view", "/", outcome, "r")


def test_audit_chain_detects_tampering(backend: Storage) -> None:
    for outcome in ("allow", "deny", "allow"):
        backend.audit.append(_record(outcome))
    assert backend.audit.verify() == (True, 3, "ok")
    with pytest.raises(REFUSED, match="append-only"), _transaction(backend) as conn:
        conn.execute("UPDATE audit SET outcome = 'allow' WHERE seq = 2")
    # Someone with raw database access drops the trigger and rewrites history:
    drop = "DROP TRIGGER audit_no_update"
    with _transaction(backend) as conn:
        conn.execute(drop if isinstance(backend, SqliteStorage) else f"{drop} ON audit")
        conn.execute("UPDATE audit SET outcome = 'allow' WHERE seq = 2")
    intact, checked, detail = backend.audit.verify()
    assert not intact and checked == 1 and "row 2" in detail


def test_audit_chain_detects_a_deleted_row(backend: Storage) -> None:
    for outcome in ("allow", "deny", "allow"):
        backend.audit.append(_record(outcome))
    with _transaction(backend) as conn:
        conn.execute("DELETE FROM audit WHERE seq = 2")
    intact, _, detail = backend.audit.verify()
    assert not intact and "row 2 missing" in detail


def test_entity_remembers_when_it_was_first_seen(backend: Storage) -> None:
    backend.events.append([_event(unit("P1", 39.96, -83.0, at="2026-11-25T20:00:00Z"))])
    backend.events.append([_event(unit("P1", 39.97, -83.0, at="2026-11-25T20:05:00Z"))])
    [state] = backend.events.entities()
    assert state.event["first_occurred_at"] == "2026-11-25T20:00:00.000000+00:00"
    assert state.event["occurred_at"] == "2026-11-25T20:05:00.000000+00:00"


def test_a_taken_username_is_refused_by_name(backend: Storage) -> None:
    backend.accounts.add_user("ana", "h", "analyst")
    with pytest.raises(AlreadyExists, match="ana"):
        backend.accounts.add_user("ana", "h2", "officer")
    assert ensure_admin(backend.accounts) is not None
    assert ensure_admin(backend.accounts) is None  # a second start: nothing to do
