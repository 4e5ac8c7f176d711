"""pidf_lo: every RFC 5491 shape in the shared PIDF-LO examples, quirks and refusals."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.core.geo import haversine_m
from rtcc.sources.base import AdapterError
from rtcc.sources.pidf_lo import PidfLoAdapter, PidfLoOptions

FIXTURES = Path(__file__).parent / "fixtures" / "pidf_lo"


def pidf(shared_data: Path, name: str) -> bytes:
    return (shared_data / "schemas" / "pidf_lo" / "PidfFiles" / name).read_bytes()


def one(message: bytes, **options: object) -> dict[str, object]:
    events = PidfLoAdapter(PidfLoOptions.model_validate(options)).translate(message)
    assert len(events) == 1
    EVENT_IN_ADAPTER.validate_python(events[0])
    return events[0]


def test_ellipse_uses_semi_major_axis(shared_data: Path) -> None:
    event = one(pidf(shared_data, "RFC5491TupleEllipseLocation.xml"))
    assert event["occurred_at"] == "2007-06-22T20:57:29+00:00"
    assert event["location"] == {"lat": 42.5463, "lon": -73.2512, "accuracy_m": 1275.0}
    assert event["payload"] == {
        "call_id": "pres:Ellipse_somecell.example.com",
        "method": "gps",  # Device-Assisted_A-GPS
        "shape": "ellipse",
        "confidence_pct": 95,
    }
    assert event["id"] == "pres:Ellipse_somecell.example.com:1182545849000"


def test_polygon_centroid_and_farthest_vertex(shared_data: Path) -> None:
    poslist = one(pidf(shared_data, "RFC5491TuplePolygonCompactLocation.xml"))
    pos = one(pidf(shared_data, "RFC5491TuplePolygonLocation.xml"))
    assert poslist["location"] == pos["location"]  # posList and pos forms agree
    loc = pos["location"]
    assert isinstance(loc, dict)
    assert loc["lat"] == pytest.approx(43.2693, abs=1e-3)
    assert loc["lon"] == pytest.approx(-73.272, abs=1e-3)
    # the hexagon's farthest vertex (A/D at 43.311, -73.422/-73.122) is ~12.2 km away…
    expected = haversine_m(loc["lat"], loc["lon"], 43.311, -73.422)
    assert loc["accuracy_m"] == pytest.approx(max(expected, 18066.5), abs=1)
    assert pos["payload"]["shape"] == "polygon" and pos["payload"]["method"] == "manual"


def test_circle_sphere_prism_arcband_and_old_gml_point(shared_data: Path) -> None:
    receive = {"missing_timestamp": "receive_time"}
    circle = one(pidf(shared_data, "RFC5491TupleCircleLocation.xml"), **receive)
    assert circle["location"] == {"lat": 42.5463, "lon": -73.2512, "accuracy_m": 850.2}
    assert circle["payload"]["method"] == "cell"  # OTDOA
    sphere = one(pidf(shared_data, "RFC5491TupleSphereLocation.xml"), **receive)
    assert sphere["payload"]["shape"] == "circle"
    prism = one(pidf(shared_data, "RFC5491TuplePrismLocation.xml"))
    assert prism["location"]["lat"] == pytest.approx(42.606844, abs=1e-6)  # type: ignore[index]
    arc = one(pidf(shared_data, "RFC5491TupleArcBandLocation.xml"))
    loc = arc["location"]
    assert isinstance(loc, dict)
    distance = haversine_m(-43.5723, 153.2176, loc["lat"], loc["lon"])
    assert 3594 < distance < 4148 and loc["accuracy_m"] < 4148  # inside the band
    point = one(pidf(shared_data, "RFC5491TuplePointLocation.xml"))  # 37:46:30N 122:25:10W
    assert point["location"] == {"lat": 37.775, "lon": pytest.approx(-122.419444, abs=1e-6)}
    assert "confidence_pct" not in point["payload"]  # a point has no uncertainty region


def test_device_and_person_pick_the_shape_and_keep_the_civic(shared_data: Path) -> None:
    event = one(pidf(shared_data, "PersonDeviceCivicCircleLocation.xml"))
    assert event["location"] == {"lat": 34.268544, "lon": -118.666519, "accuracy_m": 50.0}
    assert event["payload"]["civic_address"] == "1657 Kay Ave, Simi Valley, CA 93063, US"
    assert event["payload"]["method"] == "wifi"  # 802.11
    assert event["occurred_at"] == "2015-07-09T20:57:29+00:00"  # the device's timestamp


def test_bom_and_misplaced_namespaces(shared_data: Path) -> None:
    event = one(pidf(shared_data, "DeviceCircleDynamic1.xml"))
    assert (
        event["payload"]["method"] == "gps" and event["occurred_at"] == "2009-06-22T20:57:29+00:00"
    )


def test_explicit_confidence_and_own_lis_push() -> None:
    event = one((FIXTURES / "good" / "lis_push_polygon.xml").read_bytes())
    assert event["payload"]["confidence_pct"] == 68
    assert event["payload"]["civic_address"] == "77 High St, 4, Columbus, OH, US"
    assert event["occurred_at"] == "2026-03-15T01:01:58.250000+00:00"
    assert event["payload"]["call_id"] == "sip:_16145550188_lis.carrier.example.net"
    by_device = one(
        (FIXTURES / "good" / "lis_push_polygon.xml").read_bytes(), call_id_from=["device_id"]
    )
    assert by_device["payload"]["call_id"] == "mac:00-1b-63-84-45-e6"


def test_civic_only_documents_are_refused(shared_data: Path) -> None:
    for name in (
        "DeviceCivicLocation.xml",
        "RFC5491TupleCivicLocation.xml",
        "RFC6848Figure7Example.xml",
    ):
        with pytest.raises(AdapterError) as refused:
            PidfLoAdapter(PidfLoOptions()).translate(pidf(shared_data, name))
        assert (refused.value.field, refused.value.reason) == (
            "location-info",
            "civic_only_no_coordinates",
        )


def test_sip_invite_zoneless_timestamp_needs_a_zone(shared_data: Path) -> None:
    path = (
        "schemas/ng911_tamu/test_suite/test_files/SIPp_scenarios/SIP_INVITE/"
        "SIP_INVITE_location_PIDF-LO.xml"
    )
    text = (shared_data / path).read_text(encoding="latin-1")
    body = text[
        text.index('<?xml version="1.0" encoding="utf-8"?>') : text.index("</presence>") + 11
    ]
    point = body.replace(
        "<ca:civicAddress>",
        '<Point xmlns="http://www.opengis.net/gml"><pos>39.0997 -76.8559</pos></Point>'
        "<ca:civicAddress>",
    ).encode()
    with pytest.raises(AdapterError) as refused:
        PidfLoAdapter(PidfLoOptions()).translate(point)
    assert refused.value.reason == "bad_timestamp"
    event = one(point, timezone="America/New_York")
    assert event["occurred_at"] == "2026-09-23T16:00:00.030000+00:00"
    assert event["payload"]["civic_address"] == "10 TEST Ave, TEST, Laurel, MD 1234, US"


def test_xxe_and_billion_laughs_are_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><presence>&x;</presence>'
    with pytest.raises(AdapterError) as refused:
        PidfLoAdapter(PidfLoOptions()).translate(xxe)
    assert refused.value.reason == "dtd_forbidden"


def test_lenient_mode_records_repairs() -> None:
    broken = (FIXTURES / "good" / "lis_push_polygon.xml").read_bytes()
    broken = broken.replace(b"<ca:RD>High</ca:RD>", b"<ca:RD>High & Broad</ca:RD>")
    with pytest.raises(AdapterError):
        PidfLoAdapter(PidfLoOptions()).translate(broken)
    adapter = PidfLoAdapter(PidfLoOptions(lenient_xml=True))
    assert adapter.translate(broken)
    assert any("EntityRef" in r for r in adapter.repairs)


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=600)
    | st.text(max_size=400).map(lambda t: f"<presence>{t}</presence>".encode())
)
def test_fuzz_never_raises_anything_else(data: bytes) -> None:
    for lenient in (False, True):
        try:
            PidfLoAdapter(PidfLoOptions(lenient_xml=lenient)).translate(data)
        except AdapterError as exc:
            assert exc.field and exc.reason


def test_an_empty_confidence_is_refused_with_a_message() -> None:
    """Found by fuzzing: `<confidence/>` was refused with an empty message."""
    good = (FIXTURES / "good" / "lis_push_polygon.xml").read_bytes()
    empty = good.replace(b">68</", b"></")
    assert empty != good
    with pytest.raises(AdapterError) as refused:
        PidfLoAdapter(PidfLoOptions()).translate(empty)
    assert (refused.value.field, refused.value.reason) == ("confidence", "not_a_number")
    assert refused.value.message == "'' is not a percentage"
