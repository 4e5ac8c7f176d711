"""POST /api/v1/events: good items persist, bad ones are named, counted and never fatal."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.api.security import UNKNOWN_KEY_SOURCE
from tests.conftest import camera, gunshot, login_as, unit

URL = "/api/v1/events"


def _rejects(app: FastAPI) -> dict[tuple[str, str, str], int]:
    return {
        (r.source, r.field, r.reason): r.count
        for r in app.state.services.storage.events.reject_counts()
    }


def _stored(app: FastAPI) -> int:
    count: int = app.state.services.storage.events.count_events()
    return count


def test_batch_is_persisted_before_the_response(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    batch = [unit("P1", 39.96, -83.0), camera("CAM-1", 39.961, -83.0, 180.0), gunshot()]
    response = client.post(URL, json={"events": batch}, headers=ingest_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 3 and body["rejected"] == []
    for event_id in body["ids"]:
        stored = app.state.services.storage.events.get_event(event_id)
        assert stored is not None and stored["source"] == "test-feed"


def test_resent_event_is_not_stored_twice(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    first = client.post(URL, json={"events": [gunshot(ref="g-7")]}, headers=ingest_headers)
    again = client.post(URL, json={"events": [gunshot(ref="g-7")]}, headers=ingest_headers)
    assert first.json()["accepted"] == 1
    assert again.status_code == 200
    assert again.json() == {**again.json(), "accepted": 0, "duplicates": 1}
    assert _stored(app) == 1


def test_content_dedup_without_source_ids(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    item = gunshot()
    del item["id"]
    client.post(URL, json={"events": [item]}, headers=ingest_headers)
    client.post(URL, json={"events": [item]}, headers=ingest_headers)
    assert _stored(app) == 1


def _bad_items() -> list[tuple[dict[str, Any] | Any, str, str]]:
    no_zone = gunshot(ref="b1") | {"occurred_at": "2026-11-25T20:14:03"}
    wrong_type = gunshot(ref="b2")
    wrong_type["payload"] = {**wrong_type["payload"], "rounds": "4"}
    missing = gunshot(ref="b3")
    del missing["payload"]["detection_id"]
    out_of_range = unit("P9", 91.5, -83.0)
    unknown_kind = {"kind": "teleport", "occurred_at": "2026-11-25T20:14:03Z", "payload": {}}
    epoch_time = gunshot(ref="b4") | {"occurred_at": 1764100000}
    return [
        (no_zone, "occurred_at", "timezone_aware"),
        (wrong_type, "payload.rounds", "int_type"),
        (missing, "payload.detection_id", "missing"),
        (out_of_range, "location.lat", "less_than_equal"),
        (unknown_kind, "kind", "unknown_kind"),
        (epoch_time, "occurred_at", "value_error"),
        ("not an object", "(item)", "not_an_object"),
    ]


def test_each_bad_item_is_named_counted_and_good_items_kept(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    bad = _bad_items()
    batch = [gunshot(ref="good-1"), *[item for item, _, _ in bad], unit("P2", 39.96, -83.0)]
    response = client.post(URL, json={"events": batch}, headers=ingest_headers)
    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] == 2
    assert _stored(app) == 2
    named = {(r["index"], r["field"], r["reason"]) for r in body["rejected"]}
    for offset, (_, field, reason) in enumerate(bad, start=1):
        assert (offset, field, reason) in named, (field, reason, body["rejected"])
    assert all(r["message"] for r in body["rejected"])
    counts = _rejects(app)
    for _, field, reason in bad:
        assert counts[("test-feed", field, reason)] >= 1


def test_duplicate_ids_in_one_batch(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    batch = [gunshot(ref="same"), gunshot(ref="same", lat=39.97)]
    body = client.post(URL, json={"events": batch}, headers=ingest_headers).json()
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 1,
            "field": "id",
            "reason": "duplicate_id_in_batch",
            "message": "id 'same' already used by item 0 of this batch",
        }
    ]
    assert _rejects(app)[("test-feed", "id", "duplicate_id_in_batch")] == 1


def test_malformed_json(client: TestClient, app: FastAPI, ingest_headers: dict[str, str]) -> None:
    headers = {**ingest_headers, "Content-Type": "application/json"}
    response = client.post(URL, content=b'{"events": [', headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "body" and error["reason"] == "json_invalid"
    assert "malformed JSON" in error["message"]
    assert _rejects(app)[("test-feed", "body", "json_invalid")] == 1


def test_batch_size_limits(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    too_many = client.post(URL, json={"events": [gunshot()] * 5001}, headers=ingest_headers)
    assert too_many.status_code == 413
    assert too_many.json()["error"]["field"] == "events"
    assert "5001" in too_many.json()["error"]["message"]
    empty = client.post(URL, json={"events": []}, headers=ingest_headers)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "events"
    not_a_batch = client.post(URL, json=[gunshot()], headers=ingest_headers)
    assert not_a_batch.status_code == 422
    assert _stored(app) == 0
    counts = _rejects(app)
    assert counts[("test-feed", "events", "too_long")] == 1
    assert counts[("test-feed", "events", "too_short")] == 1


def test_largest_batch_is_accepted(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    batch = [
        unit(
            f"U{i % 40}",
            39.96 + i * 1e-6,
            -83.0,
            f"2026-11-25T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
        )
        for i in range(5000)
    ]
    response = client.post(URL, json={"events": batch}, headers=ingest_headers)
    assert response.status_code == 200 and response.json()["accepted"] == 5000


def test_unknown_api_key_is_refused_and_counted(client: TestClient, app: FastAPI) -> None:
    for key in ("rtcc_abc_def", "not-even-a-key"):
        response = client.post(
            URL, json={"events": [gunshot()]}, headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["field"] == "authorization"
    assert _rejects(app)[(UNKNOWN_KEY_SOURCE, "authorization", "unknown_api_key")] == 2
    assert _stored(app) == 0


def test_people_cannot_ingest(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "analyst")
    response = client.post(URL, json={"events": [gunshot()]})
    assert response.status_code == 403
    assert "lacks events.ingest" in response.json()["error"]["message"]


def test_ingest_keeps_working_after_bad_requests(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    client.post(URL, content=b"\xff\xfe", headers=ingest_headers)
    client.post(URL, json={"events": ["x"] * 3}, headers=ingest_headers)
    response = client.post(URL, json={"events": [gunshot(ref="after")]}, headers=ingest_headers)
    assert response.status_code == 200 and _stored(app) == 1
