"""The body-worn camera status webhook: our documented shape, batches, and its edge cases.

No vendor specification or recorded body-camera traffic is in ../shared/data, so the
fixtures follow docs/sources/bodycam.md (modelled on evidence-management device-status APIs).
"""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.bodycam import BodycamAdapter, BodycamOptions, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "bodycam"
GOOD = {p.name: p.read_bytes() for p in sorted((FIXTURES / "good").glob("*.json"))}
SINGLE = json.loads(GOOD["single_recording.json"])


def adapter(**options: Any) -> BodycamAdapter:
    return BodycamAdapter(BodycamOptions.model_validate({"id_prefix": "bwc:", **options}))


def events(body: Any, **options: Any) -> list[dict[str, Any]]:
    message = body if isinstance(body, bytes) else json.dumps(body).encode()
    out = adapter(**options).translate(message)
    for event in out:
        EVENT_IN_ADAPTER.validate_python(event)
    return out


def status(**changes: Any) -> dict[str, Any]:
    return {**SINGLE, **changes}


def refused(body: Any) -> tuple[str, str]:
    with pytest.raises(AdapterError) as error:
        adapter().translate(json.dumps(body).encode())
    return error.value.field, error.value.reason


def test_single_status_maps_every_field() -> None:
    assert events(GOOD["single_recording.json"]) == [
        {
            "kind": "camera_status",
            "id": "bwc:X6031234A-1773522312345",
            "occurred_at": "2026-03-14T21:05:12.345000+00:00",
            "location": {"lat": 39.962871, "lon": -83.000214, "accuracy_m": 4.8},
            "payload": {
                "camera_id": "bwc:X6031234A",
                "camera_type": "body_worn",
                "status": "online",
                "recording": True,
                "name": "BWC-0412",
                "owner": "4127",
            },
        }
    ]


def test_batch_keeps_the_good_and_lists_the_status_without_fix() -> None:
    cam = adapter()
    out = cam.translate(GOOD["batch_shift_change.json"])
    assert [
        (
            e["payload"]["camera_id"],
            e["occurred_at"],
            e["payload"]["status"],
            e["payload"]["recording"],
        )
        for e in out
    ] == [
        ("bwc:X6031234A", "2026-03-15T05:59:40.000000+00:00", "online", False),  # buffering
        ("bwc:X6031288C", "2026-03-15T05:58:02.000000+00:00", "offline", False),  # docked, -05:00
        ("bwc:X6030990F", "2026-03-15T05:57:15.000000+00:00", "offline", False),  # powered off
    ]
    assert "owner" not in out[2]["payload"] and out[2]["payload"]["name"] == "Body 3"
    assert cam.problems == [
        Problem(3, "gps", "no_fix", "no GPS fix: a camera_status needs a location")
    ]


def test_array_with_flat_fields_and_aliases() -> None:
    first, second = events(GOOD["array_flat_fields.json"])
    assert first["payload"]["camera_id"] == "bwc:SI500-77812"
    assert first["payload"]["recording"] is True  # "RECORDING": case does not matter
    assert first["payload"]["owner"] == "E-6631"  # no badge: the officer id
    assert first["location"] == {"lat": 41.881832, "lon": -87.623177, "accuracy_m": 3.0}
    assert second["location"] == {"lat": 41.882012, "lon": -87.624311}  # 999999 m dropped
    assert second["payload"]["status"] == "offline"


@pytest.mark.parametrize(
    ("recording_state", "connection", "expected"),
    [
        ("recording", None, (True, "online")),
        ("buffering", "online", (False, "online")),
        ("idle", "docked", (False, "offline")),
        ("off", "online", (False, "offline")),  # off wins: a powered-off camera is not up
        ("recording", "offline", (True, "offline")),  # the last word before the link dropped
    ],
)
def test_recording_and_connection_states(
    recording_state: str, connection: str | None, expected: tuple[bool, str]
) -> None:
    (event,) = events(status(recordingState=recording_state, connection=connection))
    assert (event["payload"]["recording"], event["payload"]["status"]) == expected


@pytest.mark.parametrize(
    ("gps", "expected"),
    [
        (None, ("gps", "no_fix")),
        ({}, ("gps", "no_fix")),
        ({"lat": 39.9, "lon": -83.0, "fix": False}, ("gps", "no_fix")),
        ({"lat": 39.9}, ("gps", "no_fix")),
        ({"lat": 0, "lon": 0}, ("gps", "no_fix")),
        ({"lat": "39.9", "lon": -83.0}, ("gps.lat", "not_a_number")),
        ({"lat": True, "lon": -83.0}, ("gps.lat", "not_a_number")),
        ({"lat": 39.9, "lon": -183.0}, ("gps.lon", "out_of_range")),
        ({"lat": 39.9, "lon": -83.0, "time": "noon"}, ("gps.time", "bad_timestamp")),
        ([39.9, -83.0], ("gps", "bad_type")),
    ],
)
def test_gps_fix_is_required_and_checked(gps: Any, expected: tuple[str, str]) -> None:
    assert refused(status(gps=gps)) == expected


def test_other_refusals() -> None:
    assert refused(status(occurredAt=None)) == ("occurredAt", "missing")
    assert refused(status(occurredAt=1773522312)) == ("occurredAt", "bad_timestamp")
    assert refused(status(recordingState=None)) == ("recordingState", "missing")
    assert refused(status(connection="sleeping")) == ("connection", "unknown_value")
    assert refused(status(device={"serial": "  "})) == ("device.serial", "missing")
    assert refused(status(device={"serial": {"x": 1}})) == ("device.serial", "bad_type")
    assert refused("a string") == ("body", "not_an_object")
    assert refused(status(gps={"lat": 10**400, "lon": 1})) == ("gps.lat", "out_of_range")
    assert adapter().translate(b"[]") == []  # an empty batch: nothing to say
    assert refused([1, 2]) == ("status", "not_an_object")


def test_ids_prefix_and_time_aliases() -> None:
    odd = status(
        device={"serial": "AB 4/0412 #7"}, occurredAt=None, updatedAt="2026-03-14T21:05:12Z"
    )
    (event,) = events(odd, id_prefix="")
    assert event["payload"]["camera_id"] == "AB_4_0412_7"
    assert event["id"] == "AB_4_0412_7-1773522312000"
    (numeric,) = events(status(device=None, deviceId=6031234))
    assert numeric["payload"]["camera_id"] == "bwc:6031234"
    (fov,) = events(status(), fov_deg=120.0, range_m=40.0)
    assert (fov["payload"]["fov_deg"], fov["payload"]["range_m"]) == (120.0, 40.0)
    with pytest.raises(ValueError):
        BodycamOptions.model_validate({"id_prefix": "has space"})


def test_replays_give_the_same_ids() -> None:
    first = [e["id"] for m in GOOD.values() for e in adapter().translate(m)]
    again = [e["id"] for m in GOOD.values() for e in adapter().translate(m)]
    assert first == again and len(set(first)) == len(first) == 6


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    accuracy=st.one_of(st.none(), st.floats(allow_nan=False), st.integers()),
    state=st.sampled_from(["recording", "buffering", "idle", "off", "Idle"]),
    serial=st.text(min_size=1, max_size=80),
)
def test_fuzz_any_fix_gives_a_valid_event_or_a_clear_refusal(
    lat: float, lon: float, accuracy: float | None, state: str, serial: str
) -> None:
    body = status(
        device={"serial": serial},
        recordingState=state,
        gps={"lat": lat, "lon": lon, "accuracy": accuracy},
    )
    try:
        (event,) = events(body)
    except AdapterError as exc:
        assert (exc.field, exc.reason) in {("gps", "no_fix"), ("device.serial", "missing")}
        return
    assert event["location"]["lat"] == lat and event["payload"]["camera_id"].startswith("bwc:")


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "gps",
                        "lat",
                        "lon",
                        "device",
                        "serial",
                        "occurredAt",
                        "recordingState",
                        "connection",
                        "officer",
                        "badge",
                        "statuses",
                        "accuracy",
                        "time",
                    ]
                ),
                inner,
                max_size=6,
            )
        ),
        max_leaves=20,
    )
)
def test_fuzz_arbitrary_json_only_raises_adapter_error(body: Any) -> None:
    try:
        message = json.dumps(body).encode()
    except ValueError:
        return
    try:
        out = adapter().translate(message)
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in out:
        EVENT_IN_ADAPTER.validate_python(event)
