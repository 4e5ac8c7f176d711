"""kill -9 the API and the workers in the middle of ingesting, restart them: every
acknowledged event is stored exactly once and every shot still gets its one alert.

Real processes (`rtcc serve`, two `rtcc worker`), a private nats-server, loopback only.
The load generator behaves like a real source: it re-sends a batch until it gets a 2xx.
"""

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from rtcc.storage.open import open_storage
from tests.conftest import gunshot, unit
from tests.distributed.processes import NatsServer, Process, free_port, rtcc, wait_for_port

BATCHES = 60
PER_BATCH = 100
SHOT_EVERY = 6  # every sixth batch carries a gunshot, each in its own place


class Source(threading.Thread):
    """Posts BATCHES batches in order, each until acknowledged (as a real feed would)."""

    def __init__(self, url: str, key: str) -> None:
        super().__init__(daemon=True)
        self.url, self.key = url, key
        self.acked = 0
        self.retries = 0
        self.statuses: dict[int, int] = {}
        self.error: BaseException | None = None

    def batch(self, n: int) -> list[dict[str, Any]]:
        items = [
            {**unit(f"U{i % 50}", 39.96 + i * 1e-4, -83.0), "id": f"b{n}-u{i}"}
            for i in range(PER_BATCH)
        ]
        for item in items:
            item["occurred_at"] = f"2026-11-25T20:{n // 60:02d}:{n % 60:02d}Z"
        if n % SHOT_EVERY == 0:
            items.append(gunshot(39.5 + n * 0.05, -83.0, ref=f"shot-{n}"))
        return items

    def run(self) -> None:
        try:
            with httpx.Client(headers={"Authorization": f"Bearer {self.key}"}) as client:
                for n in range(BATCHES):
                    self._send(client, n)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _send(self, client: httpx.Client, n: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                response = client.post(self.url, json={"events": self.batch(n)}, timeout=10)
            except httpx.HTTPError:
                response = None
            if response is not None:
                self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
                if response.is_success:
                    self.acked += 1
                    return
            self.retries += 1
            time.sleep(0.1)
        raise TimeoutError(f"batch {n} was never acknowledged")


@pytest.fixture
def cluster(tmp_path: Path, nats_server: NatsServer, pg_url: str) -> Iterator[dict[str, Any]]:
    port = free_port()
    env = {
        "RTCC_DATA_DIR": str(tmp_path / "var"),
        "RTCC_DATABASE_URL": pg_url,
        "RTCC_BUS_URL": nats_server.url,
        "RTCC_BUS_PARTITIONS": "4",
        "RTCC_PORT": str(port),
        "RTCC_MFA_REQUIRED": "false",
    }
    storage = open_storage(Settings(data_dir=tmp_path / "var", database_url=pg_url))
    key = create_source_key(storage.accounts, "loadgen")
    api = rtcc("api", ["serve"], tmp_path, env).start()
    workers = [
        rtcc(f"worker{i}", ["worker", "--index", str(i), "--of", "2"], tmp_path, env).start()
        for i in range(2)
    ]
    processes: list[Process] = [api, *workers]
    try:
        wait_for_port(port, 30, "rtcc serve")
        yield {"api": api, "workers": workers, "port": port, "key": key, "storage": storage}
    finally:
        for process in processes:
            process.stop()
        storage.close()


def _wait(check: Any, timeout_s: float, what: str, logs: list[Process]) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            tails = "\n\n".join(f"== {p.name}\n{p.tail()}" for p in logs)
            raise AssertionError(f"{what} not reached in {timeout_s} s\n{tails}")
        time.sleep(0.1)


def test_kill_9_api_and_workers_mid_ingest(cluster: dict[str, Any]) -> None:
    api, workers = cluster["api"], cluster["workers"]
    storage = cluster["storage"]
    source = Source(f"http://127.0.0.1:{cluster['port']}/api/v1/events", cluster["key"])
    source.start()
    logs = [api, *workers]
    _wait(lambda: source.acked >= BATCHES // 3, 60, "a third of the batches", logs)
    api.kill()  # SIGKILL: no shutdown code runs
    workers[0].kill()
    time.sleep(0.3)
    api.start()
    workers[0].start()
    _wait(lambda: source.acked >= 2 * BATCHES // 3, 90, "two thirds of the batches", logs)
    workers[1].kill()
    time.sleep(0.3)
    workers[1].start()
    source.join(timeout=180)
    assert source.error is None, source.error
    assert source.acked == BATCHES
    shots = len(range(0, BATCHES, SHOT_EVERY))
    expected = BATCHES * PER_BATCH + shots
    _wait(lambda: storage.events.count_events() == expected, 90, f"{expected} events", logs)
    time.sleep(1.0)  # anything still in flight would show up as a surplus now
    assert storage.events.count_events() == expected  # 0 lost, 0 stored twice
    alerts = [a for a in storage.events.recent_alerts(1000) if a["rule"] == "gunshot_nearby"]
    assert len(alerts) == shots and len({a["event_id"] for a in alerts}) == shots
    assert 202 in source.statuses
