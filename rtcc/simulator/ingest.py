"""Posting event batches to the public ingest API, riding out short outages.

A batch is kept until the server has answered it: connection errors, timeouts,
429 and 5xx are retried with exponential backoff and the *same* events (same ids),
so a batch the server persisted but could not acknowledge is de-duplicated on the
re-send.  The first failure and the recovery are each logged once.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from rtcc.simulator.wire import WireEvent

log = logging.getLogger("rtcc.simulator")

MAX_BATCH = 5000
BACKOFF_S = (0.5, 10.0)  # first and longest wait between retries
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class IngestAuthError(RuntimeError):
    """The server refused the API key (401/403): retrying cannot help."""


@dataclass(slots=True)
class SimStats:
    ticks: int = 0
    generated: int = 0
    sent: int = 0  # events in batches the server answered
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    retries: int = 0
    dropped: int = 0  # never sent: backlog overflow, or still unsent at the end


def _count(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    return len(value) if isinstance(value, list) else 0


class BatchSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        api_key: str,
        stats: SimStats,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/events"
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.client, self.stats, self.clock, self.sleep = client, stats, clock, sleep
        self.down = False

    async def send(self, events: list[WireEvent], give_up_at: datetime | None = None) -> int:
        """Deliver events in order, in batches; how many from the front were delivered."""
        done = 0
        while done < len(events):
            batch = events[done : done + MAX_BATCH]
            if not await self._deliver(batch, give_up_at):
                break
            done += len(batch)
        return done

    async def _deliver(self, batch: list[WireEvent], give_up_at: datetime | None) -> bool:
        wait = BACKOFF_S[0]
        while True:
            problem = await self._post(batch)
            if problem is None:
                if self.down:
                    log.info("ingest API at %s is reachable again", self.url)
                    self.down = False
                return True
            if not self.down:
                log.warning("ingest API at %s unreachable (%s); holding events", self.url, problem)
                self.down = True
            if give_up_at is not None and self.clock() >= give_up_at:
                return False
            self.stats.retries += 1
            await self.sleep(wait)
            wait = min(wait * 2, BACKOFF_S[1])

    async def _post(self, batch: list[WireEvent]) -> str | None:
        """Post once: None when answered for good, else why it should be retried."""
        try:
            response = await self.client.post(
                self.url, json={"events": batch}, headers=self.headers
            )
        except httpx.TransportError as exc:
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if response.status_code in RETRY_STATUSES:
            return f"HTTP {response.status_code}"
        if response.status_code in (401, 403):
            raise IngestAuthError(f"{self.url} refused the API key (HTTP {response.status_code})")
        self.stats.sent += len(batch)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (200, 422) and isinstance(body, dict):
            self.stats.accepted += _count(body.get("accepted"))
            self.stats.duplicates += _count(body.get("duplicates"))
            self.stats.rejected += _count(body.get("rejected"))
        else:
            log.error(
                "ingest API answered HTTP %s; %d events dropped", response.status_code, len(batch)
            )
            self.stats.rejected += len(batch)
        return None
