"""A 911 caller entering a geofence alerts once per entry, with the fence and its owner."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rtcc.analysis.geofence import validate_polygon
from rtcc.core.alerts import Alert
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.core.geo import offset_m
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.pipeline.rules.geofence import CallerInGeofenceRule
from rtcc.storage.base import Geofence, Storage
from tests.analysis.test_geofence import LAT, LON, square

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def add_fence(storage: Storage, name: str, geometry: dict[str, Any], owner: str) -> Geofence:
    valid = validate_polygon(geometry)
    return storage.geofences.add(name, owner, valid.geojson, valid.bbox)


def caller(
    call_id: str,
    north_m: float,
    east_m: float,
    second: int,
    accuracy_m: float | None = 8.0,
    received: datetime | None = None,
) -> Event:
    lat, lon = offset_m(LAT, LON, north_m, east_m)
    item = EVENT_IN_ADAPTER.validate_python(
        {
            "kind": "caller_location",
            "id": f"{call_id}-{second}",
            "occurred_at": (T0 + timedelta(seconds=second)).isoformat(),
            "location": {"lat": lat, "lon": lon, "accuracy_m": accuracy_m},
            "payload": {"call_id": call_id, "method": "gps"},
        }
    )
    return event_from_wire(item, "psap", received or T0 + timedelta(seconds=second))


def run(rule: CallerInGeofenceRule, storage: Storage, *events: Event) -> list[Alert]:
    return RuleEngine([rule]).run(list(events), storage.events)


def test_first_entry_alerts_once_with_fence_and_owner(storage: Storage) -> None:
    school = add_fence(storage, "Lincoln High School", square(LAT, LON, 100.0), "ana")
    rule = CallerInGeofenceRule(storage.geofences)
    assert run(rule, storage, caller("C1", 0.0, -300.0, 0)) == []  # outside
    [alert] = run(rule, storage, caller("C1", 0.0, -20.0, 10))
    assert alert.rule == "caller_in_geofence" and alert.severity == "warning"
    assert alert.title == "911 caller inside geofence 'Lincoln High School' (owner ana)"
    assert alert.detail == {
        "call_id": "C1",
        "geofences": [
            {"id": school.id, "name": "Lincoln High School", "owner": "ana", "inside": True}
        ],
        "accuracy_m": 8.0,
        "method": "gps",
    }
    assert alert.location is not None and alert.location.accuracy_m == 8.0
    # Moving about inside the fence does not alert again.
    assert run(rule, storage, caller("C1", 10.0, 0.0, 20), caller("C1", 30.0, 40.0, 30)) == []


def test_leaving_and_coming_back_alerts_again(storage: Storage) -> None:
    add_fence(storage, "Park", square(LAT, LON, 100.0), "ofc")
    rule = CallerInGeofenceRule(storage.geofences)
    assert len(run(rule, storage, caller("C2", 0.0, 0.0, 0))) == 1
    assert run(rule, storage, caller("C2", 0.0, 400.0, 10)) == []  # left
    [again] = run(rule, storage, caller("C2", 0.0, 50.0, 20))
    assert again.detail["call_id"] == "C2"
    # Another call entering the same fence has its own alert.
    assert len(run(rule, storage, caller("C3", 0.0, 0.0, 21))) == 1


def test_possibly_inside_alerts_once_and_says_so(storage: Storage) -> None:
    add_fence(storage, "Mall", square(LAT, LON, 100.0), "ana")
    rule = CallerInGeofenceRule(storage.geofences)
    # 150 m east of the centre is 50 m outside; a ±300 m cell fix may be inside.
    [maybe] = run(rule, storage, caller("C4", 0.0, 150.0, 0, accuracy_m=300.0))
    assert maybe.title == "911 caller possibly inside geofence 'Mall' (owner ana)"
    assert maybe.detail["geofences"][0]["inside"] is False
    # The GPS fix that follows puts the caller inside: the same entry, no new alert.
    assert run(rule, storage, caller("C4", 0.0, 20.0, 5, accuracy_m=5.0)) == []


def test_several_fences_in_one_alert(storage: Storage) -> None:
    add_fence(storage, "Block", square(LAT, LON, 100.0), "ana")
    add_fence(storage, "District", square(LAT, LON, 2_000.0), "sup")
    rule = CallerInGeofenceRule(storage.geofences)
    [alert] = run(rule, storage, caller("C5", 0.0, 0.0, 0))
    assert alert.title == (
        "911 caller inside 2 geofences: 'Block' (owner ana), 'District' (owner sup)"
    )
    # Leaving the small one only: no alert; coming back: only the small one is new.
    assert run(rule, storage, caller("C5", 0.0, 500.0, 10)) == []
    [back] = run(rule, storage, caller("C5", 0.0, 0.0, 20))
    assert [g["name"] for g in back.detail["geofences"]] == ["Block"]


def test_a_late_older_fix_does_not_move_the_call(storage: Storage) -> None:
    add_fence(storage, "Yard", square(LAT, LON, 100.0), "ana")
    rule = CallerInGeofenceRule(storage.geofences)
    assert len(run(rule, storage, caller("C6", 0.0, 0.0, 10))) == 1
    assert run(rule, storage, caller("C6", 0.0, 900.0, 5)) == []  # older, outside: ignored
    assert run(rule, storage, caller("C6", 0.0, 10.0, 15)) == []  # still inside: no re-entry


def test_fences_added_or_deleted_later_are_seen(storage: Storage) -> None:
    rule = CallerInGeofenceRule(storage.geofences)
    assert run(rule, storage, caller("C7", 0.0, 0.0, 0)) == []
    fence = add_fence(storage, "New", square(LAT, LON, 100.0), "ana")
    assert len(run(rule, storage, caller("C7", 0.0, 5.0, 10))) == 1
    assert len(rule.index()) == 1
    storage.geofences.delete(fence.id)
    assert len(rule.index()) == 0
    assert run(rule, storage, caller("C7", 0.0, 5.0, 20)) == []


def test_calls_not_updated_for_two_hours_are_forgotten(storage: Storage) -> None:
    add_fence(storage, "Zone", square(LAT, LON, 100.0), "ana")
    rule = CallerInGeofenceRule(storage.geofences, max_calls=50)
    run(rule, storage, caller("OLD", 0.0, 0.0, 0))
    assert rule.tracked_calls() == 1
    later = T0 + timedelta(hours=2, minutes=1)
    run(rule, storage, caller("NEW", 0.0, 0.0, 1, received=later))
    assert rule.tracked_calls() == 1  # OLD was forgotten
    # However many calls come in, at most max_calls are remembered.
    run(rule, storage, *[caller(f"X{i}", 0.0, 500.0, 2 + i, received=later) for i in range(80)])
    assert rule.tracked_calls() == 50


def test_default_rules_include_the_geofence_rule(storage: Storage) -> None:
    add_fence(storage, "School", square(LAT, LON, 100.0), "ana")
    engine = RuleEngine(default_rules(storage))
    assert "caller_in_geofence" in [rule.name for rule in engine.rules]
    [alert] = engine.run([caller("C8", 0.0, 0.0, 0)], storage.events)
    assert alert.rule == "caller_in_geofence"
