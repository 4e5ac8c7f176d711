"""GTFS-realtime adapter: the real PSTA/CUTR feeds, built feeds for edge cases, fuzz."""

import math
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError
from rtcc.sources.gtfs_rt import GtfsRtAdapter, GtfsRtOptions
from rtcc.sources.gtfs_rt.wire import float32_text

FIXTURES = Path(__file__).parent / "fixtures" / "gtfs_rt"
T0 = 1_773_497_100  # 2026-03-14T14:05:00Z


def f32(value: float) -> float:
    narrowed: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return narrowed


def adapter(**options: Any) -> GtfsRtAdapter:
    return GtfsRtAdapter(GtfsRtOptions.model_validate(options))


def refused(a: GtfsRtAdapter, message: bytes) -> tuple[str, str]:
    with pytest.raises(AdapterError) as info:
        a.translate(message)
    return info.value.field, info.value.reason


# --- feeds built with the bindings (the fixture files are these, serialised) ---------


def feed(incrementality: int = 0, stamp: int | None = T0) -> Any:
    message: Any = gtfs_realtime_pb2.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = incrementality
    if stamp is not None:
        message.header.timestamp = stamp
    return message


def add_vehicle(message: Any, entity_id: str, lat: float, lon: float, **fields: Any) -> Any:
    entity = message.entity.add(id=entity_id)
    entity.vehicle.position.latitude = lat
    entity.vehicle.position.longitude = lon
    for name in ("bearing", "speed"):
        if name in fields:
            setattr(entity.vehicle.position, name, fields[name])
    for name in ("id", "label"):
        if name in fields:
            setattr(entity.vehicle.vehicle, name, fields[name])
    if "timestamp" in fields:
        entity.vehicle.timestamp = fields["timestamp"]
    if "route" in fields:
        entity.vehicle.trip.route_id = fields["route"]
    return entity


def mixed_feed() -> Any:
    """A DIFFERENTIAL feed with every kind of entity a real combined feed can carry."""
    message = feed(incrementality=1)
    add_vehicle(
        message,
        "v1",
        40.7527,
        -73.9772,
        id="MTA NYCT_7582",
        label="7582",
        bearing=90.0,
        speed=8.5,
        timestamp=T0 - 12,
        route="M15",
    )
    add_vehicle(message, "v2", 40.7484, -73.9857, label="4411", bearing=359.5)
    message.entity.add(id="v3").vehicle.vehicle.id = "4412"  # in service, no fix yet
    message.entity.add(id="v4", is_deleted=True)
    trip = message.entity.add(id="t1").trip_update
    trip.trip.trip_id = "MQ_C6-Weekday-SDon-083000_M15_408"
    trip.stop_time_update.add(stop_id="401906").arrival.time = T0 + 60
    add_vehicle(message, "v5", 40.7306, -73.9866, speed=0.0)
    add_vehicle(message, "v6", 0.0, 0.0, id="4413")  # AVL box before its first GPS fix
    return message


def latitude_95_feed() -> Any:
    message = feed()
    add_vehicle(message, "1", 95.0, -82.6758, id="0152", timestamp=T0)
    return message


def trip_updates_feed() -> Any:
    message = feed()
    update = message.entity.add(id="1").trip_update
    update.trip.trip_id = "1209393020"
    update.vehicle.id = "12102"
    update.stop_time_update.add(stop_id="4020").arrival.time = T0 + 60
    return message


def millisecond_feed() -> Any:
    message = feed(stamp=T0 * 1000)
    add_vehicle(message, "1", 27.887, -82.6758, id="0152")
    return message


def serialised(build: Callable[[], Any]) -> bytes:
    data: bytes = build().SerializeToString(deterministic=True)
    return data


BUILT = {
    "good/built_mixed_differential.pb": lambda: serialised(mixed_feed),
    "bad/latitude_95.pb": lambda: serialised(latitude_95_feed),
    "bad/trip_updates_only.pb": lambda: serialised(trip_updates_feed),
    "bad/timestamp_in_milliseconds.pb": lambda: serialised(millisecond_feed),
    "bad/truncated.pb": lambda: serialised(mixed_feed)[:150],
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_fixture_files_are_the_feeds_built_here(name: str) -> None:
    assert (FIXTURES / name).read_bytes() == BUILT[name]()


@pytest.mark.parametrize("expect", sorted((FIXTURES / "bad").glob("*.expect")), ids=str)
def test_bad_fixtures_are_refused(expect: Path) -> None:
    field, reason = expect.read_text().split()
    assert refused(adapter(), expect.with_suffix("").read_bytes()) == (field, reason)


# --- real data: PSTA (Pinellas County, FL) via CUTR, 2015-07-07 -------------------


def test_real_vehicle_positions_feed(shared_data: Path) -> None:
    data = (shared_data / "avl" / "gtfsrt_vehicle_positions_cutr_2015.pb").read_bytes()
    a = adapter(unit_id_prefix="psta:")
    events = a.translate(data)
    assert len(events) == 146 and not a.skipped
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    assert events[0] == {
        "kind": "unit_position",
        "id": "psta:0152-1436294657000",
        "occurred_at": "2015-07-07T18:44:17+00:00",
        "location": {"lat": 27.887, "lon": -82.67587},
        "payload": {
            "unit_id": "psta:0152",
            "unit_type": "other",
            "speed_mps": 0.0,
            "heading_deg": 359.0,
        },
    }
    assert len({e["payload"]["unit_id"] for e in events}) == 146
    assert {e["occurred_at"] for e in events} == {"2015-07-07T18:44:17+00:00"}
    lats = [e["location"]["lat"] for e in events]
    lons = [e["location"]["lon"] for e in events]
    assert 27.71 < min(lats) < max(lats) < 28.15 and -82.85 < min(lons) < max(lons) < -82.54
    speeds = [e["payload"]["speed_mps"] for e in events]
    assert sum(s == 0 for s in speeds) == 73  # standing at a stop or layover
    # PSTA's AVL reports whole miles per hour: every speed is n x 0.44704 m/s
    assert all(abs(s / 0.44704 - round(s / 0.44704)) < 1e-4 for s in speeds)
    assert max(speeds) == pytest.approx(82 * 0.44704, abs=1e-4)
    # translated twice, the same ids: a replayed poll de-duplicates
    assert [e["id"] for e in a.translate(data)] == [e["id"] for e in events]


def test_real_trip_updates_feed_is_refused(shared_data: Path) -> None:
    data = (shared_data / "avl" / "gtfsrt_trip_updates_cutr_2015.pb").read_bytes()
    assert refused(adapter(), data) == ("entity", "no_vehicle_positions")


def test_real_feed_cut_anywhere_is_truncated_or_ends_at_an_entity(shared_data: Path) -> None:
    """Protobuf has no end marker: a body cut between two entities is a valid, shorter feed."""
    data = (shared_data / "avl" / "gtfsrt_vehicle_positions_cutr_2015.pb").read_bytes()
    outcomes: dict[str, int] = {}
    for cut in range(1, len(data)):
        try:
            adapter().translate(data[:cut])
            key = "ok"
        except AdapterError as error:
            key = f"{error.field} {error.reason}"
        outcomes[key] = outcomes.get(key, 0) + 1
    # ok: after the header (no entities) and after each of the first 145 entities
    assert outcomes == {"FeedMessage truncated": len(data) - 1 - 146, "ok": 146}


# --- edge cases ---------------------------------------------------------------------


def test_mixed_feed_keeps_what_it_can_and_counts_the_rest() -> None:
    a = adapter()
    events = a.translate(serialised(mixed_feed))
    assert [e["payload"]["unit_id"] for e in events] == ["MTA_NYCT_7582", "4411", "v5"]
    first, label_only, entity_id = events
    assert first["occurred_at"] == "2026-03-14T14:04:48+00:00"  # vehicle.timestamp
    assert first["payload"] == {
        "unit_id": "MTA_NYCT_7582",
        "unit_type": "other",
        "speed_mps": 8.5,
        "heading_deg": 90.0,
    }
    assert first["location"] == {"lat": 40.7527, "lon": -73.9772}
    assert label_only["occurred_at"] == "2026-03-14T14:05:00+00:00"  # header.timestamp
    assert label_only["payload"]["heading_deg"] == 359.5
    assert "speed_mps" not in label_only["payload"]
    assert entity_id["id"] == f"v5-{T0 * 1000}"
    assert a.skipped == {"no_position": 1, "deleted": 1, "no_vehicle": 1, "null_island": 1}


def test_bad_entity_refuses_the_feed_unless_skipping_is_asked_for() -> None:
    message = mixed_feed()
    add_vehicle(message, "v7", 95.0, -73.9, id="9999")
    data = serialised(lambda: message)
    assert refused(adapter(), data) == ("entity.vehicle.position.latitude", "out_of_range")
    lenient = adapter(skip_bad_entities=True)
    assert len(lenient.translate(data)) == 3
    assert lenient.skipped["out_of_range"] == 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"lon": 181.0}, "entity.vehicle.position.longitude", "out_of_range"),
        ({"lat": float("nan")}, "entity.vehicle.position.latitude", "out_of_range"),
        ({"speed": -1.0}, "entity.vehicle.position.speed", "out_of_range"),
        ({"speed": 150.0}, "entity.vehicle.position.speed", "out_of_range"),
        ({"bearing": 361.0}, "entity.vehicle.position.bearing", "out_of_range"),
        ({"timestamp": 86_400}, "entity.vehicle.timestamp", "bad_timestamp"),
    ],
)
def test_entity_field_errors(change: dict[str, Any], field: str, reason: str) -> None:
    message = feed()
    lat, lon = change.pop("lat", 27.887), change.pop("lon", -82.6758)
    add_vehicle(message, "1", lat, lon, id="0152", **change)
    assert refused(adapter(), serialised(lambda: message)) == (field, reason)


def test_feed_level_refusals() -> None:
    a = adapter()
    no_time = feed(stamp=None)
    add_vehicle(no_time, "1", 27.887, -82.6758, id="0152")
    assert refused(a, serialised(lambda: no_time)) == ("entity.vehicle.timestamp", "missing")
    assert refused(a, b"") == ("header", "missing")
    no_lat = feed()
    no_lat.entity.add(id="1").vehicle.position.longitude = -82.6758
    assert refused(a, no_lat.SerializePartialToString()) == (
        "entity.vehicle.position.latitude",
        "missing",
    )
    assert refused(a, b"\x0a\x00") == ("header.gtfs_realtime_version", "missing")
    assert refused(a, b'{"header": {"gtfs_realtime_version": "2.0"}}') == (
        "FeedMessage",
        "not_protobuf",
    )
    assert refused(a, b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01") == (
        "FeedMessage",
        "not_protobuf",
    )
    assert refused(a, b"\x0a" + b"\x00" * MAX_MESSAGE_BYTES) == ("FeedMessage", "too_large")


def test_empty_feed_and_long_ids() -> None:
    assert adapter().translate(serialised(feed)) == []  # no buses out at 3 am
    message = feed()
    add_vehicle(message, "1", 27.887, -82.6758, id="bus/" + "x" * 80)
    (event,) = adapter(unit_type="ems").translate(serialised(lambda: message))
    unit = event["payload"]["unit_id"]
    assert len(unit) == 48 and unit.startswith("bus_xxx")
    assert event["payload"]["unit_type"] == "ems"
    EVENT_IN_ADAPTER.validate_python(event)


def test_options_are_strict() -> None:
    with pytest.raises(ValidationError):
        GtfsRtOptions.model_validate({"unit_type": "bus"})
    with pytest.raises(ValidationError):
        GtfsRtOptions.model_validate({"unit_id_prefix": "psta/"})
    with pytest.raises(ValidationError):
        GtfsRtOptions.model_validate({"agency": "psta"})


# --- fuzz ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_events_or_an_adapter_error(data: bytes) -> None:
    real_start = serialised(mixed_feed)[:40]
    for message in (data, real_start + data):
        try:
            for event in adapter().translate(message):
                EVENT_IN_ADAPTER.validate_python(event)
        except AdapterError as exc:
            assert exc.field and exc.reason


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-90, 90, width=32),
    lon=st.floats(-180, 180, width=32),
    stamp=st.integers(946_684_800, 4_102_444_799),
    speed=st.floats(0, 120, width=32),
)
def test_generated_positions_round_trip(lat: float, lon: float, stamp: int, speed: float) -> None:
    message = feed()
    add_vehicle(message, "e", lat, lon, id="bus-1", timestamp=stamp, speed=speed)
    if lat == 0 and lon == 0:
        return
    (event,) = adapter().translate(serialised(lambda: message))
    EVENT_IN_ADAPTER.validate_python(event)
    # the shortest decimal text of each float32, which is that same float32 again
    assert f32(event["location"]["lat"]) == lat and f32(event["location"]["lon"]) == lon
    assert f32(event["payload"]["speed_mps"]) == speed
    assert event["occurred_at"] == datetime.fromtimestamp(stamp, UTC).isoformat()


def float32_text_by_formatting(value: float) -> float:
    """float32_text's definition, spelt out with text: the first of 6 to 9 significant
    digits whose decimal reads back as the same float32."""
    for digits in range(6, 10):
        shorter = float(f"{value:.{digits}g}")
        if f32(shorter) == value:
            return shorter
    return value


def float32s_around_powers_of_ten() -> list[float]:
    """Every float32 within 50 steps of each power of ten a float32 can hold: where
    floor(log10(x)) would be wrong if it were ever off by one."""
    values = []
    for exponent in range(-45, 39):
        bits = struct.unpack("<I", struct.pack("<f", f32(float(f"1e{exponent}"))))[0]
        for step in range(max(1, bits - 50), bits + 51):
            value = struct.unpack("<f", struct.pack("<I", step))[0]
            if math.isfinite(value):
                values += [value, -value]
    return values


def test_float32_text_is_the_shortest_decimal_by_formatting() -> None:
    for value in float32s_around_powers_of_ten():
        assert float32_text(value) == float32_text_by_formatting(value), value


@settings(max_examples=500, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_text_of_any_float32(value: float) -> None:
    shorter = float32_text(value)
    assert shorter == float32_text_by_formatting(value)
    assert math.copysign(1, shorter) == math.copysign(1, value)
