"""NMEA 0183 adapter: recorded logs, a real GeoLife track rendered to NMEA, edge cases, fuzz."""

import csv
import json
from datetime import UTC, date, datetime
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.core.geo import haversine_m
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, split_messages
from rtcc.sources.nmea import NmeaAdapter, NmeaOptions

FIXTURES = Path(__file__).parent / "fixtures" / "nmea"


def nmea(body: str) -> bytes:
    """A sentence with its correct checksum (XOR of the characters between '$' and '*')."""
    checksum = reduce(lambda acc, ch: acc ^ ord(ch), body, 0)
    return f"${body}*{checksum:02X}".encode()


def adapter(**options: Any) -> NmeaAdapter:
    return NmeaAdapter(NmeaOptions.model_validate({"unit_id": "car-12", **options}))


def fixture_adapter() -> NmeaAdapter:
    options = json.loads((FIXTURES / "options.json").read_text())
    return NmeaAdapter(NmeaOptions.model_validate_json(json.dumps(options)))


def replay(a: NmeaAdapter, name: str) -> list[dict[str, Any]]:
    data = (FIXTURES / "good" / name).read_bytes()
    return [event for line in split_messages("lines", data) for event in a.translate(line)]


def refused(a: NmeaAdapter, message: bytes) -> tuple[str, str]:
    with pytest.raises(AdapterError) as info:
        a.translate(message)
    return info.value.field, info.value.reason


RMC = "GPRMC,140510.00,A,3957.7512,N,08259.9302,W,25.271,358.60,140326,,,A"
GGA = "GPGGA,140510.00,3957.7512,N,08259.9302,W,1,08,0.94,231.6,M,-33.4,M,,"


# --- recorded logs -----------------------------------------------------------------


def test_high_street_log_becomes_a_drive_of_some_300_metres() -> None:
    events = replay(fixture_adapter(), "columbus_high_st_gp.nmea")
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    # 30 epochs of RMC+GGA, plus the GGA of the epoch the capture started in
    assert len(events) == 61
    assert len({e["id"] for e in events}) == 61
    first, last = events[0], events[-1]
    # the capture starts with a GGA before any RMC: its date is options.assume_date
    assert first["id"] == "car-12-1773497099000-gga"
    assert first["occurred_at"] == "2026-03-14T14:04:59+00:00"
    assert first["location"] == {"lat": 39.9612, "lon": -82.9988, "accuracy_m": 4.7}
    assert first["payload"] == {"unit_id": "car-12", "unit_type": "patrol", "altitude_m": 231.6}
    assert last["occurred_at"] == "2026-03-14T14:05:29+00:00"
    assert last["location"]["accuracy_m"] == 5.6  # HDOP 1.12 x 5 m
    metres = haversine_m(
        first["location"]["lat"],
        first["location"]["lon"],
        last["location"]["lat"],
        last["location"]["lon"],
    )
    assert 300 < metres < 330
    cruising = [e for e in events if e["id"].endswith("-rmc")][-1]
    assert cruising["payload"] == {
        "unit_id": "car-12",
        "unit_type": "patrol",
        "speed_mps": 13.0,  # 25.271 kn
        "heading_deg": 358.6,
    }


def test_gga_after_midnight_takes_the_next_day() -> None:
    events = replay(fixture_adapter(), "columbus_midnight_gn.nmea")
    assert len(events) == 24  # TXT, GSA, GSV, VTG and PUBX lines give no events
    times = {e["id"]: e["occurred_at"] for e in events}
    # this receiver sends GGA before RMC: the 00:00:00 GGA follows the 23:59:59 RMC
    assert times["car-12-1773532799000-rmc"] == "2026-03-14T23:59:59+00:00"
    assert times["car-12-1773532800000-gga"] == "2026-03-15T00:00:00+00:00"
    assert times["car-12-1773532800000-rmc"] == "2026-03-15T00:00:00+00:00"
    stamps = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("expect", sorted((FIXTURES / "bad").glob("*.expect")), ids=str)
def test_bad_fixtures_are_refused(expect: Path) -> None:
    field, reason = expect.read_text().split()
    assert refused(fixture_adapter(), expect.with_suffix("").read_bytes()) == (field, reason)


# --- real data: GeoLife trajectories rendered into NMEA ----------------------------


def _dm(value: float, width: int, hemispheres: str) -> tuple[str, str]:
    """Decimal degrees → (d)ddmm.mmmm, rounding whole ten-thousandths of a minute."""
    units = round(abs(value) * 60 * 10_000)
    degrees, minutes = divmod(units, 60 * 10_000)
    return f"{degrees:0{width}d}{minutes / 10_000:07.4f}", hemispheres[0 if value >= 0 else 1]


def test_real_geolife_track_survives_the_round_trip(shared_data: Path) -> None:
    """Every GeoLife fix rendered as '<tracker>,$GPRMC' and '$GPGGA' comes back intact."""
    path = shared_data / "avl" / "geolife_small_beijing.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 5908
    a = adapter(unit_id="unknown", unit_id_from_prefix=True)
    worst = 0.0
    units: set[str] = set()
    for row in rows:
        at = datetime.fromisoformat(row["t"]).astimezone(UTC)
        lat, lon = float(row["Y"]), float(row["X"])
        la, ns = _dm(lat, 2, "NS")
        lo, ew = _dm(lon, 3, "EW")
        hms, dmy = at.strftime("%H%M%S"), at.strftime("%d%m%y")
        prefix = f"geolife-{row['tracker']}".encode() + b","
        rmc = a.translate(prefix + nmea(f"GPRMC,{hms},A,{la},{ns},{lo},{ew},,,{dmy},,"))
        gga = a.translate(prefix + nmea(f"GPGGA,{hms},{la},{ns},{lo},{ew},1,05,1.8,,M,,M,,"))
        for event in rmc + gga:
            assert event["occurred_at"] == at.isoformat()
            worst = max(worst, abs(event["location"]["lat"] - lat))
            worst = max(worst, abs(event["location"]["lon"] - lon))
            units.add(event["payload"]["unit_id"])
        assert len(rmc) == len(gga) == 1
    assert worst < 1e-5
    assert units == {"geolife-0", "geolife-2", "geolife-19"}
    first = adapter().translate(nmea("GPRMC,044214,A,3953.9144,N,11623.4783,E,,,111208,,"))
    assert first[0]["occurred_at"] == "2008-12-11T04:42:14+00:00"
    assert first[0]["location"] == {"lat": 39.8985733, "lon": 116.391305}


# --- edge cases ---------------------------------------------------------------------


def test_options_need_a_unit_and_parse_an_iso_date() -> None:
    with pytest.raises(ValidationError):
        NmeaOptions.model_validate({})
    with pytest.raises(ValidationError):
        NmeaOptions.model_validate({"unit_id": "car 12"})
    with pytest.raises(ValidationError):
        NmeaOptions.model_validate({"unit_id": "c", "assume_date": "14/03/2026"})
    with pytest.raises(ValidationError):
        NmeaOptions.model_validate({"unit_id": "c", "colour": "blue"})
    options = NmeaOptions.model_validate_json('{"unit_id": "c", "assume_date": "2026-03-14"}')
    assert options.assume_date == date(2026, 3, 14)


def test_gga_before_any_rmc_uses_todays_utc_date() -> None:
    before = datetime.now(UTC).date()
    (event,) = adapter().translate(nmea(GGA))
    after = datetime.now(UTC).date()
    assert event["occurred_at"][:10] in {before.isoformat(), after.isoformat()}
    assert event["occurred_at"][10:] == "T14:05:10+00:00"


def test_rmc_sets_the_date_for_the_units_later_gga() -> None:
    a = adapter(assume_date="2020-01-01")
    a.translate(nmea(RMC))
    (event,) = a.translate(nmea(GGA))
    assert event["occurred_at"] == "2026-03-14T14:05:10+00:00"


def test_units_named_by_a_line_prefix_keep_their_own_dates() -> None:
    a = adapter(unit_id_from_prefix=True, assume_date="2020-01-01")
    a.translate(b"unit-7;" + nmea(RMC))
    (seven,) = a.translate(b"unit-7 " + nmea(GGA))
    (other,) = a.translate(nmea(GGA))  # no prefix: the configured unit_id
    assert seven["payload"]["unit_id"] == "unit-7"
    assert seven["occurred_at"].startswith("2026-03-14")
    assert (other["payload"]["unit_id"], other["occurred_at"][:10]) == ("car-12", "2020-01-01")
    assert refused(a, b"bad unit!," + nmea(RMC)) == ("prefix", "bad_value")
    assert refused(adapter(), b"unit-7," + nmea(RMC)) == ("sentence", "not_nmea")


def test_southern_western_fix_with_course_360_and_no_speed() -> None:
    body = "GNRMC,235959.50,A,3351.8200,S,15112.5300,E,,360.0,010180,,,D"
    (event,) = adapter(unit_type="k9").translate(nmea(body))
    assert event["occurred_at"] == "1980-01-01T23:59:59.500000+00:00"
    assert event["location"] == {"lat": -33.8636667, "lon": 151.2088333}
    assert event["payload"] == {"unit_id": "car-12", "unit_type": "k9", "heading_deg": 0.0}
    (west,) = adapter().translate(nmea("GPRMC,000000,A,0000.0000,N,00000.0001,W,0,0,010179,,"))
    assert west["occurred_at"].startswith("2079-01-01")  # two-digit years are 1980..2079
    assert west["location"]["lon"] < 0


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (
            "GPRMC,140510.00,A,3957.7512,N,08259.9302,W,25.2,358.6,140326,,,N",
            "RMC.status",
            "no_fix",
        ),
        (
            "GPRMC,140510.00,X,3957.7512,N,08259.9302,W,25.2,358.6,140326,,",
            "RMC.status",
            "bad_value",
        ),
        ("GPRMC,140510.00,,3957.7512,N,08259.9302,W,25.2,358.6,140326,,", "RMC.status", "missing"),
        (
            "GPRMC,140510.00,A,3960.5000,N,08259.9302,W,25.2,358.6,140326,,",
            "RMC.lat",
            "out_of_range",
        ),
        (
            "GPRMC,140510.00,A,3957.7512,Q,08259.9302,W,25.2,358.6,140326,,",
            "RMC.lat_dir",
            "bad_value",
        ),
        (
            "GPRMC,140510.00,A,3957.7512,N,18059.9302,W,25.2,358.6,140326,,",
            "RMC.lon",
            "out_of_range",
        ),
        ("GPRMC,140510.00,A,3957.7512,N,08259.9302,,25.2,358.6,140326,,", "RMC.lon_dir", "missing"),
        ("GPRMC,140510.00,A,N3957.75,N,08259.9302,W,25.2,358.6,140326,,", "RMC.lat", "bad_value"),
        (
            "GPRMC,140510.00,A,3957.7512,N,08259.9302,W,-1,358.6,140326,,",
            "RMC.spd_over_grnd",
            "out_of_range",
        ),
        (
            "GPRMC,140510.00,A,3957.7512,N,08259.9302,W,5,fast,140326,,",
            "RMC.true_course",
            "bad_value",
        ),
        (
            "GPRMC,250510.00,A,3957.7512,N,08259.9302,W,25.2,358.6,140326,,",
            "RMC.timestamp",
            "bad_timestamp",
        ),
        ("GPRMC,140510.00,A,3957.7512,N,08259.9302,W,25.2,358.6,,,", "RMC.datestamp", "missing"),
        ("GPRMC,140510.00,A", "RMC.datestamp", "missing"),
        ("GPRMC,140510.00,A,,N,08259.9302,W,25.2,358.6,140326,,", "RMC.lat", "missing"),
        ("GPGGA,140510.00,3957.7512,N,08259.9302,W,,08,0.9,231.6,M,,,,", "GGA.gps_qual", "missing"),
        (
            "GPGGA,140510.00,3957.7512,N,08259.9302,W,1.5,08,0.9,231.6,M,,,,",
            "GGA.gps_qual",
            "bad_value",
        ),
        (
            "GPGGA,140510.00,3957.7512,N,08259.9302,W,1,08,0.9,231.6,F,,,,",
            "GGA.altitude_units",
            "bad_value",
        ),
        (
            "GPGGA,140510.00,3957.7512,N,08259.9302,W,1,08,0.9,99999,M,,,,",
            "GGA.altitude",
            "out_of_range",
        ),
        (
            "GPGGA,140510.00,3957.7512,N,08259.9302,W,1,08,-2,231.6,M,,,,",
            "GGA.horizontal_dil",
            "out_of_range",
        ),
        ("GPGGA,,3957.7512,N,08259.9302,W,1,08,0.9,231.6,M,,,,", "GGA.timestamp", "missing"),
    ],
)
def test_field_errors_name_the_field(body: str, field: str, reason: str) -> None:
    assert refused(adapter(), nmea(body)) == (field, reason)


def test_sentence_level_refusals() -> None:
    a = adapter()
    assert refused(a, nmea(RMC)[:-2] + b"ZZ") == ("sentence", "truncated")
    assert refused(a, nmea(RMC).replace(b"A,39", b"A,38")) == (
        "sentence.checksum",
        "checksum_mismatch",
    )
    assert refused(a, "$GPRMC,14051°".encode()) == ("sentence", "bad_encoding")
    assert refused(a, b"$" + b"G" * 2000 + b"*00") == ("sentence", "too_large")
    assert refused(a, b"0" * (MAX_MESSAGE_BYTES + 1)) == ("sentence", "too_large")
    assert refused(a, b"$GP*00") == ("sentence", "not_nmea")


def test_what_translates_to_nothing() -> None:
    a = adapter()
    assert a.translate(b"   \r\n") == []
    assert a.translate(nmea("GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1")) == []
    assert a.translate(nmea("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,A")) == []
    assert a.translate(nmea("GPZZZ,1,2,3")) == []  # a type pynmea2 does not know
    assert a.translate(nmea("PGRME,15.0,M,45.0,M,25.0,M")) == []  # proprietary


def test_checksums_can_be_optional_and_lowercase() -> None:
    lax = adapter(require_checksum=False)
    (event,) = lax.translate(f"${GGA}".encode())
    assert event["location"]["accuracy_m"] == 4.7
    sentence = nmea(RMC.replace("140510.00", "140518.00"))
    assert sentence.endswith(b"*4B")  # a hex letter, so lower case is a different text
    (event,) = adapter().translate(sentence[:-2] + b"4b")
    assert event["id"].endswith("-rmc")


def test_estimated_gga_fix_is_kept() -> None:
    (event,) = adapter().translate(nmea(GGA.replace(",W,1,08,", ",W,6,08,")))
    assert event["payload"]["altitude_m"] == 231.6


# --- fuzz ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_events_or_an_adapter_error(data: bytes) -> None:
    a = adapter()
    for message in (data, b"$GPRMC," + data, nmea("GPGGA,") + data):
        try:
            for event in a.translate(message):
                EVENT_IN_ADAPTER.validate_python(event)
        except AdapterError as exc:
            assert exc.field and exc.reason


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-89.99, 89.99),
    lon=st.floats(-179.99, 179.99),
    at=st.datetimes(datetime(1980, 1, 1), datetime(2079, 12, 31), timezones=st.just(UTC)),
    knots=st.floats(0, 200),
)
def test_generated_rmc_round_trips(lat: float, lon: float, at: datetime, knots: float) -> None:
    at = at.replace(microsecond=at.microsecond // 10_000 * 10_000)
    la, ns = _dm(lat, 2, "NS")
    lo, ew = _dm(lon, 3, "EW")
    hms = at.strftime("%H%M%S") + f".{at.microsecond // 10_000:02d}"
    body = f"GNRMC,{hms},A,{la},{ns},{lo},{ew},{knots:.3f},,{at.strftime('%d%m%y')},,,A"
    (event,) = adapter().translate(nmea(body))
    EVENT_IN_ADAPTER.validate_python(event)
    assert datetime.fromisoformat(event["occurred_at"]) == at
    assert abs(event["location"]["lat"] - lat) < 1e-5
    assert abs(event["location"]["lon"] - lon) < 1e-5
    assert abs(event["payload"]["speed_mps"] - knots * 1852 / 3600) < 1e-3
