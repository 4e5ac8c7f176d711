"""Builds the configured output channels and hands every outward alert to each of them.

Guarantees: a bad channel configuration stops the server at start (naming the setting);
each channel has its own queue and worker, so one that is down never delays the others;
retryable failures are retried with exponential backoff and jitter, then dead-lettered;
every outcome is recorded per alert and channel. Alerts addressed to an audience
(`detail.audience`, e.g. a hotlist hit awaiting an analyst's confirmation) stay inside:
they are skipped here, and the confirmed alert that follows is delivered.
"""

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from rtcc.core.alerts import Alert
from rtcc.core.bus import Bus, Resync, Subscription
from rtcc.core.events import Hops
from rtcc.core.geo import Location
from rtcc.outputs.base import Channel
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.metrics import OutputHealthChange
from rtcc.outputs.registry import channel_class
from rtcc.outputs.runner import ChannelRunner
from rtcc.storage.base import OutputDeadLetterStore

log = logging.getLogger(__name__)
AUDIENCE_KEY = "audience"  # as in rtcc.analysis.hotlists.delivery


def build_channel(index: int, config: ChannelConfig) -> Channel:
    """The channel with validated options; errors read `outputs[<i>].options.<field>: reason`."""
    try:
        cls = channel_class(config.kind)
    except KeyError as exc:
        raise ValueError(f"outputs[{index}].kind: {exc.args[0]}") from None
    try:
        options = cls.options_model.model_validate(config.options)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        suffix = f".{where}" if where else ""
        raise ValueError(f"outputs[{index}].options{suffix}: {err['msg']}") from None
    return cls(config.name, options)  # type: ignore[call-arg]


def for_outside(alert: Alert) -> bool:
    """False for alerts meant for analysts only until confirmed (`detail.audience`)."""
    return alert.detail.get(AUDIENCE_KEY) is None


def _hops_from_wire(wire: dict[str, str | None] | None) -> Hops | None:
    if not wire or not wire.get("received_at"):
        return None
    known = {f.name for f in dataclasses.fields(Hops)}
    times = {k: datetime.fromisoformat(v) for k, v in wire.items() if k in known and v}
    return Hops(**times)


def alert_from_wire(wire: dict[str, Any]) -> Alert:
    """Rebuild an alert from its wire form (a dead letter sent again; an alert a worker
    stored, relayed to this process), with its hops so their latencies can be measured."""
    location = wire.get("location")
    return Alert(
        id=wire["id"],
        rule=wire["rule"],
        created_at=datetime.fromisoformat(wire["created_at"]),
        severity=wire["severity"],
        title=wire["title"],
        event_id=wire["event_id"],
        location=Location.model_validate(location) if location else None,
        detail=wire["detail"],
        hops=_hops_from_wire(wire.get("hops")),
    )


class Dispatcher:
    def __init__(
        self,
        configs: Sequence[ChannelConfig],
        bus: Bus,
        store: OutputDeadLetterStore,
        rng: random.Random | None = None,
    ) -> None:
        self._bus = bus
        self._store = store
        self.runners: dict[str, ChannelRunner] = {}
        self.skipped_for_audience = 0
        self.bus_overflows = 0
        for index, config in enumerate(configs):
            if config.name in self.runners:
                raise ValueError(f"outputs[{index}].name: {config.name!r} is used twice")
            channel = build_channel(index, config)
            self.runners[config.name] = ChannelRunner(config, channel, store, self._announce, rng)
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def _announce(self, change: OutputHealthChange) -> None:
        self._bus.publish_notice("output_health", change)

    @property
    def active(self) -> list[ChannelRunner]:
        return [r for r in self.runners.values() if r.config.enabled]

    async def start(self) -> None:
        """Subscribe to the bus and start one worker per enabled channel."""
        if not self.active:
            return
        for runner in self.active:  # e.g. a CoT server listens before the first alert
            start = getattr(runner.channel, "start", None)
            if start is not None:
                await start()
        self._subscription = self._bus.subscribe("outputs")
        self._tasks = [asyncio.create_task(r.run()) for r in self.active]
        self._tasks.append(asyncio.create_task(self._consume(self._subscription)))

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            message = await subscription.get()
            if isinstance(message, Resync):
                # Only if this loop was starved; the missed alerts are in the store.
                self.bus_overflows += 1
                log.error("outputs fell behind the bus; some alerts were not delivered")
                continue
            if message.type != "alert" or not isinstance(message.item, Alert):
                continue
            await self.dispatch(message.item)

    async def dispatch(self, alert: Alert) -> None:
        if not for_outside(alert):
            self.skipped_for_audience += 1
            return
        notify = alert.detail.get("notify")  # a playbook may name its channels
        for runner in self.active:
            if notify is None or runner.config.name in notify:
                await runner.offer(alert)

    async def retry_dead_letter(self, letter_id: int) -> str:
        """Queue a dead-lettered alert on its channel again; returns the channel's name.

        Raises LookupError when there is no such letter or its channel is not running."""
        letter = self._store.get(letter_id)
        if letter is None:
            raise LookupError(f"no output dead letter {letter_id}")
        runner = self.runners.get(letter.channel)
        if runner is None or not runner.config.enabled:
            raise LookupError(f"channel {letter.channel!r} is not configured and enabled")
        await runner.offer(alert_from_wire(letter.alert))
        self._store.mark_retried(letter_id)
        return letter.channel

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
            self._subscription = None
        for runner in self.runners.values():
            try:
                await runner.channel.close()
            except Exception:
                log.exception("output %s did not close cleanly", runner.config.name)

    def status(self) -> list[dict[str, Any]]:
        return [
            {
                "name": r.config.name,
                "kind": r.config.kind,
                "enabled": r.config.enabled,
                "health": r.health if r.config.enabled else "disabled",
                "max_attempts": r.config.max_attempts,
                "backoff_s": r.config.backoff_s,
                "queue_size": r.config.queue_size,
                "metrics": r.metrics.to_wire(r.queue_depth),
            }
            for r in self.runners.values()
        ]
