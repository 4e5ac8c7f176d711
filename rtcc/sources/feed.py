"""One configured feed: its adapter, its health and counters, its dead letters.

Every transport (HTTP push, UDP, TCP, replay) hands raw messages to `SourceFeed.receive`;
from there the path is the same for all: translate → the one ingest pipeline.
"""

import asyncio
from typing import Any

import anyio.to_thread

from rtcc.core.clock import utcnow
from rtcc.pipeline.ingest import Ingestor
from rtcc.sources.base import Adapter, AdapterError, WireEvent
from rtcc.sources.config import SourceConfig
from rtcc.sources.health import FeedCounters, SourceHealth
from rtcc.storage.base import DeadLetterStore, Rejection


class SourceFeed:
    def __init__(
        self,
        config: SourceConfig,
        adapter: Adapter,
        pipeline: Ingestor,
        dead_letters: DeadLetterStore,
        health: SourceHealth,
    ) -> None:
        self.config = config
        self.adapter = adapter
        self.health = health
        self.counters = FeedCounters()
        self._pipeline = pipeline
        self._dead_letters = dead_letters
        self._lock = asyncio.Lock()  # adapters keep state (an NMEA date, a MAVLink link)

    @property
    def name(self) -> str:
        return self.config.name

    async def receive(self, message: bytes) -> dict[str, Any]:
        """Translate and ingest one message; a bad one is dead-lettered, never raised."""
        now = utcnow()
        self.health.heard(now)
        self.counters.messages += 1
        self.counters.last_message_at = now
        async with self._lock:
            try:
                events = await anyio.to_thread.run_sync(self.adapter.translate, message)
            except AdapterError as exc:
                await self._refuse(message, exc.field, exc.reason, exc.message)
                return {"accepted": 0, "rejected": [_error(exc.field, exc.reason, exc.message)]}
        if not events:
            return {"accepted": 0, "rejected": []}
        return await self._ingest(message, events)

    async def _ingest(self, message: bytes, events: list[WireEvent]) -> dict[str, Any]:
        result = await self._pipeline.ingest(self.name, events)
        self.counters.accepted += len(result.stored)
        self.counters.duplicates += len(result.duplicates)
        if result.stored:
            newest = max(result.stored, key=lambda e: e.occurred_at)
            self.counters.last_event_at = newest.occurred_at
            self.counters.lag_s = (newest.received_at - newest.occurred_at).total_seconds()
        if result.errors:
            first = result.errors[0]
            for err in result.errors:
                self.counters.rejected[f"{err.field}:{err.reason}"] += 1
            detail = f"{len(result.errors)} item(s) refused; first: {first.message}"
            await anyio.to_thread.run_sync(
                self._dead_letters.add, self.name, first.field, first.reason, detail, message
            )
        return result.to_wire()

    async def _refuse(self, message: bytes, field: str, reason: str, text: str) -> None:
        self.counters.rejected[f"{field}:{reason}"] += 1

        def record() -> None:
            self._dead_letters.add(self.name, field, reason, text, message)
            self._pipeline.count_rejections([Rejection(self.name, field, reason, text)])

        await anyio.to_thread.run_sync(record)

    def dropped(self, count: int = 1) -> None:
        """A transport had to drop messages (queue full, oversized frame)."""
        self.counters.dropped += count

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "adapter": self.config.adapter,
            "transport": self.config.transport,
            "port": self.config.port,
            "health": self.health.state,
            "health_since": self.health.changed_at.isoformat(),
            "heartbeat_s": self.config.heartbeat_s,
            **self.counters.to_wire(),
        }


def _error(field: str, reason: str, message: str) -> dict[str, str]:
    return {"field": field, "reason": reason, "message": message}
