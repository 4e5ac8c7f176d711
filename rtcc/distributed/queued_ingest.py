"""The API side of scale-out: validate, then queue each batch durably for the workers."""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import anyio.to_thread
import nats.errors
from nats.js import JetStreamContext
from nats.js.errors import APIError

from rtcc.analysis.camera_live import LiveCameras
from rtcc.core.bus import Bus
from rtcc.core.clock import utcnow
from rtcc.core.events import Event
from rtcc.distributed import codec
from rtcc.distributed.jetstream import connect, ensure_stream, ingest_subject, partition_of
from rtcc.distributed.relay import LiveRelay
from rtcc.pipeline.ingest import IngestResult, IngestUnavailable
from rtcc.pipeline.validate import validate_items
from rtcc.storage.base import EventStore, Rejection

CHUNK = 500  # events per message: well under NATS's 1 MiB default payload limit
PUBLISH_TIMEOUT_S = 5.0


class QueuedIngest:
    """Acknowledges a batch once JetStream holds every part of it; never stores itself.

    Validation errors are answered at once (and counted) as in the embedded pipeline;
    duplicates are found by the worker, except a batch JetStream already holds (a
    source re-sending within the duplicate window), which is reported as duplicates.
    """

    def __init__(self, events: EventStore, cameras: LiveCameras, partitions: int) -> None:
        self._events = events
        self.cameras = cameras  # kept current by the live relay, for the camera routes
        self._partitions = partitions
        self._js: JetStreamContext | None = None

    async def run(self, url: str, bus: Bus, max_bytes: int) -> None:
        """Connect (retrying until NATS answers), then relay the live subject to `bus`
        until cancelled. Until connected, ingest answers 503."""
        nc = await connect(url, "rtcc-api")
        try:
            js = nc.jetstream(timeout=PUBLISH_TIMEOUT_S)
            await ensure_stream(js, max_bytes)
            await LiveRelay(bus, self.cameras).start(nc)
            self._js = js
            await asyncio.Event().wait()
        finally:
            self._js = None
            with contextlib.suppress(Exception):
                await nc.drain()

    async def ingest(self, source: str, items: list[Any]) -> IngestResult:
        received_at = utcnow()
        if len(items) > 200:
            events, errors = await anyio.to_thread.run_sync(
                validate_items, items, source, received_at
            )
        else:
            events, errors = validate_items(items, source, received_at)
        if errors:
            rejections = [
                Rejection(source, e.field, e.reason, f"item {e.index}: {e.message}") for e in errors
            ]
            await anyio.to_thread.run_sync(self.count_rejections, rejections)
        result = IngestResult(errors=errors, queued=True)
        if not events:
            return result
        parts = self._parts(events)
        acks = await asyncio.gather(
            *(self._publish(source, received_at, subject, part) for subject, part in parts),
            return_exceptions=True,
        )
        for (_, part), ack in zip(parts, acks, strict=True):
            if isinstance(ack, BaseException):
                raise _unavailable(ack)
            (result.duplicates if ack else result.stored).extend(part)
        return result

    def _parts(self, events: list[Event]) -> list[tuple[str, list[Event]]]:
        by_partition: dict[int, list[Event]] = defaultdict(list)
        for event in events:
            by_partition[partition_of(event, self._partitions)].append(event)
        return [
            (ingest_subject(p), group[i : i + CHUNK])
            for p, group in sorted(by_partition.items())
            for i in range(0, len(group), CHUNK)
        ]

    async def _publish(
        self, source: str, received_at: datetime, subject: str, part: list[Event]
    ) -> bool:
        """True if JetStream already had this exact part (a re-send)."""
        if self._js is None:
            raise IngestUnavailable("the event queue is not connected yet")
        ack = await self._js.publish(
            subject,
            codec.encode(source, received_at, part),
            headers={"Nats-Msg-Id": codec.message_id(source, part)},
        )
        return bool(ack.duplicate)

    def count_rejections(self, rejections: Sequence[Rejection]) -> None:
        self._events.record_rejections(rejections)


def _unavailable(exc: BaseException) -> IngestUnavailable:
    """Why the queue refused: full (workers behind) or unreachable (NATS restarting)."""
    if isinstance(exc, IngestUnavailable):
        return exc
    if isinstance(exc, APIError) and "maximum" in str(exc.description or "").lower():
        return IngestUnavailable("the event queue is full: workers are behind", 5)
    if isinstance(exc, nats.errors.Error | OSError | TimeoutError):
        return IngestUnavailable(f"the event queue cannot be reached ({type(exc).__name__})", 2)
    raise exc
