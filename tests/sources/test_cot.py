"""The CoT adapter on the real ATAK examples, our position reports and the MITRE XSD."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources import safe_xml
from rtcc.sources.base import AdapterError, split_messages
from rtcc.sources.cot import CotAdapter, CotOptions

FIXTURES = Path(__file__).parent / "fixtures" / "cot"
COT = "schemas/cot_tak/takcot"
BASE_XSD = "mitre/CoT Base-Event Schema  (PUBLIC RELEASE).xsd"
PLI = (FIXTURES / "good" / "patrol_pli.cot").read_bytes()

# What each real ATAK example (shared/data, takcot/examples) is, and why it is no unit.
REAL_EXAMPLES = {
    "Drawing Shapes - Circle.cot": "u-d-c-c",
    "Drawing Shapes - Free Form.cot": "u-d-f",
    "Drawing Shapes - Rectangle.cot": "u-d-r",
    "Drawing Shapes - Telestration.cot": "u-d-f-m",
    "Geo Fence.cot": "u-d-c-c",
    "Marker - 2525.cot": "a-u-G",  # an atom, but of unknown affiliation: a marker
    "Marker - Icon Set.cot": "a-u-G",
    "Marker - Spot.cot": "b-m-p-s-m",
    "Range & Bearing - Bullseye.cot": "u-r-b-bullseye",
    "Range & Bearing - Circle.cot": "u-r-b-c-c",
    "Range & Bearing - Line.cot": "u-rb-a",
    "Route.cot": "b-m-r",
}


def adapter(**options: Any) -> CotAdapter:
    return CotAdapter(CotOptions.model_validate(options))


def one(message: bytes, **options: Any) -> dict[str, Any]:
    events = adapter(**options).translate(message)
    assert len(events) == 1
    EVENT_IN_ADAPTER.validate_python(events[0])
    return events[0]


def refused(message: bytes) -> tuple[str, str]:
    with pytest.raises(AdapterError) as error:
        adapter().translate(message)
    return error.value.field, error.value.reason


@pytest.fixture(scope="module")
def base_schema(shared_data: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(shared_data / COT / BASE_XSD))


def xsd_valid(schema: xmlschema.XMLSchema, message: bytes) -> bool:
    return bool(schema.is_valid(fromstring(message, forbid_dtd=True)))


def code_valid(message: bytes) -> bool:
    try:
        adapter().translate(message)
    except AdapterError:
        return False
    return True


# --- real data ---------------------------------------------------------------------------


def test_every_real_atak_example_is_valid_cot_and_yields_no_unit(
    shared_data: Path, base_schema: xmlschema.XMLSchema
) -> None:
    files = sorted((shared_data / COT / "examples").glob("*.cot"))
    assert [f.name for f in files] == sorted(REAL_EXAMPLES)
    for path in files:
        messages = list(split_messages("cot", path.read_bytes()))
        assert len(messages) == 1, path.name  # the telestration's inner event is escaped
        assert xsd_valid(base_schema, messages[0]), path.name
        assert fromstring(messages[0]).get("type") == REAL_EXAMPLES[path.name]
        assert adapter().translate(messages[0]) == [], path.name


def test_real_example_concatenated_as_a_stream_with_a_position(shared_data: Path) -> None:
    route = (shared_data / COT / "examples" / "Route.cot").read_bytes()
    stream = route + b"\n" + PLI + b"\n" + route
    cot = adapter()
    events = [e for m in split_messages("cot", stream) for e in cot.translate(m)]
    assert [e["payload"]["unit_id"] for e in events] == ["ADAM_12"]


def test_code_checks_agree_with_the_mitre_xsd(
    shared_data: Path, base_schema: xmlschema.XMLSchema
) -> None:
    """Every document both judge: accepted by the code ⇔ valid against the real XSD."""
    ours = [
        m
        for f in sorted((FIXTURES / "good").glob("*.cot"))
        for m in split_messages("cot", f.read_bytes())
    ]
    real = [f.read_bytes() for f in sorted((shared_data / COT / "examples").glob("*.cot"))]
    mutants = [
        PLI.replace(b"lat='39.961176'", b"lat='91.0'"),
        PLI.replace(b"lon='-82.998794'", b"lon='-180.5'"),
        PLI.replace(b"hae='221.4'", b"hae='1e3'"),
        PLI.replace(b"ce='4.9'", b"ce='NaN'"),
        PLI.replace(b" le='9999999.0'", b""),
        PLI.replace(b"version='2.0'", b"version='1.1'"),
        PLI.replace(b" how='m-g'", b""),
        PLI.replace(b"how='m-g'", b"how='m g'"),
        PLI.replace(b"type='a-f-G-U-C'", b"type='a f G'"),
        PLI.replace(b" uid='ANDROID-5f3a1c2b4d6e7a8b'", b""),
        PLI.replace(b"time='2026-03-14T21:05:12.345Z'", b"time='yesterday'"),
        PLI.replace(b"stale='2026-03-14T21:11:27.345Z'", b"stale='2026-02-30T21:11:27Z'"),
        PLI.replace(b"<detail>", b"<point lat='1' lon='1' hae='0' ce='0' le='0'/><detail>"),
        PLI.replace(b"<detail>", b"<remarks/><detail>"),
        (FIXTURES / "bad" / "missing_point.cot").read_bytes(),
        (FIXTURES / "bad" / "lat_91.cot").read_bytes(),
    ]
    for message in ours + real:
        assert code_valid(message) and xsd_valid(base_schema, message)
    for message in mutants:
        assert not code_valid(message) and not xsd_valid(base_schema, message), message[:200]


def test_known_divergence_zoneless_time_is_valid_xsd_but_refused(
    base_schema: xmlschema.XMLSchema,
) -> None:
    message = (FIXTURES / "bad" / "zoneless_time.cot").read_bytes()
    assert xsd_valid(base_schema, message)  # xs:dateTime allows no zone; CoT says "Z"
    assert refused(message) == ("event@time", "bad_timestamp")


# --- our position reports ----------------------------------------------------------------


def test_patrol_pli_maps_every_field() -> None:
    event = one(PLI)
    assert event == {
        "kind": "unit_position",
        "id": "ANDROID-5f3a1c2b4d6e7a8b-1773522312345",
        "occurred_at": "2026-03-14T21:05:12.345000+00:00",
        "location": {"lat": 39.961176, "lon": -82.998794, "accuracy_m": 4.9},
        "payload": {
            "unit_id": "ADAM_12",
            "unit_type": "patrol",
            "speed_mps": 13.4,
            "heading_deg": 271.3,
            "altitude_m": 221.4,
            "battery_pct": 87.0,
        },
    }


def test_drone_and_stream_fixtures() -> None:
    drone = one((FIXTURES / "good" / "drone_pli.cot").read_bytes())
    assert drone["payload"]["unit_type"] == "drone"
    assert drone["payload"]["unit_id"] == "DFR-1"
    assert drone["location"]["accuracy_m"] == 2.0
    cot = adapter()
    stream = (FIXTURES / "good" / "mixed_stream.cot").read_bytes()
    per_message = [cot.translate(m) for m in split_messages("cot", stream)]
    assert [len(e) for e in per_message] == [1, 1, 1, 0]  # the last is a drawn circle
    k9 = per_message[2][0]
    assert k9["payload"] == {
        "unit_id": "K9-4",
        "unit_type": "k9",
        "speed_mps": 0.0,
        "heading_deg": 0.0,
    }
    assert k9["location"] == {"lat": 39.958871, "lon": -83.001207}  # ce/hae 9999999 dropped


@pytest.mark.parametrize(
    ("cot_type", "unit_type"),
    [
        ("a-f-G", "patrol"),
        ("a-f-G-E-V-C", "patrol"),
        ("a-f-A", "drone"),
        ("a-f-A-M-F-Q", "drone"),
        ("a-f-A-M-H-Q;extra", "drone"),
        ("a-h-G", None),
        ("a-u-A-M-F-Q", None),
        ("a-n-G", None),
        ("a-f-S", None),
        ("b-m-p-s-p-loc", None),
        ("a-f", None),
    ],
)
def test_which_types_are_units(cot_type: str, unit_type: str | None) -> None:
    message = PLI.replace(b"a-f-G-U-C", cot_type.encode()).replace(b"'Team Member'", b"''")
    events = adapter().translate(message)
    assert [e["payload"]["unit_type"] for e in events] == ([unit_type] if unit_type else [])


def test_options_and_roles() -> None:
    no_role = PLI.replace(b"'Team Member'", b"''")
    assert one(no_role, ground_unit_type="ems")["payload"]["unit_type"] == "ems"
    for role, unit_type in [(b"Medic", "ems"), (b"Team Lead", "supervisor"), (b"HQ", "supervisor")]:
        message = PLI.replace(b"Team Member", role)
        assert one(message)["payload"]["unit_type"] == unit_type
    with pytest.raises(ValidationError):
        CotOptions.model_validate({"ground_unit_type": "tank"})
    with pytest.raises(ValidationError):
        CotOptions.model_validate({"unknown": 1})


def test_ids_and_callsigns() -> None:
    no_contact = PLI.replace(b"<contact endpoint='*:-1:stcp' callsign='ADAM 12'/>", b"")
    assert one(no_contact)["payload"]["unit_id"] == "ANDROID-5f3a1c2b4d6e7a8b"
    odd = PLI.replace(b"callsign='ADAM 12'", "callsign='Ünit #7 / Nord'".encode())
    assert one(odd)["payload"]["unit_id"] == "Unit_7_Nord"
    nameless = no_contact.replace(b"uid='ANDROID-5f3a1c2b4d6e7a8b'", b"uid='  '")
    assert refused(nameless) == ("event@uid", "missing")
    long_uid = PLI.replace(b"ANDROID-5f3a1c2b4d6e7a8b", b"X" * 300)
    assert len(one(long_uid)["id"]) <= 128


def test_times_in_any_zone_and_precision_become_utc() -> None:
    message = PLI.replace(
        b"time='2026-03-14T21:05:12.345Z'", b"time='2026-03-14T16:05:12.3456789-05:00'"
    )
    event = one(message)
    assert event["occurred_at"] == "2026-03-14T21:05:12.345678+00:00"
    assert one(PLI.replace(b".345Z' start", b"Z' start"))["occurred_at"].endswith("12.000000+00:00")


def test_detail_values_the_payload_cannot_hold_are_dropped() -> None:
    message = (
        PLI.replace(b"course='271.3'", b"course='NaN'")
        .replace(b"speed='13.4'", b"speed='-1'")
        .replace(b"battery='87'", b"battery='250'")
        .replace(b"hae='221.4'", b"hae='25000'")
        .replace(b"ce='4.9'", b"ce='-3'")
    )
    event = one(message)
    assert event["payload"] == {"unit_id": "ADAM_12", "unit_type": "patrol"}
    assert event["location"] == {"lat": 39.961176, "lon": -82.998794}
    assert one(PLI.replace(b"course='271.3'", b"course='360'"))["payload"]["heading_deg"] == 0.0


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (b"", ("event", "not_xml")),
        (b"\xff\xfe<event/>", ("event", "not_xml")),
        (b"<alert/>", ("event", "not_cot")),
        (PLI.replace(b"<detail>", b"<remarks/><detail>"), ("event", "unexpected_element")),
        (PLI.replace(b"version='2.0'", b"version='1.0'"), ("event@version", "unsupported")),
        (PLI.replace(b" stale='2026-03-14T21:11:27.345Z'", b""), ("event@stale", "missing")),
        (PLI.replace(b"ce='4.9'", b"ce='4,9'"), ("event.point@ce", "not_a_number")),
        (PLI.replace(b"lon='-82.998794'", b"lon='182'"), ("event.point@lon", "out_of_range")),
        (
            PLI.replace(b"lat='39.961176'", b"lat='1" + b"0" * 400 + b"'"),
            ("event.point@lat", "out_of_range"),
        ),
        (b"<event " + b"a" * 200, ("event", "not_xml")),
    ],
)
def test_refusals(message: bytes, expected: tuple[str, str]) -> None:
    assert refused(message) == expected


def test_xml_bombs_and_external_entities_are_refused() -> None:
    for name in ("billion_laughs.cot", "external_entity.cot"):
        assert refused((FIXTURES / "bad" / name).read_bytes()) == ("event", "unsafe_xml")
    # CoT never carries a DTD, so any DOCTYPE at all is refused, even an external one
    assert refused(b'<!DOCTYPE event SYSTEM "http://example.invalid/cot.dtd">' + PLI[56:]) == (
        "event",
        "unsafe_xml",
    )


def test_a_doctype_in_another_encoding_is_refused() -> None:
    event = PLI[PLI.index(b"<event") :].decode()
    doctype = '<!DOCTYPE event [<!ENTITY x "y">]>'
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"):
        declaration = f"<?xml version='1.0' encoding='{encoding}'?>"
        assert one((declaration + event).encode(encoding)) == one(PLI), encoding
        message = (declaration + doctype + event).encode(encoding)
        assert refused(message) == ("event", "unsafe_xml"), encoding
    # UTF-7 spells `<` as `+ADw-`: no `<!` in the bytes, so the parsed document is asked
    hidden = (
        b"<?xml version='1.0' encoding='UTF-7'?>"
        b'+ADw-!DOCTYPE event SYSTEM "http://example.invalid/cot.dtd"+AD4-'
        + PLI[PLI.index(b"<event") :]
    )
    assert b"<!" not in hidden
    assert refused(hidden) == ("event", "unsafe_xml")


def test_the_parsed_document_is_checked_for_a_doctype_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the check of the bytes, libxml2 itself stops the bombs (entity amplification
    limit, no external entity in an attribute) and a DOCTYPE that parses is refused after."""
    monkeypatch.setattr(safe_xml, "declares_dtd", lambda message: False)
    for name in ("billion_laughs.cot", "external_entity.cot"):
        message = (FIXTURES / "bad" / name).read_bytes()
        assert refused(message) in {("event", "unsafe_xml"), ("event", "not_xml")}, name
    internal = b'<!DOCTYPE event [<!ENTITY x "y">]>' + PLI[56:]
    external = b'<!DOCTYPE event SYSTEM "http://example.invalid/cot.dtd">' + PLI[56:]
    for message in (internal, external):
        assert refused(message) == ("event", "unsafe_xml")


def test_comments_processing_instructions_and_namespaced_details_are_ignored() -> None:
    noted = PLI.replace(b"<detail>", b"<!-- a note --><?atak x?><detail><!-- in detail -->")
    assert one(noted) == one(PLI)
    foreign = one(PLI.replace(b"<track ", b"<x:track xmlns:x='urn:x' "))
    assert "speed_mps" not in foreign["payload"] and "heading_deg" not in foreign["payload"]
    assert refused(PLI.replace(b"<detail>", b"<x:remarks xmlns:x='urn:x'/><detail>")) == (
        "event",
        "unexpected_element",
    )


def test_the_shared_parser_is_safe_across_threads() -> None:
    messages = [
        m
        for f in sorted((FIXTURES / "good").glob("*.cot"))
        for m in split_messages("cot", f.read_bytes())
    ] * 40
    cot = adapter()
    expected = [cot.translate(m) for m in messages]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [cot.translate(m) for m in messages], range(8)))
    assert all(result == expected for result in results)


# --- fuzz -------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=len(PLI)))
def test_fuzz_only_adapter_errors(noise: bytes, cut: int) -> None:
    for message in (noise, PLI[:cut] + noise, PLI[:cut] + noise + PLI[cut:]):
        try:
            events = adapter().translate(message)
        except AdapterError as error:
            assert error.field and error.reason
            continue
        for event in events:
            EVENT_IN_ADAPTER.validate_python(event)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)
def test_fuzz_coordinates_are_checked_like_the_schema(lat: float, lon: float) -> None:
    message = PLI.replace(b"39.961176", repr(lat).encode()).replace(
        b"-82.998794", repr(lon).encode()
    )
    plain = "e" not in repr(lat) + repr(lon) and "n" not in repr(lat) + repr(lon)
    should_pass = plain and -90 <= lat <= 90 and -180 <= lon <= 180
    assert code_valid(message) == should_pass
