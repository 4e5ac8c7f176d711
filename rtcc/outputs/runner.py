"""One channel's bounded queue and worker: deliver, retry with backoff, dead-letter, measure.

Each channel has its own worker, so a channel whose far end is down only ever delays its
own queue. A full queue drops its oldest alert into the dead letters (never silently).
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

import anyio.to_thread

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.outputs.base import Channel, DeliveryError, Receipt
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.metrics import ChannelMetrics, HealthState, OutputHealthChange
from rtcc.storage.base import AlertDelivery, OutputDeadLetterStore

log = logging.getLogger(__name__)

DELIVERY_TIMEOUT_S = 30.0  # a channel that hangs longer than this counts as a retryable failure
MAX_BACKOFF_S = 600.0


def backoff_delay(base_s: float, attempt: int, rng: random.Random) -> float:
    """Delay after failed attempt `attempt` (1-based): base·2^(attempt-1), capped, with
    "equal jitter" (half fixed, half random) so channels that failed together spread out."""
    full = min(MAX_BACKOFF_S, base_s * 2.0 ** (attempt - 1))
    return full / 2 + rng.uniform(0, full / 2)


class ChannelRunner:
    def __init__(
        self,
        config: ChannelConfig,
        channel: Channel,
        store: OutputDeadLetterStore,
        announce: Callable[[OutputHealthChange], None],
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.channel = channel
        self.metrics = ChannelMetrics()
        self.health: HealthState = "ok"
        self._store = store
        self._announce = announce
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._queue: asyncio.Queue[Alert] = asyncio.Queue(config.queue_size)

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    async def offer(self, alert: Alert) -> None:
        """Queue an alert; when the queue is full the oldest waiting one is dead-lettered."""
        if self._queue.full():
            oldest = self._queue.get_nowait()
            self.metrics.dropped += 1
            reason = f"queue full ({self.config.queue_size}): dropped as the oldest waiting"
            await self._dead_letter(oldest, 0, reason, outcome="dropped")
        self._queue.put_nowait(alert)

    async def run(self) -> None:
        while True:
            alert = await self._queue.get()
            await self.deliver_with_retries(alert)

    async def deliver_with_retries(self, alert: Alert) -> Receipt | None:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(DELIVERY_TIMEOUT_S):
                    receipt = await self.channel.deliver(alert)
            except DeliveryError as exc:
                error = exc
            except TimeoutError:
                error = DeliveryError(f"no answer within {DELIVERY_TIMEOUT_S:g} s", retryable=True)
            except Exception as exc:  # a channel bug must not kill the worker
                log.exception("output %s raised", self.config.name)
                error = DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True)
            else:
                await self._delivered(alert, receipt, attempt)
                return receipt
            self._failed(error)
            if not error.retryable or attempt >= self.config.max_attempts:
                await self._dead_letter(alert, attempt, error.reason, outcome="dead_lettered")
                return None
            self.metrics.retried += 1
            await self._sleep(backoff_delay(self.config.backoff_s, attempt, self._rng))

    async def _delivered(self, alert: Alert, receipt: Receipt, attempts: int) -> None:
        """Receipt stored first, then counted: metrics never run ahead of the store."""
        if alert.hops is not None and alert.hops.delivered_at is None:
            alert.hops.delivered_at = receipt.delivered_at  # the first channel to deliver
        row = AlertDelivery(
            alert.id, self.config.name, iso(receipt.delivered_at), attempts, "delivered"
        )
        await anyio.to_thread.run_sync(self._store.record_delivery, row)
        self.metrics.record_delivery(alert.created_at, receipt.delivered_at)
        self._set_health("ok", "delivered")

    def _failed(self, error: DeliveryError) -> None:
        self.metrics.record_failure(error.reason, utcnow())
        log.warning("output %s failed: %s", self.config.name, error.reason)
        self._set_health("failing", error.reason)

    async def _dead_letter(self, alert: Alert, attempts: int, reason: str, outcome: str) -> None:
        name = self.config.name
        row = AlertDelivery(alert.id, name, None, attempts, outcome)

        def write() -> None:
            self._store.add(name, alert.to_wire(), attempts, reason)
            self._store.record_delivery(row)

        await anyio.to_thread.run_sync(write)
        self.metrics.dead_lettered += 1

    def _set_health(self, state: HealthState, reason: str) -> None:
        if state == self.health:
            return
        self.health = state
        self._announce(
            OutputHealthChange(self.config.name, self.config.kind, state, reason, utcnow())
        )
