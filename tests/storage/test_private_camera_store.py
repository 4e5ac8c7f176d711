"""The private camera store on each backend: cameras, grants, segments, the access log."""

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from rtcc.governance.camera_grants import CameraAccess, FootageSegment
from rtcc.storage.base import Storage
from tests.governance.test_camera_grants import CAMERA, GRANT
from tests.storage.test_plate_reads import marks

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
H = timedelta(hours=1)


def segment(start: datetime, url: str = "https://nvr.example.org/a.mp4") -> FootageSegment:
    return FootageSegment(CAMERA.id, start, start + 10 * timedelta(minutes=1), url, NOW)


def access(at: datetime, outcome: str = "allow") -> CameraAccess:
    return CameraAccess(
        camera_id=CAMERA.id, at=at, actor="analyst1", role="analyst", agency="Test PD",
        case_number="2026-001234", purpose="case", range_start=at - H, range_end=at,
        outcome=outcome, rule="grant", reason="inside the grant", grant_id=GRANT.id,
    )  # fmt: skip


def test_cameras_by_id_and_token_sharing_and_withdrawal(backend: Storage) -> None:
    store = backend.private_cameras
    other = replace(CAMERA, id="pc-2", kind="registered", sharing=None, heading_deg=None)
    store.add_camera(CAMERA, "hash-1")
    store.add_camera(other, "hash-2")
    assert store.camera(CAMERA.id) == CAMERA
    assert store.camera_by_token("hash-2") == other and store.camera_by_token("x") is None
    assert [c.id for c in store.list_cameras()] == ["pc-1", "pc-2"]
    store.set_sharing(CAMERA.id, "alarm_only")
    store.set_sharing(other.id, "always")  # a registered camera shares nothing
    assert store.camera(CAMERA.id).sharing == "alarm_only"
    assert store.camera(other.id).sharing is None
    store.withdraw(CAMERA.id, NOW)
    store.withdraw(CAMERA.id, NOW + H)  # the first withdrawal stands
    assert store.camera(CAMERA.id).withdrawn_at == NOW


def test_grants_newest_first_and_segments_counted_once(backend: Storage) -> None:
    store = backend.private_cameras
    store.add_camera(CAMERA, "hash-1")
    later = replace(GRANT, id="g2", created_at=NOW)
    store.add_grant(GRANT)
    store.add_grant(later)
    assert [g.id for g in store.grants(CAMERA.id)] == ["g2", "g1"]
    assert store.grants(CAMERA.id)[1] == GRANT
    first, second = segment(NOW - 2 * H), segment(NOW - H)
    assert store.add_segments([first, second, second]) == 2  # a repeat in the batch too
    assert store.add_segments([first, segment(NOW - H, "https://nvr.example.org/b.mp4")]) == 1
    assert store.add_segments([]) == 0
    found = store.segments(CAMERA.id, NOW - H - timedelta(minutes=5), NOW)
    assert [(s.starts_at, s.clip_url[-5:]) for s in found] == [
        (NOW - H, "a.mp4"),
        (NOW - H, "b.mp4"),
    ]
    assert store.segments(CAMERA.id, NOW - 3 * H, NOW - 2 * H) == []


def test_access_log_is_newest_first_and_append_only(backend: Storage) -> None:
    store = backend.private_cameras
    store.add_camera(CAMERA, "hash-1")
    for i in range(3):
        store.log_access(access(NOW + i * H, "deny" if i == 1 else "allow"))
    log = store.access_log(CAMERA.id)
    assert [e.at for e in log] == [NOW + 2 * H, NOW + H, NOW]
    assert log[2] == access(NOW) and store.access_log(CAMERA.id, limit=1) == log[:1]
    refused = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)
    with pytest.raises(refused, match="append-only"), backend.db.transaction() as conn:
        conn.execute(marks(backend, "UPDATE private_camera_access SET reason = ?"), ("x",))
