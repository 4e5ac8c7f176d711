"""The envelope: strict at the edge, UTC inside, stable dedup keys."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER, EventKind, event_from_wire
from tests.conftest import gunshot, unit


def test_offsets_are_normalised_to_utc() -> None:
    item = EVENT_IN_ADAPTER.validate_python(
        gunshot() | {"occurred_at": "2026-11-25T15:14:03-05:00"}
    )
    event = event_from_wire(item, "feed", datetime.now(UTC))
    assert event.occurred_at == datetime(2026, 11, 25, 20, 14, 3, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC
    assert event.kind is EventKind.GUNSHOT
    assert event.to_wire()["occurred_at"] == "2026-11-25T20:14:03.000000+00:00"


def test_dedup_key_is_scoped_to_the_source() -> None:
    item = EVENT_IN_ADAPTER.validate_python(gunshot(ref="abc"))
    now = datetime.now(UTC)
    assert event_from_wire(item, "a", now).dedup_key == "a/gunshot/abc"
    assert event_from_wire(item, "b", now).dedup_key != event_from_wire(item, "a", now).dedup_key


def test_content_hash_dedup_is_stable_and_sensitive() -> None:
    a, b = gunshot(), gunshot(lat=39.97)
    for item in (a, b):
        del item["id"]
    now = datetime.now(UTC)
    key = event_from_wire(EVENT_IN_ADAPTER.validate_python(a), "s", now).dedup_key
    later = now + timedelta(seconds=3)
    assert event_from_wire(EVENT_IN_ADAPTER.validate_python(a), "s", later).dedup_key == key
    assert event_from_wire(EVENT_IN_ADAPTER.validate_python(b), "s", now).dedup_key != key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"location": None}, "location"),
        ({"location": {"lat": 39.9, "lon": -181.0}}, "location.lon"),
        ({"location": {"lat": "39.9", "lon": -83.0}}, "location.lat"),
        ({"surprise": 1}, "surprise"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_strict_edge(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        EVENT_IN_ADAPTER.validate_python(gunshot() | change)
    locs = [".".join(str(p) for p in e["loc"][1:]) for e in exc.value.errors()]
    assert field in locs


def test_payload_models_cover_the_seed_kinds() -> None:
    assert {k.value for k in EventKind} >= {
        "cad_incident",
        "caller_location",
        "unit_position",
        "lpr_read",
        "gunshot",
        "camera_status",
    }
    plate = {
        "kind": "lpr_read",
        "occurred_at": "2026-11-25T20:14:03+00:00",
        "location": {"lat": 39.96, "lon": -83.0},
        "payload": {"reader_id": "LPR-3", "plate": "abc123"},
    }
    with pytest.raises(ValidationError, match="pattern"):
        EVENT_IN_ADAPTER.validate_python(plate)
    plate["payload"] = {"reader_id": "LPR-3", "plate": "ABC123", "hotlist": "NCIC stolen"}
    assert EVENT_IN_ADAPTER.validate_python(plate).kind == "lpr_read"


def test_unit_position_requires_a_location() -> None:
    item = unit("P1", 39.9, -83.0)
    del item["location"]
    with pytest.raises(ValidationError, match="location"):
        EVENT_IN_ADAPTER.validate_python(item)


def test_other_zones_are_accepted_but_stored_as_utc() -> None:
    tz = timezone(timedelta(hours=9))
    item = EVENT_IN_ADAPTER.validate_python(
        gunshot() | {"occurred_at": "2026-11-26T05:14:03+09:00"}
    )
    assert item.occurred_at.utcoffset() == tz.utcoffset(None)
    assert event_from_wire(item, "s", datetime.now(UTC)).occurred_at.hour == 20
