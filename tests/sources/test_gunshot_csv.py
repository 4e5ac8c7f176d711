"""The real ShotSpotter exports of San Francisco and Wilmington NC, row by row."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError, split_messages
from rtcc.sources.shotspotter import GunshotCsvAdapter, GunshotCsvOptions

FIXTURES = Path(__file__).parent / "fixtures" / "gunshot_csv"
SF_HEADER = "Type,ID,Date,Time,Rnds,Beat,DISPO,returned address,Latitude,Longitude"


def run(adapter: GunshotCsvAdapter, data: bytes) -> tuple[list[dict[str, Any]], Counter[Any]]:
    events: list[dict[str, Any]] = []
    refused: Counter[tuple[str, str]] = Counter()
    for message in split_messages("csv", data):
        try:
            batch = adapter.translate(message)
        except AdapterError as exc:
            refused[(exc.field, exc.reason)] += 1
            continue
        for event in batch:
            EVENT_IN_ADAPTER.validate_python(event)
        events.extend(batch)
    return events, refused


def test_sf_real_file(shared_data: Path) -> None:
    data = (shared_data / "gunshot" / "sf_shotspotter_2013_2015.csv").read_bytes()
    events, refused = run(GunshotCsvAdapter(GunshotCsvOptions(dialect="sf")), data)
    # 4,385 rows: the 3,044 with a blank Type also have a blank ID, and are refused.
    assert len(events) == 1341
    assert refused == Counter({("row.ID", "missing"): 3044})
    first = events[0]
    assert first["id"] == "26868"
    assert first["occurred_at"] == "2013-01-01T08:01:47+00:00"  # 0:01:47 PST
    assert first["location"] == {"lat": 37.73668188, "lon": -122.3908474}
    assert first["payload"] == {
        "detection_id": "26868",
        "rounds": 6,
        "classification": "multiple_gunshots",
    }
    kinds = Counter(e["payload"]["classification"] for e in events)
    assert kinds == Counter({"multiple_gunshots": 730, "single_gunshot": 611})
    assert len({e["id"] for e in events}) == 1341
    summer = next(e for e in events if e["occurred_at"].startswith("2013-07-04"))
    assert summer["occurred_at"].endswith("+00:00")


def test_wilmington_real_file(shared_data: Path) -> None:
    path = shared_data / "gunshot" / "wilmington_nc_shotspotter_cad_calls.csv"
    events, refused = run(
        GunshotCsvAdapter(GunshotCsvOptions(dialect="wilmington")), path.read_bytes()
    )
    # 1,268 CAD calls: 82 have no Latitude/Longitude; one of them carries its point in the
    # notes "(lat,lon)", the other 81 only State Plane geox/geoy and are refused.
    assert len(events) == 1187
    assert refused == Counter({("row.Latitude", "missing"): 81})
    first = events[0]
    # notes: "SHOTS FIRED AT 1572 S 11TH ST AT 23:59:18 12/31/2012: 3 ROUNDS; ... FLEX ID 7246."
    assert first["id"] == "flex-7246"
    assert first["occurred_at"] == "2013-01-01T04:59:18+00:00"  # the detection, not the call
    assert first["location"] == {"lat": 34.21634107, "lon": -77.93392152}
    assert first["payload"]["rounds"] == 3
    assert first["payload"]["classification"] == "multiple_gunshots"
    # duplicate CAD calls for one alert share the flex id, so the ingest dedups them
    ids = Counter(e["id"] for e in events)
    assert len(ids) == 1007
    assert sum(n - 1 for n in ids.values()) == 180
    assert all(i.startswith("flex-") for i in ids)


def test_auto_dialect_reads_both_headers(shared_data: Path) -> None:
    adapter = GunshotCsvAdapter(GunshotCsvOptions())
    for name, first_id in [
        ("sf_shotspotter_2013_2015.csv", "26868"),
        ("wilmington_nc_shotspotter_cad_calls.csv", "flex-7246"),
    ]:
        message = next(split_messages("csv", (shared_data / "gunshot" / name).read_bytes()))
        assert adapter.translate(message)[0]["id"] == first_id


def test_dst_edges_in_local_time() -> None:
    data = (FIXTURES / "good" / "sf_dst_edges.csv").read_bytes()
    events, refused = run(GunshotCsvAdapter(GunshotCsvOptions()), data)
    assert not refused
    assert [e["occurred_at"] for e in events] == [
        "2013-03-10T09:59:59+00:00",  # 01:59:59 PST
        "2013-03-10T10:00:01+00:00",  # 03:00:01 PDT, two seconds later
        "2013-11-03T08:30:00+00:00",  # ambiguous 01:30 → the first (PDT) occurrence
        "2015-01-01T07:59:59+00:00",
    ]
    assert events[2]["payload"]["classification"] == "multiple_gunshots"  # blank Type, 3 rounds


def test_timezone_option_overrides_the_dialect_default() -> None:
    row = f"{SF_HEADER}\nSingle_Gunshot,1,1-Jan-13,0:00:00,1,,,x,37.7,-122.4\n".encode()
    adapter = GunshotCsvAdapter(GunshotCsvOptions(dialect="sf", timezone="UTC"))
    assert adapter.translate(row)[0]["occurred_at"] == "2013-01-01T00:00:00+00:00"


def test_options_are_strict() -> None:
    with pytest.raises(ValidationError):
        GunshotCsvOptions(timezone="Mars/Olympus")
    with pytest.raises(ValidationError):
        GunshotCsvOptions.model_validate({"dialect": "chicago"})
    with pytest.raises(ValidationError):
        GunshotCsvOptions.model_validate({"zone": "UTC"})


@pytest.mark.parametrize(
    ("message", "field", "reason"),
    [
        (f"{SF_HEADER}\n".encode(), "row", "missing"),
        (f"{SF_HEADER}\na,1\nb,2\n".encode(), "row", "too_many_rows"),
        (b"\xff\xfe" + SF_HEADER.encode(), "row", "not_utf8"),
        (
            f"{SF_HEADER}\nHeadshot,1,1-Jan-13,0:00:00,1,,,x,37.7,-122.4\n".encode(),
            "row.Type",
            "unknown_type",
        ),
        (
            f"{SF_HEADER}\n,1,1-Jan-13,25:61,1,,,x,37.7,-122.4\n".encode(),
            "row.Time",
            "bad_timestamp",
        ),
        (f"{SF_HEADER}\n,1,1-Jan-13,0:00,1,,,x,,-122.4\n".encode(), "row.Latitude", "missing"),
    ],
)
def test_row_refusals(message: bytes, field: str, reason: str) -> None:
    with pytest.raises(AdapterError) as exc:
        GunshotCsvAdapter(GunshotCsvOptions(dialect="sf")).translate(message)
    assert (exc.value.field, exc.value.reason) == (field, reason)


def test_wilmington_notes_without_headline() -> None:
    header = "calltime,notes,Latitude,Longitude"
    notes = "2 rounds  [04/14/13 02:33:15 PYG]  flex id 8351  [04/14/13 02:33:40 PYG]"
    message = f'{header}\n04/14/2013 02:33:00,"{notes}",34.23,-77.92\n'.encode()
    [event] = GunshotCsvAdapter(GunshotCsvOptions()).translate(message)
    assert event["id"] == "flex-8351"
    assert event["payload"]["rounds"] == 2
    assert event["occurred_at"] == "2013-04-14T06:33:00+00:00"  # calltime, EDT


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["", "Single_Gunshot", "Multiple_Gunshots", "Bang"]),
    ident=_cell,
    date=st.one_of(_cell, st.dates().map(lambda d: d.strftime("%-d-%b-%y"))),
    clock=st.one_of(_cell, st.times().map(lambda t: t.strftime("%-H:%M:%S"))),
    rounds=st.one_of(_cell, st.integers(-3, 900).map(str)),
    lat=st.one_of(_cell, st.floats(-100, 100).map(str)),
)
def test_fuzzed_sf_rows_are_valid_or_refused(
    kind: str, ident: str, date: str, clock: str, rounds: str, lat: str
) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(
        [SF_HEADER.split(","), [kind, ident, date, clock, rounds, "", "", "x", lat, "-122.4"]]
    )
    try:
        events = GunshotCsvAdapter(GunshotCsvOptions(dialect="sf")).translate(
            out.getvalue().encode()
        )
    except AdapterError as exc:
        assert exc.field.startswith("row") and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
