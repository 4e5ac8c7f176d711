"""A source that behaves like a real feed: it re-sends a batch until it gets a 2xx."""

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import gunshot, unit
from tests.distributed.processes import Process

BATCHES = 60
PER_BATCH = 100
SHOT_EVERY = 6  # every sixth batch carries a gunshot, each in its own place
EXPECTED_EVENTS = BATCHES * PER_BATCH + len(range(0, BATCHES, SHOT_EVERY))


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


def wait_until(check: Callable[[], bool], timeout_s: float, what: str, logs: list[Process]) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            tails = "\n\n".join(f"== {p.name}\n{p.tail()}" for p in logs)
            raise AssertionError(f"{what} not reached in {timeout_s} s\n{tails}")
        time.sleep(0.1)
