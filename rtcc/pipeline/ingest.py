"""Ingest: validate a batch item by item, persist before acknowledging, then fan out."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import anyio.to_thread

from rtcc.analysis.camera_live import CUE_RECEIVED_AT, LiveCameras, attach
from rtcc.core.alerts import Alert
from rtcc.core.bus import Bus
from rtcc.core.clock import utcnow
from rtcc.core.events import Event
from rtcc.pipeline.locate_gunshot import prepare_gunshots
from rtcc.pipeline.rules import RuleEngine
from rtcc.pipeline.validate import ItemError, validate_items
from rtcc.storage.base import Rejection, Storage

MAX_BATCH = 5000


@dataclass(slots=True)
class IngestResult:
    stored: list[Event] = field(default_factory=list)
    duplicates: list[Event] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    queued: bool = False  # accepted onto the durable queue; a worker stores and judges it

    def to_wire(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "accepted": len(self.stored),
            "duplicates": len(self.duplicates),
            "rejected": [e.to_wire() for e in self.errors],
            "ids": [e.id for e in self.stored],
            "alerts": [a.id for a in self.alerts],
        }


class IngestUnavailable(Exception):
    """Ingest cannot take a batch now (queue full or unreachable): try again later."""

    def __init__(self, reason: str, retry_after_s: int = 2) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class Ingestor(Protocol):
    """What routes and feeds hand batches to: this process's pipeline, or the queue
    to the workers (`rtcc.distributed.queued_ingest`)."""

    cameras: LiveCameras

    async def ingest(self, source: str, items: list[Any]) -> IngestResult: ...

    def count_rejections(self, rejections: Sequence[Rejection]) -> None: ...


class IngestPipeline:
    """The single path every event takes; HTTP, replay and tests all call `ingest`."""

    def __init__(
        self, storage: Storage, bus: Bus, rules: RuleEngine, cameras: LiveCameras | None = None
    ) -> None:
        self._storage = storage
        self._bus = bus
        self._rules = rules
        # The camera index the rules see: built from the store once, then kept current here.
        self.cameras = cameras or LiveCameras.from_entities(storage.events.entities())
        attach(storage.events, self.cameras)

    async def ingest(self, source: str, items: list[Any]) -> IngestResult:
        """Blocking work runs in a worker thread so the event loop keeps serving websockets."""
        result = await anyio.to_thread.run_sync(self.process, source, items)
        self._bus.publish_events(result.stored)
        self._bus.publish_alerts(result.alerts)
        return result

    def process(self, source: str, items: list[Any]) -> IngestResult:
        """Validate, persist (committed before return), count rejects, evaluate rules."""
        received_at = utcnow()
        events, errors = validate_items(items, source, received_at)
        return self.process_events(source, events, errors, len(items), received_at)

    def process_events(
        self,
        source: str,
        events: list[Event],
        errors: list[ItemError],
        item_count: int,
        received_at: datetime,
        redelivered: bool = False,
    ) -> IngestResult:
        """Everything after validation: what a worker runs on a batch taken off the queue.

        `redelivered`: the batch may have been half processed by a worker that died before
        it acknowledged. Its events already stored under their own ids are judged again;
        alert and hit ids are derived from the event, so nothing is stored twice.
        """
        # Sensor-level gunshot reports are located and every shot given its incident first.
        events, errors = prepare_gunshots(events, errors, item_count, self._storage.events)
        appended = self._storage.events.append(events)
        if errors:
            self.count_rejections(
                [
                    Rejection(source, e.field, e.reason, f"item {e.index}: {e.message}")
                    for e in errors
                ]
            )
        stored, duplicates = appended.stored, appended.duplicates
        if redelivered and duplicates:
            ours = [e for e in duplicates if self._storage.events.get_event(e.id) is not None]
            again = {e.id for e in ours}
            stored, duplicates = [*stored, *ours], [e for e in duplicates if e.id not in again]
        self.cameras.apply(stored)
        cue = CUE_RECEIVED_AT.set(received_at)
        try:
            alerts = self._rules.run(stored, self._storage.events)
        finally:
            CUE_RECEIVED_AT.reset(cue)
        if alerts:
            self._storage.events.add_alerts(alerts)
        return IngestResult(stored, duplicates, errors, alerts)

    def count_rejections(self, rejections: Sequence[Rejection]) -> None:
        self._storage.events.record_rejections(rejections)
