"""Builds the configured feeds, runs their transports and health clock, reports status."""

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from rtcc.core.bus import Bus
from rtcc.core.clock import utcnow
from rtcc.pipeline.ingest import Ingestor
from rtcc.sources.base import Adapter
from rtcc.sources.config import SourceConfig
from rtcc.sources.feed import SourceFeed
from rtcc.sources.health import HealthChange, SourceHealth
from rtcc.sources.mqtt import subscribe_mqtt
from rtcc.sources.pollers import follow_file, poll_http
from rtcc.sources.registry import adapter_class
from rtcc.sources.transports import QueuedFeed, start_tcp, start_udp
from rtcc.storage.base import DeadLetterStore


def build_adapter(config: SourceConfig) -> Adapter:
    """The feed's adapter with validated options; a bad config names the source and option."""
    try:
        cls = adapter_class(config.adapter)
    except KeyError as exc:
        raise ValueError(f"sources.{config.name}.adapter: {exc.args[0]}") from None
    try:
        options = cls.options_model.model_validate(config.options)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"sources.{config.name}.options.{where}: {err['msg']}") from None
    return cls(options)  # type: ignore[call-arg]


class SourceManager:
    def __init__(
        self,
        configs: Sequence[SourceConfig],
        pipeline: Ingestor,
        dead_letters: DeadLetterStore,
        bus: Bus,
    ) -> None:
        now = utcnow()
        self._bus = bus
        self.feeds: dict[str, SourceFeed] = {}
        for config in configs:
            if config.name in self.feeds:
                raise ValueError(f"sources.{config.name}: the name is used twice")
            health = SourceHealth(config.name, config.heartbeat_s, now, self._announce)
            self.feeds[config.name] = SourceFeed(
                config, build_adapter(config), pipeline, dead_letters, health
            )
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[asyncio.BaseTransport | asyncio.Server] = []

    def _announce(self, change: HealthChange) -> None:
        self._bus.publish_notice("source_health", change)

    async def start(self) -> None:
        for feed in self.feeds.values():
            config = feed.config
            if config.transport == "http":
                continue
            queued = QueuedFeed(feed, config.queue_size)
            self._tasks.append(asyncio.create_task(queued.run()))
            if config.transport == "udp":
                assert config.port is not None
                self._closers.append(await start_udp(queued, config.host, config.port))
            elif config.transport == "tcp":
                assert config.port is not None
                self._closers.append(await start_tcp(queued, config.host, config.port))
            else:
                self._tasks.append(asyncio.create_task(self._pull(queued)))
        if self.feeds:
            self._tasks.append(asyncio.create_task(self._health_clock()))

    @staticmethod
    async def _pull(queued: QueuedFeed) -> None:
        transport = queued.feed.config.transport
        if transport == "mqtt":
            await subscribe_mqtt(queued)
        elif transport == "poll":
            await poll_http(queued)
        else:
            await follow_file(queued)

    async def _health_clock(self) -> None:
        period = max(0.1, min(f.config.heartbeat_s for f in self.feeds.values()) / 4)
        while True:
            await asyncio.sleep(period)
            now = utcnow()
            for feed in self.feeds.values():
                feed.health.tick(now)

    async def stop(self) -> None:
        for closer in self._closers:
            closer.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._closers.clear()

    def status(self) -> list[dict[str, Any]]:
        return [feed.status() for feed in self.feeds.values()]
