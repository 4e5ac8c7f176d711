"""The JSON sensor report: arrival times in, a sensor-level gunshot out, located at ingest."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rtcc.analysis.multilateration import Arrival, locate
from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.core.geo import haversine_m
from rtcc.sources.base import AdapterError, AdapterOptions
from rtcc.sources.shotspotter import ShotSpotterAdapter

GOOD = Path(__file__).parent / "fixtures" / "shotspotter" / "good"
SF_26868 = (37.73668188, -122.3908474)  # where the SF export puts alert 26868


@pytest.fixture
def adapter() -> ShotSpotterAdapter:
    return ShotSpotterAdapter(AdapterOptions())


def test_sensor_report_has_no_location_and_every_arrival(adapter: ShotSpotterAdapter) -> None:
    [event] = adapter.translate((GOOD / "sensor_report_sf.json").read_bytes())
    assert "location" not in event
    payload = event["payload"]
    assert payload["detection_id"] == "SF-26868" and payload["rounds"] == 6
    assert payload["temperature_c"] == 9.5
    assert len(payload["sensors"]) == 10
    first = min(s["arrived_at"] for s in payload["sensors"])
    assert event["occurred_at"] == datetime.fromisoformat(first).isoformat()
    item = EVENT_IN_ADAPTER.validate_python(event)
    assert item.location is None
    assert all(s.arrived_at.tzinfo is not None for s in item.payload.sensors)  # type: ignore[union-attr]


def test_the_report_locates_back_onto_the_real_shot(adapter: ShotSpotterAdapter) -> None:
    [event] = adapter.translate((GOOD / "sensor_report_sf.json").read_bytes())
    arrivals = [
        Arrival(s["sensor_id"], s["lat"], s["lon"], datetime.fromisoformat(s["arrived_at"]))
        for s in event["payload"]["sensors"]
    ]
    fix = locate(arrivals, event["payload"]["temperature_c"])
    assert haversine_m(*SF_26868, fix.lat, fix.lon) < 10.0


def test_report_time_prefers_the_vendor_time(adapter: ShotSpotterAdapter) -> None:
    [event] = adapter.translate((GOOD / "sensor_report_wilmington.json").read_bytes())
    assert event["occurred_at"] == "2013-01-01T04:59:18+00:00"
    assert datetime.fromisoformat(event["occurred_at"]).tzinfo == UTC


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (b'{"id": "x", "sensors": []}', "sensors", "missing"),
        (b'{"id": "x", "sensors": ["a"]}', "sensors[0]", "not_an_object"),
        (
            b'{"id": "x", "temperatureC": 99, "sensors": [{"sensorId": "a", "latitude": 1,'
            b' "longitude": 2, "arrivalTime": "2026-01-01T00:00:00Z"}]}',
            "temperatureC",
            "out_of_range",
        ),
        (
            b'{"id": "x", "sensors": [{"sensorId": "a", "latitude": 1,'
            b' "arrivalTime": "2026-01-01T00:00:00Z"}]}',
            "sensors[0].longitude",
            "missing",
        ),
    ],
)
def test_bad_reports_name_the_field(
    adapter: ShotSpotterAdapter, body: bytes, field: str, reason: str
) -> None:
    with pytest.raises(AdapterError) as refused:
        adapter.translate(body)
    assert (refused.value.field, refused.value.reason) == (field, reason)
