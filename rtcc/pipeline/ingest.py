"""Ingest: validate a batch item by item, persist before acknowledging, then fan out."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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

    def to_wire(self) -> dict[str, Any]:
        return {
            "accepted": len(self.stored),
            "duplicates": len(self.duplicates),
            "rejected": [e.to_wire() for e in self.errors],
            "ids": [e.id for e in self.stored],
            "alerts": [a.id for a in self.alerts],
        }


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
        # Sensor-level gunshot reports are located and every shot given its incident first.
        events, errors = prepare_gunshots(events, errors, len(items), self._storage.events)
        appended = self._storage.events.append(events)
        if errors:
            self.count_rejections(
                [
                    Rejection(source, e.field, e.reason, f"item {e.index}: {e.message}")
                    for e in errors
                ]
            )
        self.cameras.apply(appended.stored)
        cue = CUE_RECEIVED_AT.set(received_at)
        try:
            alerts = self._rules.run(appended.stored, self._storage.events)
        finally:
            CUE_RECEIVED_AT.reset(cue)
        if alerts:
            self._storage.events.add_alerts(alerts)
        return IngestResult(appended.stored, appended.duplicates, errors, alerts)

    def count_rejections(self, rejections: Sequence[Rejection]) -> None:
        self._storage.events.record_rejections(rejections)
