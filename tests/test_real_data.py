"""Real public data through the real ingest path (files in ../shared/data, see SOURCES.md)."""

import csv
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.core.geo import haversine_m
from tests.conftest import login_as

SF = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")


def _sf_shot(row: dict[str, str]) -> dict[str, Any]:
    local = datetime.strptime(f"{row['Date']} {row['Time']}", "%d-%b-%y %H:%M:%S")
    classification = {"Multiple_Gunshots": "multiple_gunshots", "Single_Gunshot": "single_gunshot"}
    return {
        "kind": "gunshot",
        "id": f"sf-{row['ID']}",
        "occurred_at": local.replace(tzinfo=SF).isoformat(),
        "location": {"lat": float(row["Latitude"]), "lon": float(row["Longitude"])},
        "payload": {
            "detection_id": row["ID"],
            "rounds": int(row["Rnds"]),
            "classification": classification.get(row["Type"], "possible_gunshot"),
        },
    }


def test_san_francisco_shotspotter_alerts_ingest(
    shared_data: Path, client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    path = shared_data / "gunshot" / "sf_shotspotter_2013_2015.csv"
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))[:1000]
    batch = [_sf_shot(row) for row in rows]
    blank_ids = [i for i, row in enumerate(rows) if not row["ID"]]
    assert blank_ids, "the real file has detections without an ID"
    response = client.post("/api/v1/events", json={"events": batch}, headers=ingest_headers)
    body = response.json()
    # Rows without an ID are refused, named, and do not cost the others.
    assert response.status_code == 422
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [
        (i, "payload.detection_id") for i in blank_ids
    ]
    assert body["accepted"] == 1000 - len(blank_ids)
    first = app.state.services.storage.events.get_event(body["ids"][0])
    # 1-Jan-13 0:01:47 Pacific is 08:01:47 UTC.
    assert first["occurred_at"] == "2013-01-01T08:01:47.000000+00:00"
    assert first["payload"]["rounds"] == 6
    # Every stored detection belongs to an incident and every incident raised one alert:
    # a shot within 300 m and 10 min of an earlier one joins its incident (docs/gunshot.md).
    events = app.state.services.storage.events
    incidents = {events.get_event(i)["payload"]["incident_id"] for i in body["ids"]}
    assert None not in incidents
    assert len(events.recent_alerts(2000)) == len(incidents) < body["accepted"]


def _nyc_cameras(shared_data: Path) -> list[dict[str, Any]]:
    with (shared_data / "cameras" / "nyc_dot_traffic_cameras_nyctmc.csv").open() as f:
        return list(csv.DictReader(f))


def test_bronx_shootings_find_the_real_nearest_nyc_dot_cameras(
    shared_data: Path, client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    cameras = _nyc_cameras(shared_data)
    registrations = [
        {
            "kind": "camera_status",
            "id": f"nyc-dot-{c['camera_id']}",
            "occurred_at": "2019-01-01T00:00:00Z",
            "location": {"lat": float(c["lat"]), "lon": float(c["lon"])},
            # Traffic-management cameras pan; with no fixed heading, any bearing is in reach.
            "payload": {"camera_id": c["camera_id"], "name": c["name"][:200], "camera_type": "ptz"},
        }
        for c in cameras
    ]
    response = client.post("/api/v1/events", json={"events": registrations}, headers=ingest_headers)
    assert response.json()["accepted"] == len(cameras) == 723

    with (shared_data / "incidents" / "crimemappingdata" / "bronx_shootings.csv").open() as f:
        # NYPD repeats an incident_key once per victim: one shooting, one detection.
        shootings = list({s["incident_key"]: s for s in csv.DictReader(f)}.values())[:40]
    shots = [
        {
            "kind": "gunshot",
            "id": f"bx-{s['incident_key']}",
            "occurred_at": datetime.fromisoformat(s["occur_date"]).replace(tzinfo=NY).isoformat(),
            "location": {"lat": float(s["latitude"]), "lon": float(s["longitude"])},
            "payload": {"detection_id": s["incident_key"]},
        }
        for s in shootings
    ]
    response = client.post("/api/v1/events", json={"events": shots}, headers=ingest_headers)
    assert response.status_code == 200, response.json()["rejected"][:3]
    login_as(client, app, "analyst")
    alerts = {a["event_id"]: a for a in client.get("/api/v1/alerts?limit=100").json()}
    for event_id, shot in zip(response.json()["ids"], shots, strict=True):
        lat, lon = shot["location"]["lat"], shot["location"]["lon"]
        expected = sorted(
            (haversine_m(lat, lon, float(c["lat"]), float(c["lon"])), c["camera_id"])
            for c in cameras
        )
        expected_ids = [cid for d, cid in expected if d <= 1000.0][:8]
        found = alerts[event_id]["detail"]["cameras"]
        assert [c["camera_id"] for c in found] == expected_ids


def test_seattle_cad_day_ingests_as_incident_lifecycle(
    shared_data: Path, client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    seattle = ZoneInfo("America/Los_Angeles")
    path = shared_data / "cad" / "seattle_spd_911_incident_response_2016-03-25.csv"
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    batch = []
    for row in rows:
        cleared = datetime.strptime(row["Event Clearance Date"], "%m/%d/%Y %I:%M:%S %p")
        location = (
            {"lat": float(row["Latitude"]), "lon": float(row["Longitude"])}
            if row["Latitude"]
            else None
        )
        batch.append(
            {
                "kind": "cad_incident",
                "id": f"{row['CAD Event Number']}-closed",
                "occurred_at": cleared.replace(tzinfo=seattle).isoformat(),
                "location": location,
                "payload": {
                    "incident_id": row["CAD Event Number"],
                    "status": "closed",
                    "call_type": row["Event Clearance Code"] or "UNKNOWN",
                    "description": row["Event Clearance Description"][:200] or None,
                    "address": row["Hundred Block Location"][:200] or None,
                    "district": row["District/Sector"] or None,
                },
            }
        )
    response = client.post("/api/v1/events", json={"events": batch}, headers=ingest_headers)
    assert response.status_code == 200, response.json()["rejected"][:3]
    assert response.json()["accepted"] == len(rows) == 706
    login_as(client, app, "analyst")
    state = client.get("/api/v1/state").json()
    assert state["incidents"] == []  # every call of that day was closed
