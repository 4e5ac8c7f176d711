"""eido: the official NENA sample, a full incident lifecycle, embedded PIDF-LO repairs."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.eido import EidoAdapter, EidoOptions

GOOD = Path(__file__).parent / "fixtures" / "eido" / "good"
INCIDENT = "urn:emergency:uid:incidentid:7f3a9c21:psap.columbus.example.org"


def incidents(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    return [e for e in events if e["kind"] == "cad_incident"]


def test_official_sample_call_transfer(shared_data: Path) -> None:
    raw = shared_data / "schemas" / "nena_eido" / "Samples" / "Sample call transfer EIDO.json"
    adapter = EidoAdapter(EidoOptions())
    events = adapter.translate(raw.read_bytes())
    assert len(events) == 1  # the caller location is by reference only: nothing to place
    event = incidents(events)[0]
    assert event["id"] == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us:1619808229439"
    assert event["occurred_at"] == "2021-04-30T18:43:49.439000+00:00"  # -04:00 in the sample
    assert "location" not in event  # its only by-value PIDF-LO is a civic address
    assert event["payload"] == {
        "incident_id": "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us",
        "status": "created",  # no incident component, no dispatch
        "call_type": "emergency",  # callComponent.standardPrimaryCallType
        "priority": 3,
        "units": [],
        "address": "42 W Cellular Street, Wilmington, DE, US",
    }
    # Its embedded PIDF-LO is well-formed XML (given as a string with an encoding
    # declaration, which lxml only accepts as bytes): nothing had to be repaired.
    assert adapter.repairs == []


def test_lifecycle_created_dispatched_type_change_on_scene_closed() -> None:
    adapter = EidoAdapter(EidoOptions())
    names = ["01_created", "02_dispatched", "03_type_change", "04_on_scene", "05_closed"]
    steps = [incidents(adapter.translate((GOOD / f"{n}.json").read_bytes()))[0] for n in names]
    assert [s["payload"]["status"] for s in steps] == [
        "created",
        "dispatched",
        "updated",
        "on_scene",
        "closed",
    ]
    assert [s["payload"]["call_type"] for s in steps] == ["ROBBERY", "ROBBERY"] + ["SHOOTING"] * 3
    assert steps[0]["occurred_at"] == "2026-03-15T01:02:30+00:00"
    assert steps[0]["location"] == {"lat": 39.9612, "lon": -82.9988}
    assert steps[0]["payload"]["address"] == "90 W Broad St, Columbus, OH 43215, US"
    assert steps[0]["payload"]["priority"] == 2  # common priority 9 of 0..10
    assert steps[0]["payload"]["district"] == "Z4-B12"
    assert steps[1]["payload"]["units"] == [
        "1A12_cpd.columbus.example.org",
        "1A14_cpd.columbus.example.org",
    ]
    assert len({s["id"] for s in steps}) == 5


def test_caller_location_from_the_caller_component() -> None:
    events = EidoAdapter(EidoOptions()).translate((GOOD / "01_created.json").read_bytes())
    caller = [e for e in events if e["kind"] == "caller_location"]
    assert len(caller) == 1
    assert caller[0]["location"] == {"lat": 39.96135, "lon": -82.99861, "accuracy_m": 18.0}
    assert caller[0]["payload"] == {
        "call_id": "urn:emergency:uid:callid:5b1e77d0:psap.columbus.example.org",
        "method": "hybrid",
        "shape": "circle",
        "confidence_pct": 90,
    }
    assert caller[0]["occurred_at"] == "2026-03-15T01:01:58+00:00"
    off = EidoAdapter(EidoOptions(emit_caller_location=False))
    assert [e["kind"] for e in off.translate((GOOD / "01_created.json").read_bytes())] == [
        "cad_incident"
    ]


def test_malformed_embedded_pidf_is_recovered_and_the_repair_recorded() -> None:
    adapter = EidoAdapter(EidoOptions())
    event = incidents(adapter.translate((GOOD / "06_malformed_pidf.json").read_bytes()))[0]
    assert event["location"] == {"lat": 39.9612, "lon": -82.9988}
    assert any("xmlParseEntityRef" in r for r in adapter.repairs)
    assert any("tag mismatch" in r for r in adapter.repairs)
    strict = EidoAdapter(EidoOptions(lenient_xml=False))
    event = incidents(strict.translate((GOOD / "06_malformed_pidf.json").read_bytes()))[0]
    assert "location" not in event  # the location is dropped, the incident is kept
    assert strict.repairs and "dropped" in strict.repairs[0]


def test_replayed_document_keeps_its_id() -> None:
    adapter = EidoAdapter(EidoOptions())
    raw = (GOOD / "02_dispatched.json").read_bytes()
    first, again = adapter.translate(raw)[0], adapter.translate(raw)[0]
    assert first["id"] == again["id"]  # the ingest dedup drops the replay
    assert again["payload"]["status"] == "updated"


def doc(**incident: Any) -> bytes:
    base: dict[str, Any] = {
        "$id": "urn:emergency:uid:incidentid:1:test.example",
        "lastUpdateTimeStamp": "2026-01-01T12:00:00Z",
        "incidentComponent": {"incidentTypeCommonRegistryText": "Fire", **incident},
    }
    return json.dumps(base).encode()


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["Active"], "created"),
        (["Active", "ResourcesEnroute"], "enroute"),
        (["Cancelled"], "closed"),
        (["NewLocation"], "updated"),
        (["SomethingLocal"], "created"),
    ],
)
def test_status_registry_mapping(statuses: list[str], expected: str) -> None:
    event = EidoAdapter(EidoOptions()).translate(doc(incidentStatusCommonRegistryText=statuses))[0]
    assert event["payload"]["status"] == expected


def test_internal_status_map_priority_and_long_type() -> None:
    options = EidoOptions(status_map={"ENR": "enroute"})
    event = EidoAdapter(options).translate(
        doc(
            incidentStatusInternalText=["ENR"],
            incidentPriorityInternalText="1",
            incidentTypeInternalCode="X" * 40,
        )
    )[0]
    assert event["payload"]["status"] == "enroute" and event["payload"]["priority"] == 1
    assert event["payload"]["call_type"] == "X" * 32


def test_refusals() -> None:
    adapter = EidoAdapter(EidoOptions())
    for raw, field, reason in [
        (b"\xff\xfe", "eido", "not_json"),
        (b"[]", "eido", "not_object"),
        (b'{"lastUpdateTimeStamp": "2026-01-01T12:00:00Z"}', "$id", "missing"),
        (b'{"$id": "x"}', "lastUpdateTimeStamp", "missing"),
        (
            b'{"$id": "x", "lastUpdateTimeStamp": "yesterday"}',
            "lastUpdateTimeStamp",
            "bad_timestamp",
        ),
    ]:
        with pytest.raises(AdapterError) as refused:
            adapter.translate(raw)
        assert (refused.value.field, refused.value.reason) == (field, reason)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "$id",
                "lastUpdateTimeStamp",
                "incidentComponent",
                "callComponent",
                "locationComponent",
                "dispatchComponent",
                "emergencyResourceComponent",
            ]
        ),
        json_values,
    )
)
def test_fuzzed_documents_never_raise_anything_else(document: dict[str, Any]) -> None:
    document.setdefault("$id", "urn:emergency:uid:incidentid:1:x")
    document.setdefault("lastUpdateTimeStamp", "2026-01-01T12:00:00Z")
    try:
        events = EidoAdapter(EidoOptions()).translate(json.dumps(document).encode())
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
