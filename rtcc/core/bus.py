"""The in-process bus: persisted events and alerts fan out to live subscribers.

Every subscriber has a bounded queue. A subscriber that falls behind is never
waited for: its backlog is discarded and it is told to resync from the live
state, so ingest never stalls and memory stays bounded. Each overflow is counted.
"""

import asyncio
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.core.events import Event


class Wireable(Protocol):
    def to_wire(self) -> dict[str, Any]: ...


# "hit": an LPR hotlist hit decided (or awaiting decision); rtcc/api/live.py sends it by role.
# "output_health": an output channel went failing or recovered (rtcc/outputs/dispatcher.py).
MessageType = Literal[
    "event", "alert", "source_health", "geofence", "hit", "alert_state", "output_health"
]


@dataclass(slots=True)
class BusMessage:
    """One published event, alert or notice; its JSON is rendered once for all subscribers."""

    type: MessageType
    item: Wireable
    _json: str | None = field(default=None, repr=False)
    _frames: dict[Hashable, str | None] | None = field(default=None, repr=False)

    def wire(self) -> dict[str, Any]:
        return {"type": self.type, self.type: self.item.to_wire()}

    def json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self.wire())
        return self._json

    def frame_for(
        self, audience: Hashable, render: Callable[["BusMessage"], str | None]
    ) -> str | None:
        """`render(self)` for one audience (e.g. ("live", a role's permissions)), computed once
        and shared by all its subscribers rather than once per subscriber; None: not for them."""
        if self._frames is None:
            self._frames = {}
        try:
            return self._frames[audience]
        except KeyError:
            frame = self._frames[audience] = render(self)
            return frame


class Resync:
    """Sent in place of the messages a slow subscriber missed."""


RESYNC = Resync()


@dataclass(slots=True)
class BusStats:
    published: int = 0
    overflows: int = 0
    discarded: int = 0


class Subscription:
    def __init__(self, name: str, maxsize: int, stats: BusStats) -> None:
        self.name = name
        self._queue: asyncio.Queue[BusMessage | Resync] = asyncio.Queue(maxsize)
        self._stats = stats
        self.lost = 0  # messages this subscriber never got (its backlog and the one offered)

    def offer(self, message: BusMessage) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._overflow()

    def _overflow(self) -> None:
        discarded = 0
        while not self._queue.empty():
            if self._queue.get_nowait() is not RESYNC:
                self.lost += 1
            discarded += 1
        self._queue.put_nowait(RESYNC)
        self.lost += 1
        self._stats.overflows += 1
        self._stats.discarded += discarded

    async def get(self) -> BusMessage | Resync:
        return await self._queue.get()

    def get_nowait(self) -> BusMessage | Resync | None:
        """The next message if one is waiting, else None (no timer, no task switch)."""
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def qsize(self) -> int:
        return self._queue.qsize()


class Bus:
    """Fan-out to subscribers; must be used from the event loop's thread."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        # In subscription order, which is the order they are woken: the server's own readers
        # (outputs, latency, relay: subscribed at start-up) before hundreds of wall sockets.
        self._subscribers: dict[Subscription, None] = {}
        self.stats = BusStats()

    def subscribe(self, name: str, queue_size: int | None = None) -> Subscription:
        """`queue_size`: this subscriber's backlog, when not the bus's (a cheap consumer
        that should ride out a burst of whole batches)."""
        sub = Subscription(name, queue_size or self._queue_size, self.stats)
        self._subscribers[sub] = None
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.pop(sub, None)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish_events(self, events: list[Event]) -> None:
        now = utcnow()
        for event in events:
            event.hops.published_at = now
            self._fan_out(BusMessage("event", event))

    def publish_alerts(self, alerts: list[Alert]) -> None:
        now = utcnow()
        for alert in alerts:
            if alert.hops is not None:
                alert.hops.published_at = now
            self._fan_out(BusMessage("alert", alert))

    def publish_notice(self, type_: MessageType, item: Wireable) -> None:
        """Something the wall should know that is neither an event nor an alert."""
        self._fan_out(BusMessage(type_, item))

    def _fan_out(self, message: BusMessage) -> None:
        self.stats.published += 1
        for sub in self._subscribers:
            sub.offer(message)
