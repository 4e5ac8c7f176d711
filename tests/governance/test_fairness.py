"""The fairness report on real Chicago community areas and real red-light camera sites."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from shapely.geometry import Point, shape

from rtcc.app import create_app
from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.core.geo import Location
from rtcc.governance.fairness import compute_fairness
from rtcc.governance.fairness_areas import FairnessSettings, load_areas
from rtcc.governance.sensor_inventory import LPR_READER, Sensor
from rtcc.settings import Settings

AREAS = Path("boundaries") / "chicago_community_areas_acs2014.geojson"
CAMERAS = Path("cameras") / "chicago_red_light_camera_violations_by_camera_2014_2020.geojson"
GROUPS = {"Black": "Blk14", "White": "Wht14", "Hispanic": "Hisp14", "Asian": "AS14"}
WHAT_IF = "/api/v1/public/fairness/what-if"


def chicago(shared_data: Path) -> dict[str, Any]:
    """The `fairness:` settings for the Chicago community areas file."""
    return {
        "areas_path": shared_data / AREAS,
        "name_field": "community",
        "population_field": "Pop2014",
        "groups": GROUPS,
    }


def red_light_cameras(shared_data: Path) -> list[dict[str, Any]]:
    """Every Chicago red-light camera site as a `camera_status` registration."""
    features = json.loads((shared_data / CAMERAS).read_text())["features"]
    events = []
    for i, f in enumerate(features):
        lon, lat = f["geometry"]["coordinates"]
        events.append(
            {
                "kind": "camera_status",
                "id": f"rlc-{i}",
                "occurred_at": "2026-11-25T20:00:00Z",
                "location": {"lat": lat, "lon": lon},
                "payload": {"camera_id": f"rlc-{i}", "name": f["properties"]["INTERSECTION"]},
            }
        )
    return events


@pytest.fixture
def settings(tmp_path: Path, shared_data: Path) -> Settings:
    return Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", fairness=chicago(shared_data))


@pytest.fixture
def cameras(
    client: TestClient, ingest_headers: dict[str, str], shared_data: Path
) -> list[dict[str, Any]]:
    events = red_light_cameras(shared_data)
    response = client.post("/api/v1/events", json={"events": events}, headers=ingest_headers)
    assert response.status_code == 200 and response.json()["accepted"] == len(events) == 296
    return events


def _areas_by_name(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/public/fairness")
    assert response.status_code == 200
    return {f["properties"]["name"]: f["properties"] for f in response.json()["areas"]["features"]}


def test_cameras_per_area_equal_a_direct_shapely_count(
    client: TestClient, cameras: list[dict[str, Any]], shared_data: Path
) -> None:
    features = json.loads((shared_data / AREAS).read_text())["features"]
    points = [Point(c["location"]["lon"], c["location"]["lat"]) for c in cameras]
    expected = {}
    for f in features:
        polygon = shape(f["geometry"])
        expected[f["properties"]["community"]] = sum(polygon.contains(p) for p in points)
    got = _areas_by_name(client)
    assert {name: a["cameras"].get("fixed", 0) for name, a in got.items()} == expected
    assert sum(expected.values()) > 250  # nearly every site lies inside the city
    loop = got["LOOP"]
    assert loop["sensors"] == expected["LOOP"] > 0
    assert loop["sensors_per_1000"] == round(expected["LOOP"] / loop["population"] * 1000, 4)
    body = client.get("/api/v1/public/fairness").json()
    assert body["city"]["sensors"] == sum(expected.values())
    assert body["city"]["sensors_outside_areas"] == 296 - sum(expected.values())
    assert {g["group"] for g in body["groups"]} == set(GROUPS)


def test_alerts_are_counted_where_they_happened(
    client: TestClient, app: FastAPI, cameras: list[dict[str, Any]]
) -> None:
    now = utcnow()
    loop_site = Location(lat=41.8786, lon=-87.6251)  # State and Jackson, in the Loop
    app.state.services.storage.events.add_alerts(
        [
            Alert(f"a{i}", "gunshot_nearby", now, "critical", "Shots", f"e{i}", loop_site, {})
            for i in range(3)
        ]
    )
    loop = _areas_by_name(client)["LOOP"]
    assert loop["alerts"] == 3
    assert loop["alerts_per_1000"] == round(3 / loop["population"] * 1000, 4)


def test_what_if_changes_exactly_the_area_the_camera_falls_in(
    client: TestClient, app: FastAPI, cameras: list[dict[str, Any]], shared_data: Path
) -> None:
    features = json.loads((shared_data / AREAS).read_text())["features"]
    hyde_park = next(f for f in features if f["properties"]["community"] == "HYDE PARK")
    inside = shape(hyde_park["geometry"]).representative_point()
    before = _areas_by_name(client)["HYDE PARK"]["sensors"]
    proposal = {"cameras": [{"lat": inside.y, "lon": inside.x}, {"lat": 40.0, "lon": -80.0}]}
    response = client.post(WHAT_IF, json=proposal)
    assert response.status_code == 200, response.text
    result = response.json()
    assert [a["name"] for a in result["areas_changed"]] == ["HYDE PARK"]
    change = result["areas_changed"][0]
    assert (change["sensors_before"], change["sensors_after"]) == (before, before + 1)
    assert result["proposed"] == 2 and result["proposed_outside_areas"] == 1
    assert result["city_sensors_per_1000_after"] > result["city_sensors_per_1000_before"]
    # The proposal is not stored: the live state still holds the 296 real cameras only.
    stored = app.state.services.storage.events.entities()
    assert sum(e.entity_type == "camera" for e in stored) == len(cameras)


def test_what_if_refuses_bad_proposals_naming_the_field(client: TestClient) -> None:
    too_many = {"cameras": [{"lat": 41.88, "lon": -87.63}] * 51}
    response = client.post(WHAT_IF, json=too_many)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "cameras"]
    bad = client.post(WHAT_IF, json={"cameras": [{"lat": 141.0, "lon": -87.63}]})
    assert bad.status_code == 422
    error = bad.json()["detail"][0]
    assert error["loc"] == ["body", "cameras", 0, "lat"] and "90" in error["msg"]
    empty = client.post(WHAT_IF, json={"cameras": []})
    assert empty.status_code == 422


def test_without_neighbourhoods_the_report_says_so(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL"))) as c:
        assert c.get("/api/v1/public/fairness").json()["configured"] is False
        refused = c.post(WHAT_IF, json={"cameras": [{"lat": 41.88, "lon": -87.63}]})
        assert refused.status_code == 409
        assert refused.json()["error"]["field"] == "fairness.areas_path"
        assert "not configured" in c.get("/transparency/fairness").text


def _square(name: str, west: float, pop: int, x: int, y: int) -> dict[str, Any]:
    ring = [[west, 0.0], [west + 1, 0.0], [west + 1, 1.0], [west, 1.0], [west, 0.0]]
    return {
        "type": "Feature",
        "properties": {"name": name, "pop": pop, "x": x, "y": y},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_group_weighted_exposure_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "two.geojson"
    features = [_square("A", 0.0, 1000, 900, 100), _square("B", 1.0, 1000, 100, 900)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    areas = load_areas(
        FairnessSettings(areas_path=path, population_field="pop", groups={"X": "x", "Y": "y"})
    )
    assert areas is not None
    # Two sensors in A, none in B; one alert in B.
    sensors = [Sensor("fixed", 0.5, 0.5), Sensor(LPR_READER, 0.2, 0.7), Sensor("ptz", 5.0, 5.0)]
    figures = compute_fairness(areas, sensors, [(0.5, 1.5)])
    a, b = figures.areas
    assert (a.sensors, a.sensors_per_1000, b.sensors, b.alerts) == (2, 2.0, 0, 1)
    # City: 2 sensors / 2,000 residents = 1.0 per 1,000; 1 alert = 0.5 per 1,000.
    assert figures.city_sensor_rate == 1.0 and figures.city_alert_rate == 0.5
    x, y = figures.groups
    # X: (900 x 2.0 + 100 x 0) / 1000 = 1.8 per 1,000, 1.8 times the city rate.
    assert x.sensor_exposure == pytest.approx(1.8) and x.sensor_ratio == pytest.approx(1.8)
    assert y.sensor_exposure == pytest.approx(0.2) and y.sensor_ratio == pytest.approx(0.2)
    # Alerts: X (100 x 1.0) / 1000 = 0.1 → 0.2 of the city's 0.5; Y 0.9 → 1.8.
    assert x.alert_ratio == pytest.approx(0.2) and y.alert_ratio == pytest.approx(1.8)
    assert figures.sensors_outside == 1


def test_a_missing_field_is_refused_naming_file_feature_and_field(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    features = [_square("A", 0.0, 1000, 900, 100), _square("B", 1.0, 1000, 100, 900)]
    del features[1]["properties"]["y"]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(ValidationError) as refused:
        Settings(
            data_dir=tmp_path,
            fairness={
                "areas_path": path,
                "population_field": "pop",
                "groups": {"X": "x", "Y": "y"},
            },
        )
    message = str(refused.value)
    assert str(path) in message and "feature 1" in message and "'y'" in message
