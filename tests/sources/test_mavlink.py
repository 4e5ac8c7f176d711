"""The MAVLink adapter on frames built by pymavlink's encoder (no real capture is shared)."""

import importlib.util
import math
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pymavlink.dialects.v20 import common as mavlink2

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.mavlink import MavlinkAdapter, MavlinkOptions

FIXTURES = Path(__file__).parent / "fixtures" / "mavlink"
RECEIVED = datetime(2026, 3, 14, 21, 30, 0, tzinfo=UTC)


def _load_helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_frames", FIXTURES / "make_frames.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


frames = _load_helper()


def adapter(**options: Any) -> MavlinkAdapter:
    instance = MavlinkAdapter(MavlinkOptions.model_validate(options))
    instance.clock = lambda: RECEIVED
    return instance


def translate(instance: MavlinkAdapter, data: bytes) -> list[dict[str, Any]]:
    events = instance.translate(data)
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    return events


def link(sysid: int = 1) -> mavlink2.MAVLink:
    return mavlink2.MAVLink(None, srcSystem=sysid, srcComponent=1)


def fix(mav: mavlink2.MAVLink, boot_ms: int = 1000, lat: float = 39.96, hdg: int = 9000) -> bytes:
    return bytes(frames.position(mav, boot_ms, lat, -83.0, 250.0, 30.0, 300, 400, hdg))


def test_committed_fixtures_are_what_the_helper_builds() -> None:
    for name, data in frames.fixtures().items():
        assert (FIXTURES / name).read_bytes() == data, name


def test_heartbeat_only_yields_nothing_but_is_remembered() -> None:
    uav = adapter()
    assert translate(uav, (FIXTURES / "heartbeat_only.bin").read_bytes()) == []
    state = uav.systems[1]
    assert state.armed is False
    assert state.vehicle_type == mavlink2.MAV_TYPE_QUADROTOR


def test_position_and_battery_datagram() -> None:
    events = translate(adapter(), (FIXTURES / "good" / "position_battery.bin").read_bytes())
    assert events == [
        {
            "kind": "unit_position",
            "id": "UAV-1-b812345-b70a",
            "occurred_at": "2026-03-14T21:30:00.000000+00:00",  # no SYSTEM_TIME: receive time
            "location": {"lat": 39.9612, "lon": -82.9988},
            "payload": {
                "unit_id": "UAV-1",
                "unit_type": "drone",
                "status": "busy",  # armed
                "altitude_m": 285.5,  # MSL (alt), not relative_alt
                "speed_mps": round(math.hypot(5.20, 3.10), 2),
                "heading_deg": 149.5,
                "battery_pct": 76.0,
            },
        }
    ]


def test_mixed_stream_uses_system_time_attitude_and_v1_frames() -> None:
    uav = adapter(unit_id_prefix="CPD-DFR")
    first, second = translate(uav, (FIXTURES / "good" / "mixed_stream.bin").read_bytes())
    assert first["payload"] == {
        "unit_id": "CPD-DFR-1",
        "unit_type": "drone",
        "status": "busy",
        "altitude_m": 301.2,
        "speed_mps": 0.0,
        "heading_deg": 270.0,  # hdg = UINT16_MAX, so ATTITUDE yaw -pi/2
        "battery_pct": 58.0,  # SYS_STATUS
    }
    # SYSTEM_TIME said unix 21:00:00.000 at boot 754000 ms; the fix is at boot 754250 ms
    assert first["occurred_at"] == "2026-03-14T21:00:00.250000+00:00"
    assert second["payload"]["unit_id"] == "CPD-DFR-2"  # the MAVLink v1 frame, system 2
    assert second["payload"]["heading_deg"] == 270.0
    assert second["payload"]["speed_mps"] == 1.5
    assert "battery_pct" not in second["payload"]
    assert second["occurred_at"] == "2026-03-14T21:30:00.000000+00:00"
    assert set(uav.systems) == {1, 2, 255}  # the ground station's heartbeat is kept apart


def test_state_carries_across_datagrams_per_system() -> None:
    uav, one, two = adapter(), link(1), link(2)
    translate(uav, frames.battery_status(one, 40) + frames.heartbeat(one, armed=False))
    translate(uav, frames.sys_status(two, -1))  # -1: the autopilot does not know
    (a,) = translate(uav, fix(one))
    (b,) = translate(uav, fix(two))
    assert a["payload"]["battery_pct"] == 40.0
    assert a["payload"]["status"] == "available"
    assert "battery_pct" not in b["payload"] and "status" not in b["payload"]


def test_reboot_drops_the_clock_offset() -> None:
    uav, mav = adapter(), link()
    translate(uav, frames.system_time(mav, frames.UNIX_USEC, 600_000))
    (flying,) = translate(uav, fix(mav, boot_ms=601_000))
    assert flying["occurred_at"] == "2026-03-14T21:00:01.000000+00:00"
    (rebooted,) = translate(uav, fix(mav, boot_ms=5_000))
    assert rebooted["occurred_at"] == "2026-03-14T21:30:00.000000+00:00"
    translate(uav, frames.system_time(mav, 0, 6_000))  # no GPS time yet: ignored
    assert uav.systems[1].boot_epoch_s is None


def test_no_fix_unknown_heading_and_out_of_range() -> None:
    uav, mav = adapter(), link()
    assert translate(uav, fix(mav, lat=0.0)) != []  # lat 0 with lon -83 is still a fix
    zero = bytes(mav.global_position_int_encode(1, 0, 0, 0, 0, 0, 0, 0, 65535).pack(mav))
    assert translate(uav, zero) == []
    (event,) = translate(uav, fix(mav, hdg=65535))
    assert "heading_deg" not in event["payload"]
    bad_lat = bytes(mav.global_position_int_encode(1, 950_000_000, 0, 0, 0, 0, 0, 0, 0).pack(mav))
    with pytest.raises(AdapterError) as error:
        uav.translate(bad_lat)
    assert (error.value.field, error.value.reason) == ("GLOBAL_POSITION_INT.lat", "out_of_range")


def test_a_bad_frame_refuses_the_whole_datagram_and_changes_no_state() -> None:
    uav, mav = adapter(), link()
    good = frames.battery_status(mav, 90)
    broken = bytearray(fix(mav))
    broken[12] ^= 0x01  # a payload bit: the CRC no longer matches
    with pytest.raises(AdapterError) as error:
        uav.translate(good + bytes(broken))
    assert (error.value.field, error.value.reason) == ("frame", "crc_mismatch")
    assert uav.systems == {}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad_crc.bin", "crc_mismatch"),
        ("truncated.bin", "truncated"),
        ("random_bytes.bin", "not_mavlink"),
    ],
)
def test_bad_fixtures(name: str, reason: str) -> None:
    with pytest.raises(AdapterError) as error:
        adapter().translate((FIXTURES / "bad" / name).read_bytes())
    assert (error.value.field, error.value.reason) == ("frame", reason)


def test_options_are_strict() -> None:
    assert MavlinkOptions().unit_id_prefix == "UAV"
    for bad in ({"unit_id_prefix": "UAV 1"}, {"unit_id_prefix": ""}, {"boot_time_utc": "x"}):
        with pytest.raises(ValidationError):
            MavlinkOptions.model_validate(bad)


def test_empty_and_oversized() -> None:
    for data, reason in ((b"", "not_mavlink"), (b"\xfd" * (1024 * 1024 + 1), "too_large")):
        with pytest.raises(AdapterError) as error:
            adapter().translate(data)
        assert error.value.reason == reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(data: bytes) -> None:
    try:
        translate(adapter(), data)
    except AdapterError as error:
        assert error.field and error.reason


@settings(max_examples=150, deadline=None)
@given(
    lat=st.integers(-(2**31), 2**31 - 1),
    lon=st.integers(-(2**31), 2**31 - 1),
    alt=st.integers(-(2**31), 2**31 - 1),
    vx=st.integers(-(2**15), 2**15 - 1),
    hdg=st.integers(0, 2**16 - 1),
    battery=st.integers(-128, 127),
    yaw=st.floats(width=32),
)
def test_fuzz_any_field_values(
    lat: int, lon: int, alt: int, vx: int, hdg: int, battery: int, yaw: float
) -> None:
    mav = link(7)
    data = (
        bytes(mav.attitude_encode(1, 0.0, 0.0, yaw, 0.0, 0.0, 0.0).pack(mav))
        + frames.sys_status(mav, battery)
        + bytes(mav.global_position_int_encode(2, lat, lon, alt, 0, vx, vx, 0, hdg).pack(mav))
    )
    try:
        events = translate(adapter(), data)
    except AdapterError as error:
        assert error.field == "GLOBAL_POSITION_INT.lat" or error.field == "GLOBAL_POSITION_INT.lon"
        return
    assert len(events) == (0 if lat == 0 and lon == 0 else 1)
