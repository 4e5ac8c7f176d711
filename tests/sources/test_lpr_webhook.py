"""The Flock-style ALPR webhook: single reads, batches, plate normalisation, bad reads."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.lpr import LprWebhookAdapter, LprWebhookOptions, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "lpr_webhook"
READ = {"timestamp": "2025-05-02T14:03:11Z", "plate": "7ABC123", "cameraId": "cam-1"}


def translate(body: Any, **options: Any) -> list[dict[str, Any]]:
    adapter = LprWebhookAdapter(LprWebhookOptions(**options))
    events = adapter.translate(json.dumps(body).encode())
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    return events


def test_hotlist_alert_fixture() -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    [event] = adapter.translate((FIXTURES / "good" / "flock_hotlist_alert.json").read_bytes())
    assert event == {
        "kind": "lpr_read",
        "id": "9f1c2d7e-4b1a-4c55-8d2e-1f6a0c3b9e21",
        "occurred_at": "2025-05-02T14:03:11.482000+00:00",
        "location": {"lat": 37.33482, "lon": -121.88811},
        "payload": {
            "reader_id": "a2c4e6f8-1111-4bbb-9ccc-0d0e0f101112",
            "plate": "7ABC123",
            "plate_state": "CA",
            "confidence": 0.97,
            "direction_deg": 0.0,  # "Northbound" (the read's travel), not the camera heading
            "vehicle": "Silver Toyota Camry Sedan",
            "hotlist": "NCIC Stolen Vehicle",
            "image_ref": "https://images.example.org/reads/9f1c2d7e-4b1a-4c55-8d2e-1f6a0c3b9e21/full.jpg",
        },
    }
    assert adapter.problems == []


def test_batch_fixture() -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    events = adapter.translate((FIXTURES / "good" / "flock_read_batch.json").read_bytes())
    assert [e["payload"]["plate"] for e in events] == ["ABC1234", "KJT0091", "HX4221"]
    assert events[0]["occurred_at"] == "2025-05-02T14:03:11+00:00"  # -07:00 → UTC
    assert events[0]["payload"]["plate_state"] == "TX"  # from "US-TX"
    assert events[0]["payload"]["confidence"] == pytest.approx(0.88)  # 88 %
    assert events[1]["occurred_at"] == "2025-05-02T14:04:11+00:00"  # epoch ms
    assert events[1]["payload"]["direction_deg"] == 180.0  # "SB"
    assert events[2]["id"] == "TX-AUS-0043-1746194702000-HX4221"  # no vendor id: derived
    assert "location" not in events[2]


def test_batch_skips_bad_reads_and_lists_them() -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    body = [READ, {**READ, "plate": " - "}, "not a read", {**READ, "plate": "ZZZ999"}]
    events = adapter.translate(json.dumps(body).encode())
    assert [e["payload"]["plate"] for e in events] == ["7ABC123", "ZZZ999"]
    assert adapter.problems == [
        Problem(1, "plate", "empty", "' - ' holds no plate characters"),
        Problem(2, "read", "not_an_object", "a read must be a JSON object"),
    ]
    adapter.translate(json.dumps(READ).encode())
    assert adapter.problems == []  # reset per message


def test_long_image_url_is_dropped_not_the_read() -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    [event] = adapter.translate(json.dumps({**READ, "imageUrl": "h" * 600}).encode())
    assert "image_ref" not in event["payload"]
    assert adapter.problems == [
        Problem(0, "imageUrl", "too_long", "longer than 500 characters, dropped", skipped=False)
    ]


@pytest.mark.parametrize(
    ("raw", "plate"),
    [("abc 123", "ABC123"), ("ABC-123", "ABC123"), (" 7.ab·c ", "7ABC"), (1234567, "1234567")],
)
def test_plates_are_normalised(raw: Any, plate: str) -> None:
    assert translate({**READ, "plate": raw})[0]["payload"]["plate"] == plate


@pytest.mark.parametrize(
    ("value", "degrees"),
    [(90, 90.0), (-90, 270.0), ("370", 10.0), ("NE", 45.0), ("west bound", 270.0), ("EB", 90.0)],
)
def test_directions(value: Any, degrees: float) -> None:
    assert translate({**READ, "direction": value})[0]["payload"]["direction_deg"] == degrees


def test_naive_time_needs_the_timezone_option() -> None:
    naive = {**READ, "timestamp": "2025-05-02 07:03:11"}
    event = translate(naive, timezone="America/Los_Angeles")[0]
    assert event["occurred_at"] == "2025-05-02T14:03:11+00:00"


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({**READ, "plate": "ÄBC123"}, "plate", "bad_chars"),
        ({**READ, "plate": "ABCDEFGHIJK"}, "plate", "too_long"),
        ({k: v for k, v in READ.items() if k != "plate"}, "plate", "missing"),
        ({**READ, "plateState": "California"}, "plateState", "bad_state"),
        ({**READ, "confidence": 150}, "confidence", "out_of_range"),
        ({**READ, "latitude": 41.0}, "longitude", "missing"),
        (
            {**READ, "camera": {"id": "c", "longitude": "east"}, "latitude": 1},
            "camera.longitude",
            "not_a_number",
        ),
        ({**READ, "timestamp": -5}, "timestamp", "bad_timestamp"),
        ({**READ, "cameraId": "x" * 65}, "cameraId", "too_long"),
        ("just a string", "body", "not_an_object"),
        ({"reads": []}, None, None),
    ],
)
def test_refusals(body: Any, field: str | None, reason: str | None) -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    if field is None:
        assert adapter.translate(json.dumps(body).encode()) == []
        return
    with pytest.raises(AdapterError) as exc:
        adapter.translate(json.dumps(body).encode())
    assert (exc.value.field, exc.value.reason) == (field, reason)


_read = st.fixed_dictionaries(
    {
        "plate": st.one_of(st.text(max_size=14), st.integers(), st.none()),
        "timestamp": st.one_of(st.text(max_size=30), st.integers(-(10**15), 10**15)),
        "cameraId": st.one_of(st.text(max_size=70), st.none()),
        "confidence": st.one_of(st.floats(allow_nan=True), st.none()),
        "direction": st.one_of(
            st.floats(allow_nan=False, allow_infinity=True), st.text(max_size=8)
        ),
        "latitude": st.floats(-100, 100),
        "longitude": st.floats(-200, 200),
        "plateState": st.text(max_size=6),
    }
)


@settings(max_examples=200, deadline=None)
@given(body=st.one_of(_read, st.lists(_read, max_size=4)))
def test_fuzzed_reads_are_valid_or_refused(body: Any) -> None:
    adapter = LprWebhookAdapter(LprWebhookOptions())
    try:
        events = adapter.translate(json.dumps(body).encode())
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)


def test_alias_precedence_and_case() -> None:
    """Field names match in any case; of several aliases present the first listed wins
    (a null or object value does not count), and of keys differing only in case, the
    last one is read; the top level wins over the nested `camera` object."""
    read = {
        "PLATENUMBER": "ZZZ999",  # a later alias than "plate"
        "Plate": None,
        "plate": "ABC123",  # the last of the case-folded "plate" keys
        "timeStamp": "2025-05-02T14:03:11Z",
        "readerid": "reader-2",  # ranks after cameraId
        "CAMERA_ID": {"nested": True},  # an object: skipped
        "camera": {"id": "cam-nested", "Lat": 1.5, "LNG": 2.5},
        "Latitude": 3.5,
    }
    [event] = translate(read)
    assert event["payload"]["plate"] == "ABC123"
    assert event["payload"]["reader_id"] == "reader-2"
    assert event["location"] == {"lat": 3.5, "lon": 2.5}
    [flagged] = translate({**READ, "hotlist": True, "alert": {"name": "Stolen"}})
    assert flagged["payload"]["hotlist"] == "Stolen"  # `true` is a flag; the alert names it
