"""Live messages between processes: workers forward their bus, API processes replay it.

Core NATS (not JetStream): a live message is at-most-once. A wall that misses one
gets a resync, as it does when it falls behind on a single box, and the stored state
is the truth either way.
"""

import logging
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg

from rtcc.analysis.camera_live import LiveCameras
from rtcc.core.bus import Bus, MessageType, Resync
from rtcc.core.events import EventKind, event_from_stored
from rtcc.distributed.jetstream import LIVE_SUBJECT
from rtcc.outputs.dispatcher import alert_from_wire

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WireItem:
    """A notice as another process rendered it (source health, hotlist hit…)."""

    wire: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return self.wire


FORWARD_QUEUE = 20_000  # a worker's live backlog: whole merged batches, not single events
FORWARD_BATCH = 500  # live messages per NATS message


async def forward(bus: Bus, nc: Client) -> None:
    """Worker side: every message this process's bus carries goes out on the live subject,
    those waiting together as one JSON array in one NATS message (one publish, one
    delivery per API process instead of one per event)."""
    sub = bus.subscribe("nats-forward", FORWARD_QUEUE)
    try:
        while True:
            frames = [await sub.get()]
            while len(frames) < FORWARD_BATCH and (more := sub.get_nowait()) is not None:
                frames.append(more)
            wires = [orjson.dumps(m.wire()) for m in frames if not isinstance(m, Resync)]
            if wires:  # (a resync is the walls' business: they resync on their own)
                await nc.publish(LIVE_SUBJECT, b"[" + b",".join(wires) + b"]")
    finally:
        bus.unsubscribe(sub)


class LiveRelay:
    """API side: the live subject replayed onto this process's bus (walls, outputs).

    Without a bus (a worker following the others' camera changes) only camera statuses
    are decoded: the rest of the traffic is skipped before it is parsed.
    """

    def __init__(self, bus: Bus | None, cameras: LiveCameras) -> None:
        self._bus = bus
        self._cameras = cameras
        self.received = 0

    async def start(self, nc: Client) -> None:
        await nc.subscribe(LIVE_SUBJECT, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        self.received += 1
        if self._bus is None and b'"camera_status"' not in msg.data:
            return
        try:
            doc = orjson.loads(msg.data)
            for item in doc if isinstance(doc, list) else [doc]:
                self.deliver(item["type"], item[item["type"]])
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("live message refused: %s", exc)

    def deliver(self, type_: MessageType, wire: dict[str, Any]) -> None:
        if type_ == "event":
            if self._bus is None and wire.get("kind") != EventKind.CAMERA_STATUS.value:
                return
            event = event_from_stored(wire)
            if event.kind is EventKind.CAMERA_STATUS:
                self._cameras.apply([event])
            if self._bus is not None:
                self._bus.publish_events([event])
        elif self._bus is None:
            return
        elif type_ == "alert":
            self._bus.publish_alerts([alert_from_wire(wire)])
        else:
            self._bus.publish_notice(type_, WireItem(wire))
