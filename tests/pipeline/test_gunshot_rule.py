"""Gunshot → nearest cameras (with in-view flags) and units within 1 km."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rtcc.core.events import EVENT_IN_ADAPTER, event_from_wire
from rtcc.core.geo import offset_m
from rtcc.pipeline.rules import RuleEngine
from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
from rtcc.storage.sqlite import SqliteStorage
from tests.conftest import camera, gunshot, unit

SHOT = (39.9612, -82.9988)


def _at(north: float, east: float) -> tuple[float, float]:
    return offset_m(*SHOT, north, east)


@pytest.fixture
def storage(tmp_path: Path) -> SqliteStorage:
    store = SqliteStorage(tmp_path / "t.db", "NORMAL")
    items = [
        camera("LOOKS-AT-IT", *_at(100, 0), heading=180.0),  # north of it, facing south
        camera("LOOKS-AWAY", *_at(60, 0), heading=0.0),  # nearer, but facing north
        camera("TOO-FAR-TO-SEE", *_at(0, 600), heading=270.0),  # beyond its 200 m range
        camera("OUTSIDE-1KM", *_at(0, 1500), heading=270.0),
        unit("P-NEAR", *_at(-300, 0)),
        unit("P-FAR", *_at(0, -1200)),
    ]
    now = datetime.now(UTC)
    store.events.append(
        [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", now) for i in items]
    )
    return store


def test_alert_lists_nearest_cameras_and_units(storage: SqliteStorage) -> None:
    shot = event_from_wire(EVENT_IN_ADAPTER.validate_python(gunshot(*SHOT)), "t", datetime.now(UTC))
    [alert] = RuleEngine([GunshotNearbyRule()]).run([shot], storage.events)
    cameras = alert.detail["cameras"]
    assert [c["camera_id"] for c in cameras] == ["LOOKS-AWAY", "LOOKS-AT-IT", "TOO-FAR-TO-SEE"]
    assert {c["camera_id"]: c["in_view"] for c in cameras} == {
        "LOOKS-AWAY": False,
        "LOOKS-AT-IT": True,
        "TOO-FAR-TO-SEE": False,
    }
    assert [u["unit_id"] for u in alert.detail["units"]] == ["P-NEAR"]
    assert alert.detail["units"][0]["distance_m"] == pytest.approx(300, abs=2)
    assert alert.severity == "critical"
    assert alert.title == "Gunshot, 4 rounds: 3 cameras (1 in view), 1 units within 1 km"
    assert alert.hops is not None and alert.hops.alerted_at is not None


def test_a_failing_rule_does_not_stop_the_others(storage: SqliteStorage) -> None:
    class Broken:
        name = "broken"

        def applies_to(self, event: object) -> bool:
            return True

        def evaluate(self, event: object, store: object) -> None:
            raise ZeroDivisionError

    engine = RuleEngine([Broken(), GunshotNearbyRule()])
    shot = event_from_wire(EVENT_IN_ADAPTER.validate_python(gunshot(*SHOT)), "t", datetime.now(UTC))
    assert len(engine.run([shot], storage.events)) == 1
    assert engine.failures == {"broken": 1}
