"""The decision point: least privilege, a reason for every outcome, an audit row for each."""

import pytest

from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import ANONYMOUS, Principal, new_api_key, split_api_key
from rtcc.governance.roles import ROLE_PERMISSIONS, Permission, Role
from rtcc.storage.base import Storage


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def test_every_role_is_defined_and_nobody_has_everything() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    everything = set(Permission)
    assert all(grants != everything for grants in ROLE_PERMISSIONS.values())
    assert Permission.EVENTS_INGEST not in ROLE_PERMISSIONS[Role.ADMIN]
    assert ROLE_PERMISSIONS[Role.SOURCE] == {Permission.EVENTS_INGEST}
    assert Permission.WALL_VIEW not in ROLE_PERMISSIONS[Role.AUDITOR]


def test_decisions_carry_reasons_and_are_chained(storage: Storage) -> None:
    point = DecisionPoint(storage.audit)
    analyst = Principal("ana", "user", Role.ANALYST)
    allowed = point.decide(analyst, Permission.WALL_VIEW, "GET /")
    denied = point.decide(analyst, Permission.USERS_MANAGE, "POST /api/v1/users")
    anonymous = point.decide(ANONYMOUS, Permission.WALL_VIEW, "GET /")
    assert allowed.allowed and allowed.reason == "role analyst grants wall.view"
    assert not denied.allowed and denied.reason == "role analyst lacks users.manage"
    assert not anonymous.allowed and anonymous.reason == "not authenticated"
    rows = storage.audit.recent(10)
    assert [r["outcome"] for r in rows] == ["deny", "deny", "allow"]
    assert storage.audit.verify() == (True, 3, "ok")


def test_api_keys_round_trip_and_reject_garbage() -> None:
    key, key_id, _ = new_api_key()
    assert split_api_key(key) is not None and split_api_key(key)[0] == key_id
    for bad in ("", "rtcc_", "rtcc_abc", "bearer rtcc_a_b", "sk-123"):
        assert split_api_key(bad) is None
