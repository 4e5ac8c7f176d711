"""cad_csv: the three real CAD exports with their shipped option sets, and the edge cases."""

import collections
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError, split_messages
from rtcc.sources.cad_csv import CadCsvAdapter, CadCsvOptions

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "sources"
HEADER = "id,type,queued,arrived,lat,lon,unit,unit2\n"


def adapter_from(name: str, monkeypatch: pytest.MonkeyPatch) -> CadCsvAdapter:
    monkeypatch.chdir(REPO)  # the example map path is relative to the working directory
    options = CadCsvOptions.model_validate(yaml.safe_load((DOCS / f"{name}.yaml").read_text()))
    return CadCsvAdapter(options)


def run_file(
    adapter: CadCsvAdapter, path: Path
) -> tuple[list[dict[str, Any]], collections.Counter[str]]:
    events: list[dict[str, Any]] = []
    refused: collections.Counter[str] = collections.Counter()
    for message in split_messages("csv", path.read_bytes()):
        try:
            events.extend(adapter.translate(message))
        except AdapterError as exc:
            refused[f"{exc.field} {exc.reason}"] += 1
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    return events, refused


def small(**extra: Any) -> CadCsvAdapter:
    options: dict[str, Any] = {
        "incident_id": "id",
        "timezone": "America/Los_Angeles",
        "time_format": "%Y-%m-%d %H:%M:%S",
        "timeline": [
            {"status": "created", "column": "queued"},
            {"status": "on_scene", "column": "arrived"},
        ],
        "call_type": "type",
        "lat": "lat",
        "lon": "lon",
        "units": ["unit", "unit2"],
    }
    options.update(extra)
    return CadCsvAdapter(CadCsvOptions.model_validate(options))


def test_seattle_911_incident_response_day(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = adapter_from("cad_csv_seattle", monkeypatch)
    path = shared_data / "cad" / "seattle_spd_911_incident_response_2016-03-25.csv"
    events, refused = run_file(adapter, path)
    assert not refused
    statuses = collections.Counter(e["payload"]["status"] for e in events)
    assert statuses == {"closed": 706, "on_scene": 271}  # At Scene Time is blank for 435 rows
    first = events[0]  # 16000104006: at scene 10:25:51 PM PDT, cleared 11:58:30 PM PDT
    assert first["id"] == "16000104006:on_scene:1458969951"
    assert first["occurred_at"] == "2016-03-26T05:25:51+00:00"
    assert first["location"] == {"lat": 47.598347, "lon": -122.32245}
    assert first["payload"]["call_type"] == "THEFT-CAR-PROWL"  # code 063 via the example map
    assert first["payload"]["description"] == "THEFT - CAR PROWL"
    assert first["payload"]["priority"] == 4 and first["payload"]["district"] == "K3"
    assert events[1]["occurred_at"] == "2016-03-26T06:58:30+00:00"
    assert all(e["payload"]["call_type"] != "UNKNOWN" for e in events)  # every code is mapped


def test_seattle_call_data_c3_queue_and_arrival(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = adapter_from("cad_csv_seattle_c3", monkeypatch)
    path = shared_data / "cad" / "seattle_spd_call_data_eastprecinct_C3_2018-2023.csv"
    events, refused = run_file(adapter, path)
    assert not refused
    statuses = collections.Counter(e["payload"]["status"] for e in events)
    assert statuses == {"created": 222, "on_scene": 186}  # 36 rows never arrived
    created, arrived = events[0], events[1]
    assert created["occurred_at"] == "2023-11-05T01:08:26+00:00"  # 6:08:26 PM PDT
    assert arrived["occurred_at"] == "2023-11-05T01:51:06+00:00"
    assert created["payload"]["priority"] == 2 and created["payload"]["district"] == "C3"
    assert created["location"] == {"lat": 47.6176603, "lon": -122.28112}
    long_types = [e for e in events if len(e["payload"].get("description") or "") > 32]
    assert long_types and all(len(e["payload"]["call_type"]) <= 32 for e in events)


def test_wilmington_shotspotter_cad_timeline(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = adapter_from("cad_csv_wilmington", monkeypatch)
    path = shared_data / "gunshot" / "wilmington_nc_shotspotter_cad_calls.csv"
    events, refused = run_file(adapter, path)
    assert not refused
    statuses = collections.Counter(e["payload"]["status"] for e in events)
    # "NULL" dispatch/arrival times (DUP / cancelled alerts) produce no step.
    assert statuses == {
        "created": 1268,
        "dispatched": 1049,
        "enroute": 954,
        "on_scene": 968,
        "closed": 1268,
    }
    assert len({e["payload"]["incident_id"] for e in events}) == 1260  # 8 double CAD records
    assert sum("location" not in e for e in events) == 231  # 82 rows without coordinates
    first = events[:5]
    assert [e["occurred_at"] for e in first] == [
        "2013-01-01T05:01:10+00:00",
        "2013-01-01T05:07:37+00:00",
        "2013-01-01T05:07:37+00:00",
        "2013-01-01T05:10:35+00:00",
        "2013-01-01T05:12:57+00:00",
    ]
    assert first[0]["payload"]["units"] == ["306"] and first[0]["payload"]["priority"] == 1
    assert first[0]["payload"]["call_type"] == "SHOTSPOTTER"


def test_blank_coordinates_mean_no_location_and_units_skip_blanks() -> None:
    events = small().translate((HEADER + "A1,THEFT,2026-01-05 10:00:00,,,,  ,U7\n").encode())
    assert len(events) == 1 and "location" not in events[0]
    assert events[0]["payload"]["units"] == ["U7"]
    assert events[0]["occurred_at"] == "2026-01-05T18:00:00+00:00"


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("A1,THEFT,2026-01-05 10:00:00,,95.5,-122.3,,", "row.lat", "out_of_range"),
        ("A1,THEFT,2026-01-05 10:00:00,,47.6,-222.3,,", "row.lon", "out_of_range"),
        ("A1,THEFT,2026-01-05 10:00:00,,47.6,,,", "row.lon", "missing"),
        ("A1,THEFT,2026-01-05 10:00:00,,nan,-122.3,,", "row.lat", "out_of_range"),
        ("A1,THEFT,05/01/2026,,,,,", "row.queued", "bad_timestamp"),
        ("A1,THEFT,,,,,,", "row.queued", "missing"),
        (",THEFT,2026-01-05 10:00:00,,,,,", "row.id", "missing"),
        ("A1,,2026-01-05 10:00:00,,,,,", "row.type", "missing"),
    ],
)
def test_refusals_name_the_column(row: str, field: str, reason: str) -> None:
    with pytest.raises(AdapterError) as refused:
        small().translate((HEADER + row + "\n").encode())
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_zero_zero_is_no_fix_and_dst_gap_and_fold() -> None:
    adapter = small()
    row = "A1,THEFT,2026-03-08 02:30:00,2026-11-01 01:30:00,0,0,,\n"
    created, arrived = adapter.translate((HEADER + row).encode())
    assert "location" not in created
    assert created["occurred_at"] == "2026-03-08T10:30:00+00:00"  # non-existent 02:30 → PDT rule
    assert arrived["occurred_at"] == "2026-11-01T08:30:00+00:00"  # ambiguous 01:30 → first (PDT)


def test_code_maps_inline_csv_and_yaml(tmp_path: Path) -> None:
    csv_map = tmp_path / "codes.csv"
    csv_map.write_text("code,call_type,description,priority\n245,DISTURBANCE,Disturbance,3\n")
    adapter = small(call_type_map_file=str(csv_map), call_type_map={"THEFT": "THEFT-OTHER"})
    rows = "A1,245,2026-01-05 10:00:00,,,,,\nA2,THEFT,2026-01-05 10:00:00,,,,,\n"
    first, second = adapter.translate((HEADER + rows).encode())
    assert first["payload"]["call_type"] == "DISTURBANCE"
    assert first["payload"]["description"] == "Disturbance"
    assert second["payload"]["call_type"] == "THEFT-OTHER"
    yaml_map = tmp_path / "codes.yaml"
    yaml_map.write_text('"063": {call_type: CAR-PROWL, priority: 4}\n"245": DISTURBANCE\n')
    event = small(call_type_map_file=str(yaml_map)).translate(
        (HEADER + "A3,063,2026-01-05 10:00:00,,,,,\n").encode()
    )[0]
    assert event["payload"]["call_type"] == "CAR-PROWL" and event["payload"]["priority"] == 4


def test_single_event_mode_with_status_column() -> None:
    adapter = small(
        timeline=[],
        occurred_at="queued",
        status_column="arrived",
        status_map={"DISP": "dispatched", "CLR": "closed"},
    )
    event = adapter.translate((HEADER + "A1,THEFT,2026-01-05 10:00:00,CLR,,,,\n").encode())[0]
    assert event["payload"]["status"] == "closed" and event["id"] == "A1:closed:1767636000"
    with pytest.raises(AdapterError) as refused:
        adapter.translate((HEADER + "A1,THEFT,2026-01-05 10:00:00,XYZ,,,,\n").encode())
    assert refused.value.reason == "unknown_status"


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        CadCsvOptions.model_validate(
            {"incident_id": "id", "timezone": "Mars/Base", "occurred_at": "t", "call_type": "c"}
        )
    with pytest.raises(ValueError):
        CadCsvOptions.model_validate({"incident_id": "id", "timezone": "UTC", "call_type": "c"})
    with pytest.raises(ValueError):
        CadCsvOptions.model_validate(
            {
                "incident_id": "id",
                "timezone": "UTC",
                "occurred_at": "t",
                "call_type": "c",
                "lat": "y",
            }
        )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=8, max_size=8))
def test_fuzzed_rows_never_crash(cells: list[str]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerow(cells)
    try:
        events = small().translate((HEADER + out.getvalue()).encode())
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)


def test_refusals_have_a_message_when_blank_is_not_a_null_value() -> None:
    """Found by fuzzing: with "" left out of null_values, a blank number or status was
    refused with an empty message."""
    adapter = small(null_values=["NULL"], priority="unit")
    with pytest.raises(AdapterError) as blank_number:
        adapter.translate((HEADER + "A1,THEFT,2026-01-05 10:00:00,,,,,\n").encode())
    assert blank_number.value.reason == "not_a_number" and blank_number.value.message
    no_location = {"lat": None, "lon": None, "timeline": [], "occurred_at": "queued"}
    single = small(null_values=["NULL"], status_column="arrived", **no_location)
    with pytest.raises(AdapterError) as blank_status:
        single.translate((HEADER + "A1,THEFT,2026-01-05 10:00:00,,,,,\n").encode())
    assert blank_status.value.reason == "unknown_status"
    assert blank_status.value.message == "unknown status ''"
