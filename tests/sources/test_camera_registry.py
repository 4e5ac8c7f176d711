"""Camera registries: OSM/DeFlock ALPR GeoJSON, NYC DOT CSV, Chicago and Toronto red-light."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.cameras import CameraRegistryAdapter, CameraRegistryOptions, Problem

AT = "2025-10-04T00:00:00Z"


def load(path: Path, **options: Any) -> tuple[list[dict[str, Any]], CameraRegistryAdapter]:
    adapter = CameraRegistryAdapter(CameraRegistryOptions(registered_at=AT, **options))
    events = adapter.translate(path.read_bytes())
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    return events, adapter


def test_osm_alpr_illinois(shared_data: Path) -> None:
    path = shared_data / "cameras" / "osm_alpr_deflock" / "osm_alpr_Illinois.geojson"
    events, adapter = load(path, id_prefix="osm:")
    assert len(events) == 2422
    assert adapter.problems == []
    by_id = {e["payload"]["camera_id"]: e for e in events}
    first = events[0]
    assert first["id"] == "osm:235538250:20251004T000000Z"
    assert first["occurred_at"] == "2025-10-04T00:00:00+00:00"
    assert first["location"] == {"lat": 42.168572, "lon": -88.126047}
    assert first["payload"]["heading_deg"] == 180.0
    # "180;160;170;150;190": several view directions, the first is taken
    many = by_id["osm:2986637275"]["payload"]
    assert many["heading_deg"] == 180.0
    # "Flock Safety" operator + brand; "village of lincolnshire" with no direction at all
    assert by_id["osm:2198932492"]["payload"]["owner"] == "Flock Safety"
    assert by_id["osm:2198932492"]["payload"]["heading_deg"] == 0.0
    assert by_id["osm:2399926820"]["payload"]["owner"] == "village of lincolnshire"
    assert "heading_deg" not in by_id["osm:2399926820"]["payload"]
    assert sum("heading_deg" in e["payload"] for e in events) == 2400  # 22 have none
    headings = [e["payload"]["heading_deg"] for e in events if "heading_deg" in e["payload"]]
    assert all(0 <= h < 360 for h in headings)  # "-90", "360", "361" normalised
    assert Counter(e["payload"]["camera_type"] for e in events) == Counter({"fixed": 2422})


def test_osm_california_is_over_the_message_limit(shared_data: Path) -> None:
    path = shared_data / "cameras" / "osm_alpr_deflock" / "osm_alpr_California.geojson"
    with pytest.raises(AdapterError) as exc:
        load(path)
    assert exc.value.reason == "too_large"


def test_nyc_dot_traffic_cameras_csv(shared_data: Path) -> None:
    path = shared_data / "cameras" / "nyc_dot_traffic_cameras_nyctmc.csv"
    events, adapter = load(
        path, format="csv", id_field="camera_id", id_prefix="nyctmc:", camera_type="ptz"
    )
    assert len(events) == 723 and adapter.problems == []
    assert events[0]["payload"] == {
        "camera_id": "nyctmc:368",
        "name": "1 Ave @ 110 St",
        "camera_type": "ptz",
        "fov_deg": 90.0,
        "range_m": 150.0,
    }
    assert events[0]["location"] == {"lat": 40.79142677512476, "lon": -73.93807411193848}


def test_chicago_red_light_cameras_have_ids_from_coordinates(shared_data: Path) -> None:
    path = (
        shared_data / "cameras" / "chicago_red_light_camera_violations_by_camera_2014_2020.geojson"
    )
    events, _ = load(path, id_field=None, id_prefix="chi-rlc:", name_fields=["INTERSECTION"])
    assert len(events) == 296
    assert len({e["id"] for e in events}) == 296
    assert len({e["payload"]["name"] for e in events}) == 179  # intersections
    assert events[0]["payload"]["camera_id"] == "chi-rlc:41.692263_-87.642523"
    assert events[0]["payload"]["name"] == "111TH AND HALSTED"


@pytest.mark.parametrize("name", ["toronto_rlc_locations.csv", "toronto_rlc_locations.geojson"])
def test_toronto_red_light_cameras_skip_repeated_signals(shared_data: Path, name: str) -> None:
    options: dict[str, Any] = {
        "id_field": "PX",
        "id_prefix": "to-rlc:",
        "name_fields": ["Main", "Side_1_Rou", "Side_2_Rou"],
    }
    if name.endswith(".csv"):
        options |= {"format": "csv", "lat_field": "Latitude", "lon_field": "Longitude"}
    events, adapter = load(shared_data / "cameras" / name, **options)
    assert len(events) == 145  # 154 rows, 9 repeat a PX (same signal, coordinates ~1e-7 off)
    assert Counter((p.field, p.reason) for p in adapter.problems) == Counter(
        {("id", "duplicate"): 9}
    )
    assert events[0]["payload"]["name"] == "JARVIS ST & ISABELLA ST"
    assert events[0]["location"] == {"lat": 43.66883844, "lon": -79.37965121}


def test_bad_records_are_skipped_and_listed() -> None:
    fixture = Path(__file__).parent / "fixtures" / "camera_registry" / "good"
    events, adapter = load(fixture / "mixed_registry.geojson")
    assert [e["payload"]["camera_id"] for e in events] == ["2986637275", "school-cam_7", "77", "80"]
    assert [e["payload"].get("heading_deg") for e in events] == [180.0, 45.0, 270.0, None]
    assert adapter.problems == [
        Problem(3, "geometry.coordinates[1]", "missing", "no coordinate"),
        Problem(4, "geometry.coordinates[1]", "out_of_range", "141.92 is outside ±90"),
        Problem(5, "properties.direction", "bad_direction", "'up' is not a heading", False),
    ]


def test_csv_rows_with_bad_coordinates() -> None:
    data = b"id,lat,lon\na,40.1,-73.9\nb,,-73.9\nc,40.1,x\nd,-91,0\n"
    events, adapter = load_bytes(data, format="csv")
    assert [e["payload"]["camera_id"] for e in events] == ["a"]
    assert [(p.index, p.field, p.reason) for p in adapter.problems] == [
        (1, "row.lat", "missing"),
        (2, "row.lon", "not_a_number"),
        (3, "row.lat", "out_of_range"),
    ]
    with pytest.raises(AdapterError) as exc:
        load_bytes(b"id,latitude,lon\na,1,2\n", format="csv")
    assert (exc.value.field, exc.value.reason) == ("row.lat", "missing")


def load_bytes(data: bytes, **options: Any) -> tuple[list[dict[str, Any]], CameraRegistryAdapter]:
    adapter = CameraRegistryAdapter(CameraRegistryOptions(registered_at=AT, **options))
    return adapter.translate(data), adapter


def test_registered_at_is_required_with_a_zone_and_sets_the_id() -> None:
    with pytest.raises(ValidationError):
        CameraRegistryOptions.model_validate({})
    with pytest.raises(ValidationError):
        CameraRegistryOptions(registered_at="2025-10-04T00:00:00")
    with pytest.raises(ValidationError):
        CameraRegistryOptions(registered_at=AT, id_prefix="bad prefix")
    doc = b'{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}'
    later = CameraRegistryOptions(registered_at="2025-10-05T02:00:00+02:00")
    [event] = CameraRegistryAdapter(later).translate(doc)
    assert event["occurred_at"] == "2025-10-05T00:00:00+00:00"
    assert event["id"] == "2.000000_1.000000:20251005T000000Z"
    assert load_bytes(doc)[0] == load_bytes(doc)[0]  # a replayed file yields the same events


def test_empty_collection_is_no_cameras() -> None:
    events, adapter = load_bytes(b'{"type": "FeatureCollection", "features": []}')
    assert events == [] and adapter.problems == []


_feature = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "geometry": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["Point", "Polygon"]),
                    "coordinates": st.lists(
                        st.one_of(st.floats(allow_nan=True), st.text(max_size=4), st.none()),
                        max_size=3,
                    ),
                }
            ),
        ),
        "properties": st.dictionaries(
            st.sampled_from(["id", "direction", "name", "operator", "tags"]),
            st.one_of(st.text(max_size=80), st.integers(), st.floats(), st.none()),
        ),
    }
)


@settings(max_examples=200, deadline=None)
@given(features=st.lists(_feature, max_size=5))
def test_fuzzed_collections_are_valid_or_refused(features: list[dict[str, Any]]) -> None:
    doc = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    try:
        events, adapter = load_bytes(doc)
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
    assert len(events) + sum(p.skipped for p in adapter.problems) == len(features)
