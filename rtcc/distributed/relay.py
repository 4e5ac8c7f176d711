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


async def forward(bus: Bus, nc: Client) -> None:
    """Worker side: every message this process's bus carries goes out on the live subject."""
    sub = bus.subscribe("nats-forward")
    try:
        while True:
            message = await sub.get()
            if isinstance(message, Resync):
                continue  # the walls resync on their own if they fall behind
            await nc.publish(LIVE_SUBJECT, message.json().encode())
    finally:
        bus.unsubscribe(sub)


class LiveRelay:
    """API side: the live subject replayed onto this process's bus (walls, outputs)."""

    def __init__(self, bus: Bus, cameras: LiveCameras) -> None:
        self._bus = bus
        self._cameras = cameras
        self.received = 0

    async def start(self, nc: Client) -> None:
        await nc.subscribe(LIVE_SUBJECT, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        self.received += 1
        try:
            doc = orjson.loads(msg.data)
            self.deliver(doc["type"], doc[doc["type"]])
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("live message refused: %s", exc)

    def deliver(self, type_: MessageType, wire: dict[str, Any]) -> None:
        if type_ == "event":
            event = event_from_stored(wire)
            if event.kind is EventKind.CAMERA_STATUS:
                self._cameras.apply([event])
            self._bus.publish_events([event])
        elif type_ == "alert":
            self._bus.publish_alerts([alert_from_wire(wire)])
        else:
            self._bus.publish_notice(type_, WireItem(wire))
