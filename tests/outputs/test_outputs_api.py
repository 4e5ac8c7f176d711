"""End to end: an ingested gunshot's alert reaches a webhook; the API shows health,
metrics, receipts and dead letters, and an admin sends a dead letter again."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from tests.conftest import gunshot, login_as
from tests.outputs.receiver import receiver

SECRET = "s3cret-s3cret-s3cret"


def _wait(check: Callable[[], Any], limit_s: float = 10.0) -> Any:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_alert_to_webhook_dead_letter_and_retry(tmp_path: Path) -> None:
    with receiver() as good, receiver() as broken:
        broken.default = (502, "bad gateway")
        settings = Settings.model_validate(
            {
                "data_dir": tmp_path,
                "sqlite_synchronous": "NORMAL",
                "outputs": [
                    {
                        "name": "hook",
                        "kind": "webhook",
                        "options": {"url": good.url, "secret": SECRET},
                    },
                    {
                        "name": "cad",
                        "kind": "cad_note",
                        "options": {"url": broken.url, "secret": SECRET},
                        "max_attempts": 2,
                        "backoff_s": 0.01,
                    },
                ],
            }
        )
        app = create_app(settings)
        with TestClient(app) as client:
            key = create_source_key(app.state.services.storage.accounts, "test-feed")
            sent = client.post(
                "/api/v1/events",
                json={"events": [gunshot()]},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert sent.status_code == 200, sent.text
            [alert_id] = sent.json()["alerts"]
            _wait(lambda: good.requests)
            assert good.requests[0].json()["id"] == alert_id

            login_as(client, app, "admin")
            letters = _wait(lambda: client.get("/api/v1/outputs/dead-letters").json())
            assert letters[0]["channel"] == "cad" and letters[0]["attempts"] == 2
            assert letters[0]["alert"]["id"] == alert_id
            status = {c["name"]: c for c in client.get("/api/v1/outputs").json()["channels"]}
            assert status["hook"]["health"] == "ok"
            assert status["hook"]["metrics"]["delivered"] == 1
            assert status["cad"]["health"] == "failing"
            assert status["cad"]["metrics"]["dead_lettered"] == 1
            assert "HTTP 502" in status["cad"]["metrics"]["last_error"]

            broken.default = (200, "ok")
            retried = client.post(f"/api/v1/outputs/dead-letters/{letters[0]['id']}/retry")
            assert retried.status_code == 200 and retried.json()["channel"] == "cad"
            _wait(lambda: client.get("/api/v1/outputs").json()["channels"][1]["health"] == "ok")
            note = broken.requests[-1].json()
            assert note["note_text"].startswith("RTCC CRITICAL ALERT: Gunshot")
            receipts = client.get("/api/v1/outputs/deliveries", params={"alert_id": alert_id})
            outcomes = {r["channel"]: (r["outcome"], r["attempts"]) for r in receipts.json()}
            assert outcomes == {"hook": ("delivered", 1), "cad": ("delivered", 1)}

            missing = client.post("/api/v1/outputs/dead-letters/999/retry")
            assert missing.status_code == 404
            assert missing.json()["error"]["field"] == "letter_id"
