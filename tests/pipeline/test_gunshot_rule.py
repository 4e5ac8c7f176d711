"""Gunshot → one alert per incident: cameras (in-view flags), plate reads and units around it;
sensor-level reports located at ingest; follow-up shots join the incident silently."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rtcc.core.bus import Bus
from rtcc.core.events import EVENT_IN_ADAPTER, event_from_wire
from rtcc.core.geo import haversine_m, offset_m
from rtcc.core.payloads import Gunshot
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.rules import RuleEngine
from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
from rtcc.simulator.acoustic import hear, sensor_grid, sensor_report
from rtcc.storage.base import Storage
from tests.conftest import camera, gunshot, unit

SHOT = (39.9612, -82.9988)


def _at(north: float, east: float) -> tuple[float, float]:
    return offset_m(*SHOT, north, east)


@pytest.fixture
def storage(backend: Storage) -> Storage:
    items = [
        camera("LOOKS-AT-IT", *_at(100, 0), heading=180.0),  # north of it, facing south
        camera("LOOKS-AWAY", *_at(60, 0), heading=0.0),  # nearer, but facing north
        camera("TOO-FAR-TO-SEE", *_at(0, 600), heading=270.0),  # beyond its 200 m range
        camera("OUTSIDE-1KM", *_at(0, 1500), heading=270.0),
        unit("P-NEAR", *_at(-300, 0)),
        unit("P-FAR", *_at(0, -1200)),
    ]
    now = datetime.now(UTC)
    backend.events.append(
        [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", now) for i in items]
    )
    return backend


def test_alert_lists_nearest_cameras_and_units(storage: Storage) -> None:
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
    assert alert.title.startswith(
        "Gunshot, 4 rounds: 3 cameras (1 in view), 0 plate reads, 1 units within 1 km; "
        "new incident RTCC-20261125-"
    )
    assert alert.hops is not None and alert.hops.alerted_at is not None


def test_a_failing_rule_does_not_stop_the_others(storage: Storage) -> None:
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


# --- sensor-level reports, incidents, plate reads (through the ingest pipeline) ---------

FIRED = datetime(2026, 11, 25, 20, 14, 3, tzinfo=UTC)


def _read(plate: str, north: float, east: float, at: str) -> dict[str, Any]:
    lat, lon = _at(north, east)
    return {
        "kind": "lpr_read",
        "id": f"read-{plate}",
        "occurred_at": at,
        "location": {"lat": lat, "lon": lon},
        "payload": {"reader_id": "R-7", "plate": plate, "plate_state": "OH"},
    }


def _cad(incident: str, north: float, east: float, status: str, at: str) -> dict[str, Any]:
    lat, lon = _at(north, east)
    return {
        "kind": "cad_incident",
        "id": f"{incident}-{status}",
        "occurred_at": at,
        "location": {"lat": lat, "lon": lon},
        "payload": {"incident_id": incident, "status": status, "call_type": "SHOTS"},
    }


def _report(ref: str, north: float, east: float, fired: datetime, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    lat, lon = _at(north, east)
    arrivals = hear(sensor_grid(lat, lon, rng, per_square_mile=18), lat, lon, fired, rng)
    return sensor_report(ref, arrivals, temperature_c=4.0, rounds=3)


@pytest.fixture
def pipeline(storage: Storage) -> IngestPipeline:
    storage.events.append(  # plate reads: in the window, too early, too far
        [
            event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "lpr", datetime.now(UTC))
            for i in (
                _read("NEAR1", 150, 0, "2026-11-25T20:11:00Z"),
                _read("EARLY1", 150, 0, "2026-11-25T19:40:00Z"),
                _read("FAR1", 0, 1800, "2026-11-25T20:13:00Z"),
            )
        ]
    )
    return IngestPipeline(storage, Bus(), RuleEngine([GunshotNearbyRule()]))


def test_sensor_report_is_located_then_correlated_in_one_alert(
    pipeline: IngestPipeline, storage: Storage
) -> None:
    result = pipeline.process("sensors", [_report("SR-1", 20, -30, FIRED, 1)])
    assert result.errors == []
    [stored] = result.stored
    assert stored.location is not None and stored.location.accuracy_m is not None
    assert haversine_m(*_at(20, -30), stored.location.lat, stored.location.lon) < 10
    assert 0 < stored.location.accuracy_m < 50
    assert isinstance(stored.payload, Gunshot)
    assert stored.payload.location_method == "multilateration"
    assert stored.payload.location_note and "sensors" in stored.payload.location_note
    kept = storage.events.get_event(stored.id)
    assert kept is not None and kept["location"]["accuracy_m"] == stored.location.accuracy_m
    [alert] = result.alerts
    detail = alert.detail
    assert {c["camera_id"] for c in detail["cameras"]} >= {"LOOKS-AT-IT", "LOOKS-AWAY"}
    assert [r["plate"] for r in detail["plate_reads"]] == ["NEAR1"]
    assert [u["unit_id"] for u in detail["units"]] == ["P-NEAR"]
    assert detail["location_method"] == "multilateration"
    assert detail["incident"]["source"] == "rtcc" and not detail["incident"]["joined"]
    assert detail["incident"]["id"] == stored.payload.incident_id
    assert "1 plate reads" in alert.title and "1 units" in alert.title


def test_a_report_with_three_sensors_is_refused_with_the_reason(pipeline: IngestPipeline) -> None:
    report = _report("SR-2", 0, 0, FIRED, 2)
    report["payload"]["sensors"] = report["payload"]["sensors"][:3]
    good = gunshot(*SHOT, ref="vendor-1")
    result = pipeline.process("sensors", [report, good])
    assert [(e.index, e.field, e.reason) for e in result.errors] == [
        (0, "payload.sensors", "too_few_sensors")
    ]
    assert [e.source_ref for e in result.stored] == ["vendor-1"]
    stored = result.stored[0].payload
    assert isinstance(stored, Gunshot) and stored.location_method == "vendor"


def test_shot_joins_an_open_cad_incident(pipeline: IngestPipeline, storage: Storage) -> None:
    pipeline.process(
        "cad",
        [
            _cad("CAD-OPEN", 120, 0, "dispatched", "2026-11-25T20:10:00Z"),
            _cad("CAD-CLOSED", 10, 0, "closed", "2026-11-25T20:12:00Z"),
        ],
    )
    result = pipeline.process("sensors", [_report("SR-3", 0, 0, FIRED, 3)])
    [alert] = result.alerts
    assert alert.detail["incident"] == {"id": "CAD-OPEN", "source": "cad", "joined": True}
    assert alert.title.endswith("joins incident CAD-OPEN")


def test_follow_up_shots_join_the_incident_without_a_second_alert(
    pipeline: IngestPipeline,
) -> None:
    first = pipeline.process("sensors", [_report("SR-4", 0, 0, FIRED, 4)])
    [alert] = first.alerts
    incident = alert.detail["incident"]["id"]
    later = FIRED + timedelta(minutes=3)
    # same batch: two more shots nearby, one far away (another incident, its own alert)
    second = pipeline.process(
        "sensors",
        [
            _report("SR-5", 80, 60, later, 5),
            _report("SR-6", -50, 20, later + timedelta(seconds=40), 6),
            _report("SR-FAR", 0, 3000, later, 7),
        ],
    )
    incidents = {e.source_ref: e.payload.incident_id for e in second.stored}  # type: ignore[union-attr]
    assert incidents["SR-5"] == incidents["SR-6"] == incident
    assert incidents["SR-FAR"] != incident
    assert [a.detail["detection_id"] for a in second.alerts] == ["SR-FAR"]
    # much later, the same corner is a new incident with its own alert
    third = pipeline.process("sensors", [_report("SR-7", 0, 0, FIRED + timedelta(hours=2), 8)])
    [again] = third.alerts
    assert again.detail["incident"]["id"] != incident


def test_the_first_shot_of_a_batch_alerts_and_lists_the_joined_detections(
    pipeline: IngestPipeline,
) -> None:
    result = pipeline.process(
        "sensors",
        [
            _report("SR-B", 40, 0, FIRED + timedelta(seconds=30), 9),
            _report("SR-A", 0, 0, FIRED, 10),
        ],
    )
    [alert] = result.alerts
    assert alert.detail["detection_id"] == "SR-A"
    assert [d["detection_id"] for d in alert.detail["detections"]] == ["SR-A", "SR-B"]


def test_events_near_filters_kind_time_and_distance(storage: Storage) -> None:
    since = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    found = storage.events.events_near(*SHOT, 500, ["lpr_read"], since, FIRED)
    assert [n.event["payload"]["plate"] for n in found] == []
    pipeline = IngestPipeline(storage, Bus(), RuleEngine([]))
    pipeline.process("lpr", [_read("A1", 100, 0, "2026-11-25T20:05:00Z")])
    pipeline.process("lpr", [_read("B2", 0, 600, "2026-11-25T20:06:00Z")])
    found = storage.events.events_near(*SHOT, 500, ["lpr_read"], since, FIRED)
    assert [n.event["payload"]["plate"] for n in found] == ["A1"]
    assert found[0].distance_m == pytest.approx(100, abs=1)
    assert storage.events.events_near(*SHOT, 500, ["gunshot"], since, FIRED) == []
