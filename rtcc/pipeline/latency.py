"""Hop latencies, live: where the time goes between a sensor and the people who act.

`LatencyBook.run` is one more bus subscriber (started by the app). It reads every stored
event and alert as it is published — in one process, or in scale-out where the relay
replays the workers' onto the API process's bus (rtcc/distributed/relay.py) — and keeps
rolling windows of hop durations in milliseconds:

- per feed (the event's `source`): sensor → received (`occurred_at` by the sensor's clock
  against ours: negative when the sensor's clock runs ahead), received → persisted,
  persisted → published;
- per rule: event received → alert fired, fired → first delivered by any output channel,
  created → acknowledged by a person (from the `alert_state` notice the lifecycle routes
  publish);
- per output channel: alert created → delivered, the channel's own figures
  (`rtcc/outputs/metrics.py`), handed to `snapshot` by the caller.

A window holds the last MAX_SAMPLES samples no older than WINDOW_S. The book never slows
ingest: the bus never waits for it, and when it falls behind the bus drops its backlog;
it counts the messages it lost (`lost_messages`) and carries on.
"""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio
from anyio.abc import TaskStatus

from rtcc.core.alerts import Alert
from rtcc.core.bus import Bus, BusMessage, Resync, Subscription
from rtcc.core.events import Event, Hops

WINDOW_S = 15 * 60.0  # samples older than this leave the figures
MAX_SAMPLES = 2000  # per row and hop, the most recent
MAX_ROWS = 256  # per table; a row past it is not kept (counted in `rows_refused`)
MAX_TRACKED = 10_000  # alerts waiting for their first delivery or an acknowledgement
DELIVERY_WAIT_S = 3600.0  # an alert not delivered within this is no longer watched
SWEEP_EVERY_S = 1.0  # how often the alerts waiting for delivery are looked at
QUEUE_SIZE = 20_000  # bus backlog: four of the largest ingest batches (5,000 events each)
V = TypeVar("V")

# (key, label, what it measures): the order is the page's column order.
FEED_HOPS = (
    (
        "sensor_to_received",
        "sensor → received",
        "the event's time by the sensor's clock to its arrival here (clock skew included)",
    ),
    ("received_to_persisted", "received → persisted", "validated and committed to storage"),
    (
        "persisted_to_published",
        "persisted → published",
        "committed to handed to the live bus (scale-out: the relay from the worker included)",
    ),
)
RULE_HOPS = (
    ("received_to_fired", "received → fired", "the triggering event's arrival to the alert"),
    (
        "fired_to_delivered",
        "fired → delivered",
        "the alert to its first delivery by any output channel",
    ),
    (
        "created_to_acknowledged",
        "created → acknowledged",
        "the alert to a person acknowledging it (wall, phone, API)",
    ),
)
CHANNEL_HOPS = (
    (
        "created_to_delivered",
        "created → delivered",
        "the alert to this channel's delivery, queueing and retries included",
    ),
)


def _ms(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() * 1000.0


def summarize(values: Sequence[float]) -> dict[str, Any]:
    """n and the nearest-rank p50, p95, p99 (ms, one decimal); None when empty."""
    ordered = sorted(values)
    n = len(ordered)

    def at(q: float) -> float | None:
        if n == 0:
            return None
        return round(ordered[max(1, math.ceil(n * q / 100)) - 1], 1)

    return {"n": n, "p50": at(50), "p95": at(95), "p99": at(99)}


class Window:
    """The last `max_samples` (time, ms) samples; `values` drops those older than the window."""

    __slots__ = ("_samples",)

    def __init__(self, max_samples: int = MAX_SAMPLES) -> None:
        self._samples: deque[tuple[float, float]] = deque(maxlen=max_samples)

    def add(self, at: float, ms: float) -> None:
        self._samples.append((at, ms))

    def values(self, now: float, window_s: float = WINDOW_S) -> list[float]:
        samples = self._samples
        while samples and samples[0][0] < now - window_s:
            samples.popleft()
        return [ms for _, ms in samples]


class _Table:
    """Rows (a feed, a rule) by hops, each a window."""

    def __init__(self, hops: tuple[tuple[str, str, str], ...], max_samples: int) -> None:
        self.hops = tuple(key for key, _, _ in hops)
        self.rows: dict[str, dict[str, Window]] = {}
        self.rows_refused = 0
        self._max_samples = max_samples

    def add(self, row: str, hop: str, at: float, ms: float) -> None:
        windows = self.rows.get(row)
        if windows is None:
            if len(self.rows) >= MAX_ROWS:
                self.rows_refused += 1
                return
            windows = self.rows[row] = {h: Window(self._max_samples) for h in self.hops}
        windows[hop].add(at, ms)

    def wire(self, now: float, window_s: float) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "hops": {hop: summarize(w.values(now, window_s)) for hop, w in windows.items()},
            }
            for name, windows in sorted(self.rows.items())
        ]


@dataclass(frozen=True, slots=True)
class ChannelSamples:
    """One output channel's latest created → delivered latencies (ms), from its metrics."""

    name: str
    kind: str
    latencies_ms: Iterable[float]


@dataclass(frozen=True, slots=True)
class _Waiting:
    """An alert waiting for its first delivery: its hops are the object the channels stamp
    (`rtcc/outputs/runner.py`), held without the rest of the alert."""

    rule: str
    fired: datetime
    hops: Hops
    since: float


def _labels(hops: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
    return [{"key": key, "label": label, "meaning": meaning} for key, label, meaning in hops]


class LatencyBook:
    def __init__(
        self,
        *,
        track_deliveries: bool = True,
        window_s: float = WINDOW_S,
        max_samples: int = MAX_SAMPLES,
        queue_size: int = QUEUE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`track_deliveries`: whether this process delivers alerts (its output channels
        run here), so watching for a first delivery can succeed."""
        self.track_deliveries = track_deliveries
        self.window_s = window_s
        self.queue_size = queue_size
        self._clock = clock
        self._feeds = _Table(FEED_HOPS, max_samples)
        self._rules = _Table(RULE_HOPS, max_samples)
        # alert id → (rule, created_at), until acknowledged; and the undelivered alerts
        self._unacknowledged: OrderedDict[str, tuple[str, datetime]] = OrderedDict()
        self._undelivered: OrderedDict[str, _Waiting] = OrderedDict()
        self._last_sweep = clock()
        self._subscription: Subscription | None = None
        self.messages = 0

    # -- feeding ------------------------------------------------------------------------

    async def run(
        self, bus: Bus, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Read the bus until cancelled; `tasks.start(book.run, bus)` returns once subscribed."""
        self._subscription = subscription = bus.subscribe("latency", self.queue_size)
        task_status.started()
        try:
            while True:
                self.take(await subscription.get())
        finally:
            bus.unsubscribe(subscription)

    def take(self, message: BusMessage | Resync) -> None:
        if isinstance(message, Resync):
            return  # the messages it stands for are counted by the subscription
        self.messages += 1
        item = message.item
        if message.type == "event" and isinstance(item, Event):
            self.on_event(item)
        elif message.type == "alert" and isinstance(item, Alert):
            self.on_alert(item)
        elif message.type == "alert_state":
            self.on_alert_state(item.to_wire())
        if self._clock() - self._last_sweep >= SWEEP_EVERY_S:
            self.sweep()

    def on_event(self, event: Event) -> None:
        now, hops, feed = self._clock(), event.hops, event.source
        self._feeds.add(feed, "sensor_to_received", now, _ms(event.occurred_at, hops.received_at))
        if hops.persisted_at is not None:
            self._feeds.add(
                feed, "received_to_persisted", now, _ms(hops.received_at, hops.persisted_at)
            )
            if hops.published_at is not None:
                self._feeds.add(
                    feed, "persisted_to_published", now, _ms(hops.persisted_at, hops.published_at)
                )

    def on_alert(self, alert: Alert) -> None:
        if alert.id in self._unacknowledged or alert.id in self._undelivered:
            return  # published again (e.g. annotated): its hops were taken the first time
        now, hops = self._clock(), alert.hops
        fired = (hops.alerted_at if hops is not None else None) or alert.created_at
        if hops is not None:
            self._rules.add(alert.rule, "received_to_fired", now, _ms(hops.received_at, fired))
        _remember(self._unacknowledged, alert.id, (alert.rule, alert.created_at))
        # Only an alert that leaves (no `detail.audience`, as the dispatcher decides) and
        # whose hops the channels stamp can be seen delivered.
        if self.track_deliveries and hops is not None and alert.detail.get("audience") is None:
            _remember(self._undelivered, alert.id, _Waiting(alert.rule, fired, hops, now))

    def on_alert_state(self, state: dict[str, Any]) -> None:
        alert_id, at = str(state.get("alert_id")), state.get("acknowledged_at")
        if not at or alert_id not in self._unacknowledged:
            return  # not acknowledged yet, or acknowledged before (or never seen here)
        rule, created_at = self._unacknowledged.pop(alert_id)
        acknowledged = datetime.fromisoformat(str(at))
        self._rules.add(
            rule, "created_to_acknowledged", self._clock(), _ms(created_at, acknowledged)
        )

    def sweep(self) -> None:
        """Record the alerts a channel has delivered since; forget those waited on too long."""
        now = self._clock()
        self._last_sweep = now
        for alert_id, waiting in list(self._undelivered.items()):
            delivered = waiting.hops.delivered_at
            if delivered is not None:
                ms = _ms(waiting.fired, delivered)
                self._rules.add(waiting.rule, "fired_to_delivered", now, ms)
                del self._undelivered[alert_id]
            elif now - waiting.since > DELIVERY_WAIT_S:
                del self._undelivered[alert_id]

    # -- reading ------------------------------------------------------------------------

    @property
    def lost_messages(self) -> int:
        """Bus messages this book never saw because it fell behind (samples lost)."""
        return self._subscription.lost if self._subscription is not None else 0

    def snapshot(self, channels: Iterable[ChannelSamples] = ()) -> dict[str, Any]:
        self.sweep()
        now = self._clock()
        return {
            "window_s": self.window_s,
            "hops": {
                "feeds": _labels(FEED_HOPS),
                "rules": _labels(RULE_HOPS),
                "channels": _labels(CHANNEL_HOPS),
            },
            "feeds": self._feeds.wire(now, self.window_s),
            "rules": self._rules.wire(now, self.window_s),
            "channels": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "hops": {"created_to_delivered": summarize(list(c.latencies_ms))},
                }
                for c in channels
            ],
            "messages": self.messages,
            "lost_messages": self.lost_messages,
            "rows_refused": self._feeds.rows_refused + self._rules.rows_refused,
            "awaiting_delivery": len(self._undelivered),
            "awaiting_acknowledgement": len(self._unacknowledged),
        }


def _remember(table: OrderedDict[str, V], key: str, value: V) -> None:
    table[key] = value
    while len(table) > MAX_TRACKED:
        table.popitem(last=False)
