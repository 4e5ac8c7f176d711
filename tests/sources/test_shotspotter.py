"""The ShotSpotter-style alert push: XML and JSON alerts, heartbeats, unsafe XML."""

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError, AdapterOptions
from rtcc.sources.shotspotter import ShotSpotterAdapter

FIXTURES = Path(__file__).parent / "fixtures" / "shotspotter"


@pytest.fixture
def adapter() -> ShotSpotterAdapter:
    return ShotSpotterAdapter(AdapterOptions())


def refused(adapter: ShotSpotterAdapter, body: bytes) -> tuple[str, str]:
    with pytest.raises(AdapterError) as exc:
        adapter.translate(body)
    return exc.value.field, exc.value.reason


def test_xml_alert_becomes_a_gunshot_in_utc(adapter: ShotSpotterAdapter) -> None:
    [event] = adapter.translate((FIXTURES / "good" / "alert_multiple_sf.xml").read_bytes())
    assert event == {
        "kind": "gunshot",
        "id": "26868",
        "occurred_at": "2013-01-01T08:01:47+00:00",
        "location": {"lat": 37.73668188, "lon": -122.3908474},
        "payload": {"detection_id": "26868", "rounds": 6, "classification": "multiple_gunshots"},
    }
    EVENT_IN_ADAPTER.validate_python(event)


def test_json_alert_keeps_confidence(adapter: ShotSpotterAdapter) -> None:
    body = (FIXTURES / "good" / "alert_single_wilmington.json").read_bytes()
    [event] = adapter.translate(body)
    assert event["occurred_at"] == "2013-01-01T05:04:16+00:00"
    assert event["payload"] == {
        "detection_id": "7269",
        "rounds": 1,
        "classification": "single_gunshot",
        "confidence": 0.87,
    }


def test_wrapped_json_with_epoch_and_percent_confidence(adapter: ShotSpotterAdapter) -> None:
    [event] = adapter.translate((FIXTURES / "good" / "alert_probable_epoch.json").read_bytes())
    assert event["occurred_at"] == "2025-06-15T05:41:07+00:00"
    assert event["payload"]["classification"] == "possible_gunshot"
    assert event["payload"]["confidence"] == pytest.approx(0.62)


@pytest.mark.parametrize("name", ["heartbeat.xml", "heartbeat.json"])
def test_heartbeats_carry_no_event(adapter: ShotSpotterAdapter, name: str) -> None:
    assert adapter.translate((FIXTURES / "heartbeat" / name).read_bytes()) == []


@pytest.mark.parametrize(
    "body",
    [
        b"<KeepAlive/>",
        b'<Heartbeat xmlns="urn:example:ss"><DateTime>2025-01-01T00:00:00Z</DateTime></Heartbeat>',
        b'{"messageType": "keep-alive"}',
    ],
)
def test_other_keep_alive_spellings(adapter: ShotSpotterAdapter, body: bytes) -> None:
    assert adapter.translate(body) == []


def test_namespaced_bare_alert_with_attribute_id_and_epoch_ms(adapter: ShotSpotterAdapter) -> None:
    body = (
        b'<Alert xmlns="urn:example:shotspotter" ID="F-1"><Type>single_gunshot</Type>'
        b"<DateTime>1357027307000</DateTime><Latitude>37.7</Latitude>"
        b"<Longitude>-122.4</Longitude></Alert>"
    )
    [event] = adapter.translate(body)
    assert event["id"] == "F-1"
    assert event["occurred_at"] == "2013-01-01T08:01:47+00:00"
    assert event["payload"]["rounds"] == 1


def test_missing_type_is_inferred_from_rounds(adapter: ShotSpotterAdapter) -> None:
    alert = {"id": "9", "datetime": "2025-01-01T00:00:00Z", "latitude": 1, "longitude": 2}
    [one] = adapter.translate(json.dumps(alert).encode())
    [many] = adapter.translate(json.dumps({**alert, "rounds": 5}).encode())
    assert one["payload"]["classification"] == "single_gunshot"
    assert many["payload"]["classification"] == "multiple_gunshots"


def test_several_alerts_in_one_notification(adapter: ShotSpotterAdapter) -> None:
    alert = (
        "<Alert><ID>{}</ID><DateTime>2025-01-01T00:00:00Z</DateTime>"
        "<Latitude>1</Latitude><Longitude>2</Longitude></Alert>"
    )
    body = f"<ShotSpotterNotification>{alert.format(1)}{alert.format(2)}</ShotSpotterNotification>"
    assert [e["id"] for e in adapter.translate(body.encode())] == ["1", "2"]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (b"<ShotSpotterNotification><Status/></ShotSpotterNotification>", "Alert", "missing"),
        (b"<Alert><ID>1</ID>", "message", "not_xml"),
        (b'{"messageType": "sensorStatus"}', "messageType", "unknown_type"),
        (b"[1, 2]", "message", "not_an_object"),
        (b'{"id": "a b", "datetime": "2025-01-01T00:00:00Z"}', "id", "bad_id"),
        (
            b'{"id": "1", "datetime": "2025-01-01T00:00:00Z", "latitude": "NaN", "longitude": 0}',
            "latitude",
            "out_of_range",
        ),
        (
            b'{"id": "1", "datetime": "yesterday", "latitude": 1, "longitude": 0}',
            "datetime",
            "bad_timestamp",
        ),
        (
            b'{"id": "1", "datetime": 1e300, "latitude": 1, "longitude": 0}',
            "datetime",
            "bad_timestamp",
        ),
        (
            b'{"id": "1", "datetime": "2025-01-01T00:00:00Z", "latitude": 1, "longitude": 0,'
            b' "rounds": 2.5}',
            "rounds",
            "out_of_range",
        ),
        (
            b'{"id": "1", "datetime": "2025-01-01T00:00:00Z", "latitude": true, "longitude": 0}',
            "latitude",
            "not_a_number",
        ),
        (b"[" * 100_000, "message", "not_json"),
    ],
)
def test_refusals_name_field_and_reason(
    adapter: ShotSpotterAdapter, body: bytes, field: str, reason: str
) -> None:
    assert refused(adapter, body) == (field, reason)


def test_entity_expansion_and_external_entities_are_refused(adapter: ShotSpotterAdapter) -> None:
    for name in ("billion_laughs.xml", "external_entity.xml"):
        assert refused(adapter, (FIXTURES / "bad" / name).read_bytes()) == (
            "message",
            "unsafe_xml",
        )
    internal = b'<!DOCTYPE a [<!ENTITY e "x">]><Alert><ID>&e;</ID></Alert>'
    assert refused(adapter, internal) == ("message", "unsafe_xml")


_alert = st.fixed_dictionaries(
    {
        "id": st.text(min_size=0, max_size=70),
        "type": st.sampled_from(["Single Gunshot", "Multiple Gunshots", "Probable Gunfire", "x"]),
        "datetime": st.one_of(
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
            st.integers(min_value=-(10**14), max_value=10**14),
            st.text(max_size=30),
        ),
        "latitude": st.one_of(st.floats(allow_nan=True), st.text(max_size=10), st.none()),
        "longitude": st.floats(min_value=-200, max_value=200),
        "rounds": st.one_of(st.integers(min_value=-5, max_value=600), st.none()),
        "confidence": st.one_of(st.floats(min_value=-1, max_value=200), st.none()),
    }
)


@settings(max_examples=200, deadline=None)
@given(alert=_alert)
def test_fuzzed_json_alerts_are_valid_or_refused(alert: dict[str, Any]) -> None:
    adapter = ShotSpotterAdapter(AdapterOptions())
    try:
        events = adapter.translate(json.dumps(alert).encode())
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("<" + t).encode()))
def test_fuzzed_bytes_only_raise_adapter_error(body: bytes) -> None:
    try:
        events = ShotSpotterAdapter(AdapterOptions()).translate(body)
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
