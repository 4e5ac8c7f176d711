"""GET /api/v1/latency and /latency: every hop of a gunshot, per feed, rule and channel."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.settings import Settings
from tests.conftest import gunshot, login_as
from tests.outputs.receiver import Receiver, receiver


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as rx:
        yield rx


@pytest.fixture
def app(tmp_path: Path, hook: Receiver) -> FastAPI:
    """The default app with one webhook channel, so an alert is delivered somewhere."""
    output = {"name": "partner-hook", "kind": "webhook",
              "options": {"url": hook.url, "secret": "s3cret-s3cret-s3cret"}}  # fmt: skip
    return create_app(
        Settings.model_validate(
            {"data_dir": tmp_path, "sqlite_synchronous": "NORMAL", "outputs": [output]}
        )
    )


def _row(data: dict[str, Any], table: str, name: str) -> dict[str, Any]:
    [found] = [r for r in data[table] if r["name"] == name]
    hops: dict[str, Any] = found["hops"]
    return hops


def _wait_for(client: TestClient, ready: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        data: dict[str, Any] = client.get("/api/v1/latency").json()
        if ready(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def test_a_gunshot_shows_every_hop(
    app: FastAPI, client: TestClient, ingest_headers: dict[str, str], hook: Receiver
) -> None:
    response = client.post("/api/v1/events", json={"events": [gunshot()]}, headers=ingest_headers)
    [alert_id] = response.json()["alerts"]
    login_as(client, app, "supervisor")
    assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 200

    def complete(data: dict[str, Any]) -> bool:
        rule = _row(data, "rules", "gunshot_nearby") if data["rules"] else {}
        return bool(rule) and all(rule[h]["n"] == 1 for h in rule)

    data = _wait_for(client, complete)
    feed = _row(data, "feeds", "test-feed")  # the API key holder is the feed
    for hop in ("sensor_to_received", "received_to_persisted", "persisted_to_published"):
        assert feed[hop]["n"] == 1 and feed[hop]["p50"] is not None, hop
    assert feed["received_to_persisted"]["p50"] >= 0
    rule = _row(data, "rules", "gunshot_nearby")
    for hop in ("received_to_fired", "fired_to_delivered", "created_to_acknowledged"):
        assert rule[hop]["n"] == 1 and rule[hop]["p50"] >= 0, (hop, rule)
    channel = _row(data, "channels", "partner-hook")
    assert channel["created_to_delivered"]["n"] == 1
    assert data["channels"][0]["kind"] == "webhook"
    assert data["lost_messages"] == 0 and data["window_s"] == 900
    assert [r.json()["id"] for r in hook.requests] == [alert_id]

    page = client.get("/latency")
    assert page.status_code == 200
    html = page.text
    assert 'data-name="test-feed"' in html and 'data-name="gunshot_nearby"' in html
    assert 'data-name="partner-hook"' in html and 'src="/static/latency.js"' in html
    assert "created → acknowledged" in html


WHO = [("admin", True), ("supervisor", True), ("analyst", False), ("officer", False),
       ("auditor", False)]  # fmt: skip


@pytest.mark.parametrize(("role", "allowed"), WHO)
def test_who_may_see_it(app: FastAPI, client: TestClient, role: str, allowed: bool) -> None:
    assert client.get("/api/v1/latency").status_code == 401
    login_as(client, app, role)
    assert (client.get("/api/v1/latency").status_code == 200) is allowed
    page = client.get("/latency", follow_redirects=False)
    assert page.status_code == (200 if allowed else 403)


def test_the_admin_page_links_to_it(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "admin")
    assert 'href="/latency"' in client.get("/admin").text
