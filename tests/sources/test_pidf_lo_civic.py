"""pidf_lo civic-only callers located in the agency's address data (issue #4).

Real data: the Seattle SPD 911 CAD day (its "Hundred Block Location" rows as blocks) and
the shared civic PIDF-LO samples; plus small address-point files written here.
"""

import csv
import json
import logging
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.core.geo import haversine_m
from rtcc.sources.base import AdapterError
from rtcc.sources.config import SourceConfig
from rtcc.sources.manager import build_adapter
from rtcc.sources.pidf_lo import PidfLoAdapter, PidfLoOptions
from rtcc.sources.pidf_lo.streets import hundred_block, state, street

SEATTLE_CAD = "cad/seattle_spd_911_incident_response_2016-03-25.csv"
CIVIC_SAMPLES = (
    "DeviceCivicLocation.xml",
    "RFC5491TupleCivicLocation.xml",
    "RFC6848CivicExtendedExample1.xml",
    "RFC6848Figure7Example.xml",
    "RFC6848Figure8Example.xml",
    "RFC6848Section3.4Example.xml",
)
LONG = {"AVE": "Avenue", "ST": "Street", "WAY": "Way", "PL": "Place", "BLVD": "Boulevard"}
LONG_DIRS = {"N": "North", "S": "South", "E": "East", "W": "West", "NE": "Northeast"}


def ordinal(number: str) -> str:
    tens, last = int(number) % 100, int(number) % 10
    suffix = "th" if 10 < tens < 14 else {1: "st", 2: "nd", 3: "rd"}.get(last, "th")
    return number + suffix


def civic_doc(**parts: str) -> bytes:
    """A LIS push for one civic address (RFC 5139 CAtypes as keyword arguments)."""
    fields = "".join(f"<ca:{k}>{v}</ca:{k}>" for k, v in parts.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" entity="sip:+12065550100@lis.example">'
        '<tuple id="t1"><status><gp:geopriv><gp:location-info>'
        '<ca:civicAddress xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
        f"<ca:country>US</ca:country>{fields}</ca:civicAddress>"
        "</gp:location-info><gp:method>Manual</gp:method></gp:geopriv></status>"
        "<timestamp>2016-03-25T20:00:00Z</timestamp></tuple></presence>"
    ).encode()


def adapter(*files: Path | str, **options: object) -> PidfLoAdapter:
    raw = {"address_files": [str(f) for f in files], **options}
    return PidfLoAdapter(PidfLoOptions.model_validate(raw))


def locate(a: PidfLoAdapter, message: bytes) -> dict[str, object]:
    events = a.translate(message)
    assert len(events) == 1
    EVENT_IN_ADAPTER.validate_python(events[0])
    return events[0]


def refused(a: PidfLoAdapter, message: bytes) -> AdapterError:
    with pytest.raises(AdapterError) as caught:
        a.translate(message)
    return caught.value


@pytest.fixture(scope="module")
def seattle(shared_data: Path) -> PidfLoAdapter:
    return adapter(shared_data / SEATTLE_CAD, address_city="Seattle", address_state="WA")


def cad_rows(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / SEATTLE_CAD).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_house_number_falls_into_its_hundred_block(
    seattle: PidfLoAdapter, shared_data: Path
) -> None:
    row = next(r for r in cad_rows(shared_data) if r["Hundred Block Location"].startswith("92XX"))
    assert row["Hundred Block Location"] == "92XX BLOCK OF RAINIER AV S"
    event = locate(
        seattle, civic_doc(A1="WA", A3="SEATTLE", A6="RAINIER", STS="AV", POD="S", HNO="9215")
    )
    assert event["location"] == {
        "lat": float(row["Latitude"]),
        "lon": float(row["Longitude"]),
        "accuracy_m": 100.0,  # half a long city block: the row is the block, not the house
    }
    assert event["payload"] == {
        "call_id": "sip:_12065550100_lis.example",
        "method": "manual",
        "shape": "civic",
        "location_method": "civic_hundred_block",
        "civic_address": "9215 RAINIER AV S, SEATTLE, WA, US",
    }
    assert event["occurred_at"] == "2016-03-25T20:00:00+00:00"


def test_every_seattle_hundred_block_is_found_from_long_spellings(
    seattle: PidfLoAdapter, shared_data: Path
) -> None:
    """Each block row, asked for as a caller's LIS would write it (23rd Avenue South…),
    resolves to a circle that holds that row's coordinate."""
    checked = 0
    for row in cad_rows(shared_data):
        block = hundred_block(row["Hundred Block Location"])
        if block is None:
            continue
        at = street(block[1])
        assert at is not None
        name = " ".join(ordinal(w) if w.isdigit() else w.title() for w in at.name.split())
        parts = {"A3": "Seattle", "A1": "Washington", "HNO": str(block[0] + 15), "RD": name}
        parts |= {"PRD": LONG_DIRS.get(at.prd, at.prd)} if at.prd else {}
        parts |= {"STS": LONG.get(at.sts, at.sts)} if at.sts else {}
        parts |= {"POD": LONG_DIRS.get(at.pod, at.pod)} if at.pod else {}
        event = locate(seattle, civic_doc(**parts))
        loc = event["location"]
        assert isinstance(loc, dict)
        distance = haversine_m(
            loc["lat"], loc["lon"], float(row["Latitude"]), float(row["Longitude"])
        )
        assert distance <= loc["accuracy_m"] - 100 + 0.1, parts  # within the row's own 100 m
        checked += 1
    assert checked == 495


def test_two_rows_for_one_block_widen_the_circle(seattle: PidfLoAdapter) -> None:
    """8XX RAINIER AV S has two coordinates 113 m apart: the mean, and a radius that
    still covers each row's own 100 m."""
    event = locate(seattle, civic_doc(A3="Seattle", RD="Rainier Ave S", HNO="812"))
    loc = event["location"]
    assert isinstance(loc, dict)
    assert loc["lat"] == pytest.approx((47.594215 + 47.595116) / 2, abs=1e-7)
    assert loc["accuracy_m"] == pytest.approx(100 + 112.76 / 2, abs=0.5)


def test_load_report_counts_intersections_once(
    shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="rtcc.sources.pidf_lo.address_files"):
        a = adapter(shared_data / SEATTLE_CAD, address_city="Seattle")
    report = a.address_report
    assert report is not None
    assert (report.points, report.blocks, dict(report.skipped)) == (0, 495, {"intersection": 211})
    first = report.problems[0]
    assert (first.where, first.field) == (f"{shared_data / SEATTLE_CAD}:2", "block")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "211 intersection" in warnings[0].getMessage()


def test_addresses_not_in_the_data_are_refused(seattle: PidfLoAdapter) -> None:
    elsewhere = refused(seattle, civic_doc(A3="Seattle", RD="Rainier", POD="N", HNO="9215"))
    assert (elsewhere.field, elsewhere.reason) == ("location-info", "civic_address_not_found")
    assert "9215 RAINIER N, SEATTLE" in elsewhere.message
    no_block = refused(seattle, civic_doc(A3="Seattle", RD="Rainier Av S", HNO="9915"))
    assert no_block.message.endswith("no address point and no 9900 block")
    other_city = refused(seattle, civic_doc(A3="Tacoma", RD="Rainier Av S", HNO="9215"))
    assert other_city.reason == "civic_address_not_found"


def test_shared_civic_samples_are_refused_either_way(
    seattle: PidfLoAdapter, shared_data: Path
) -> None:
    for name in CIVIC_SAMPLES:
        document = (shared_data / "schemas" / "pidf_lo" / "PidfFiles" / name).read_bytes()
        with_data = refused(seattle, document)
        assert (with_data.field, with_data.reason) == ("location-info", "civic_address_not_found")
        without = refused(PidfLoAdapter(PidfLoOptions()), document)
        assert (without.field, without.reason) == ("location-info", "civic_only_no_coordinates")
    aurora = refused(
        seattle, (shared_data / "schemas/pidf_lo/PidfFiles/DeviceCivicLocation.xml").read_bytes()
    )
    assert aurora.message.startswith("2106 E NEW YORK ST, AURORA, IL")


POINTS_CSV = """\
HNO,HNS,PRD,RD,STS,POD,A3,A1,PC,Latitude,Longitude,accuracy_m
9215,,,Rainier,Avenue,South,Seattle,WA,98118,47.519700,-122.267900,
9251,,,RAINIER,AV,S,SEATTLE,WA,98118-1234,47.519300,-122.267500,4.5
9215,,,Rainier,Avenue,South,Seattle,WA,98118,forty-seven,-122.267900,
,,,Rainier,Avenue,South,Seattle,WA,98118,47.5197,-122.2679,
9301,,,Rainier,Avenue,South,Seattle,WA,98118,147.5,-122.2679,
9305,,,,,,Seattle,WA,98118,47.5188,-122.2672,
100,,,Main,St,,Seattle,WA,,47.6,-122.3,
100,,,Main,Ave,,Seattle,WA,,47.61,-122.31,
"""


@pytest.fixture
def points_file(tmp_path: Path) -> Path:
    path = tmp_path / "address_points.csv"
    path.write_text(POINTS_CSV)
    return path


def test_exact_address_point_wins_over_the_block(points_file: Path, shared_data: Path) -> None:
    a = adapter(points_file, shared_data / SEATTLE_CAD, address_city="Seattle")
    event = locate(a, civic_doc(A3="Seattle", A1="WA", HNO="9215", RD="RAINIER AV S"))
    assert event["location"] == {"lat": 47.5197, "lon": -122.2679, "accuracy_m": 10.0}
    assert event["payload"]["location_method"] == "civic_address_point"  # type: ignore[index]
    stated = locate(a, civic_doc(A3="SEATTLE", HNO="9251", RD="Rainier", STS="AV", POD="S"))
    assert stated["location"] == {"lat": 47.5193, "lon": -122.2675, "accuracy_m": 4.5}
    suffixed = locate(a, civic_doc(A3="Seattle", HNO="9215", HNS="A", RD="Rainier Ave S"))
    assert suffixed["payload"]["location_method"] == "civic_address_point"  # type: ignore[index]
    by_zip = locate(a, civic_doc(PC="98118", HNO="9215", RD="Rainier Ave S"))
    assert by_zip["location"]["accuracy_m"] == 10.0  # type: ignore[index]


def test_points_alone_make_blocks(points_file: Path) -> None:
    """No row for 9233, but 9215 and 9251 are on its block: their mean, at least 100 m."""
    event = locate(adapter(points_file), civic_doc(A3="Seattle", HNO="9233", RD="Rainier Ave S"))
    loc = event["location"]
    assert isinstance(loc, dict)
    assert loc["lat"] == pytest.approx(47.5195) and loc["accuracy_m"] == 100.0
    assert event["payload"]["location_method"] == "civic_hundred_block"  # type: ignore[index]


def test_bad_rows_are_skipped_and_named(points_file: Path) -> None:
    report = adapter(points_file).address_report
    assert report is not None
    assert report.points == 4
    assert [str(p).split("address_points.csv:")[1] for p in report.problems] == [
        "4: lat not_a_number",
        "5: house number missing",
        "6: lat out_of_range",
        "7: street missing",
    ]


def test_ambiguous_street_is_refused(points_file: Path) -> None:
    problem = refused(adapter(points_file), civic_doc(A3="Seattle", HNO="100", RD="Main"))
    assert problem.reason == "civic_address_not_found"
    assert "ambiguous, could be MAIN AVE or MAIN ST" in problem.message
    exact = locate(adapter(points_file), civic_doc(A3="Seattle", HNO="100", RD="Main Street"))
    assert exact["location"]["lat"] == 47.6  # type: ignore[index]


def test_geojson_with_nena_names(tmp_path: Path) -> None:
    path = tmp_path / "site_structure_address_points.geojson"
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-122.3321, 47.6062]},
        "properties": {
            "Add_Number": 600,
            "AddNum_Suf": None,
            "St_PreDir": "",
            "St_Name": "4th",
            "St_PosTyp": "Avenue",
            "St_PosDir": "",
            "Inc_Muni": "Seattle",
            "Post_Comm": "Seattle",
            "State": "WA",
            "Post_Code": "98104",
        },
    }
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [point, line]}))
    a = adapter(path)
    assert a.address_report is not None and a.address_report.points == 1
    assert str(a.address_report.problems[0]).endswith(":feature[1]: geometry not_a_point")
    event = locate(a, civic_doc(A3="Seattle", A1="Washington", HNO="600", RD="4TH AVE"))
    assert event["location"] == {"lat": 47.6062, "lon": -122.3321, "accuracy_m": 10.0}


def test_configuration_errors_name_the_option(tmp_path: Path) -> None:
    def config(options: dict[str, object]) -> SourceConfig:
        return SourceConfig(name="lis", adapter="pidf_lo", options=options)

    with pytest.raises(ValueError, match=r"sources\.lis\.options\.address_files: .*no such"):
        build_adapter(config({"address_files": [str(tmp_path / "missing.csv")]}))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,value\nx,1\n")
    with pytest.raises(ValueError, match="needs latitude/longitude"):
        build_adapter(config({"address_files": [str(wrong)]}))
    with pytest.raises(ValidationError):
        PidfLoOptions.model_validate({"hundred_block_accuracy_m": 0})
    assert (
        PidfLoOptions.model_validate({"hundred_block_accuracy_m": 150}).hundred_block_accuracy_m
        == 150
    )


def test_normalisation_table() -> None:
    assert street("Rainier Avenue South") == street("RAINIER", sts="AV", pod="S")
    assert street("23rd Ave. E") == street("23", sts="AVENUE", pod="East")
    assert street("N", sts="St") == street("N ST")  # the street named N keeps its name
    assert street("Martin Luther King Jr. Way S") is not None
    assert hundred_block("100XX BLOCK OF RAINIER AV S") == (10000, "RAINIER AV S")
    assert hundred_block("XX BLOCK OF PIKE ST") == (0, "PIKE ST")
    assert hundred_block("1400 BLK BROADWAY") == (1400, "BROADWAY")
    assert hundred_block("S KING ST / 8 AV S") is None
    assert (state("New York"), state("wa"), state("Ontario")) == ("NY", "WA", "ONTARIO")


@settings(max_examples=120, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["HNO", "HNS", "RD", "A6", "STS", "POD", "PRD", "A3", "PC"]),
        st.text(max_size=30),
    )
)
def test_any_civic_fields_give_an_event_or_a_named_refusal(
    seattle: PidfLoAdapter, parts: dict[str, str]
) -> None:
    escaped = {k: escape("".join(c for c in v if c.isprintable())) for k, v in parts.items()}
    try:
        locate(seattle, civic_doc(**escaped))
    except AdapterError as exc:
        assert exc.field and exc.reason
