"""Generic CSV read logs, proven with the OpenALPR end-to-end ground truth plates."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError, split_messages
from rtcc.sources.lpr import LprColumns, LprCsvAdapter, LprCsvOptions

FIXTURES = Path(__file__).parent / "fixtures" / "lpr_csv"


def openalpr_truth(shared_data: Path) -> list[tuple[str, str]]:
    """(image, plate) from `<image>\\t<x>\\t<y>\\t<w>\\t<h>\\t<PLATE>` ground-truth lines."""
    rows = []
    for path in sorted((shared_data / "lpr" / "openalpr_endtoend" / "us").glob("*.txt")):
        image, *_box, plate = path.read_text().split()
        rows.append((image, plate))
    return rows


def as_read_log(truth: list[tuple[str, str]]) -> bytes:
    """A read log as a reader would write it: local times, separators and lower case mixed in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Read Time", "Plate", "Reader", "Lat", "Lon", "Conf", "Image"])
    start = datetime(2025, 3, 9, 1, 58)
    for i, (image, plate) in enumerate(truth):
        cut = len(plate) // 2
        styled = [plate, f"{plate[:cut]} {plate[cut:]}", f"{plate[:cut]}-{plate[cut:]}".lower()]
        at = start + timedelta(seconds=7 * i)
        lat, lon = 41.8 + i / 1000, -87.6 - i / 1000
        writer.writerow(
            [
                at.strftime("%m/%d/%Y %H:%M:%S"),
                styled[i % 3],
                f"R{i % 4}",
                lat,
                lon,
                80 + i % 20,
                image,
            ]
        )
    return out.getvalue().encode()


def test_every_openalpr_plate_comes_through_normalised(shared_data: Path) -> None:
    truth = openalpr_truth(shared_data)
    assert len(truth) == 50
    options = LprCsvOptions(
        columns=LprColumns(
            plate="Plate",
            time="Read Time",
            reader_id="Reader",
            lat="Lat",
            lon="Lon",
            confidence="Conf",
            image_ref="Image",
        ),
        time_format="%m/%d/%Y %H:%M:%S",
        timezone="America/Chicago",
    )
    adapter = LprCsvAdapter(options)
    events = []
    for message in split_messages("csv", as_read_log(truth)):
        [event] = adapter.translate(message)
        EVENT_IN_ADAPTER.validate_python(event)
        events.append(event)
    assert [e["payload"]["plate"] for e in events] == [plate for _, plate in truth]
    assert [e["payload"]["image_ref"] for e in events] == [image for image, _ in truth]
    first = events[0]
    assert first["occurred_at"] == "2025-03-09T07:58:00+00:00"  # 01:58 CST
    assert first["location"] == {"lat": 41.8, "lon": -87.6}
    # 01:58 + 7 s x 18 = 02:00:06, a wall time that does not exist on 9 Mar 2025 in Chicago;
    # zoneinfo reads it with the pre-change offset (CST, fold=0): 08:00:06 UTC.
    assert events[18]["occurred_at"] == "2025-03-09T08:00:06+00:00"
    assert len({e["id"] for e in events}) == 50  # same plate twice (UH1F0F) at other times


def test_fixture_file_values() -> None:
    options = LprCsvOptions.model_validate_json((FIXTURES / "options.json").read_text())
    adapter = LprCsvAdapter(options)
    data = (FIXTURES / "good" / "plaza_reads.csv").read_bytes()
    events = [adapter.translate(m)[0] for m in split_messages("csv", data)]
    assert [e["payload"]["plate"] for e in events] == ["ABC1234", "KY8831", "XYZ9876", "T612345C"]
    assert [e["occurred_at"] for e in events] == [
        "2025-03-09T06:59:58+00:00",
        "2025-03-09T07:00:03+00:00",  # 03:00:03 EDT, five seconds after 01:59:58 EST
        "2025-03-09T07:00:09+00:00",
        "2025-11-02T05:30:00+00:00",  # ambiguous 01:30 → first (EDT) occurrence
    ]
    assert events[1]["payload"]["direction_deg"] == 90.0  # "E"
    assert events[2]["payload"]["hotlist"] == "NCIC Stolen Plate"


def test_epoch_ms_and_fixed_reader() -> None:
    options = LprCsvOptions(
        columns=LprColumns(plate="tag", time="ms", reader_id=None),
        time_format="epoch_ms",
        reader_id="gate 3",
    )
    [event] = LprCsvAdapter(options).translate(b"ms,tag\n1746194651000,ab 12\n")
    assert event["occurred_at"] == "2025-05-02T14:04:11+00:00"
    assert event["payload"]["reader_id"] == "gate_3"
    assert event["payload"]["plate"] == "AB12"


def test_options_are_checked() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        LprCsvOptions(time_format="%Y-%m-%d %H:%M")
    with pytest.raises(ValidationError, match="reader_id"):
        LprCsvOptions(columns=LprColumns(reader_id=None))
    with pytest.raises(ValidationError):
        LprCsvOptions.model_validate({"columns": {"plate_number": "p"}})
    with pytest.raises(ValidationError):
        LprCsvOptions(timezone="Nowhere/Special")


@pytest.mark.parametrize(
    ("message", "field", "reason"),
    [
        (b"plate,time,reader_id\n,2025-01-01T00:00:00Z,r\n", "row.plate", "empty"),
        (b"plate,time,reader_id\nAB1,2025-01-01T00:00:00,r\n", "row.time", "no_timezone"),
        (b"plate,time,reader_id\nAB1,2025-01-01T00:00:00Z,\n", "row.reader_id", "missing"),
        (b"plate,time\nAB1,2025-01-01T00:00:00Z\n", "row.reader_id", "missing"),
        (b"plate,time,reader_id\n", "row", "missing"),
        (b"plate,time,reader_id\na,b,c\nd,e,f\n", "row", "missing"),
        (b"\xff\xfeplate", "row", "not_utf8"),
    ],
)
def test_row_refusals(message: bytes, field: str, reason: str) -> None:
    with pytest.raises(AdapterError) as exc:
        LprCsvAdapter(LprCsvOptions()).translate(message)
    assert (exc.value.field, exc.value.reason) == (field, reason)


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=14)


@settings(max_examples=200, deadline=None)
@given(
    plate=_cell,
    time=st.one_of(_cell, st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)),
    reader=_cell,
    conf=st.one_of(_cell, st.floats().map(str)),
)
def test_fuzzed_rows_are_valid_or_refused(plate: str, time: str, reader: str, conf: str) -> None:
    options = LprCsvOptions(columns=LprColumns(confidence="conf"))
    out = io.StringIO()
    csv.writer(out).writerows([["plate", "time", "reader_id", "conf"], [plate, time, reader, conf]])
    try:
        events: list[dict[str, Any]] = LprCsvAdapter(options).translate(out.getvalue().encode())
    except AdapterError as exc:
        assert exc.field.startswith("row") and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
