"""A worker process: takes its partitions' batches off JetStream, stores and judges them.

Run as `rtcc worker --index i --of N`; every worker of a deployment must be started with
the same N (and the same `bus_partitions`). A batch is acknowledged only after it is
stored, its alerts are stored and its live messages are out.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from rtcc.analysis.camera_live import LiveCameras
from rtcc.core.bus import Bus
from rtcc.distributed import codec
from rtcc.distributed.jetstream import (
    STREAM,
    connect,
    consumer_name,
    ensure_stream,
    ingest_subject,
)
from rtcc.distributed.relay import LiveRelay, forward
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.playbooks.engine import playbooks_for
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.settings import Settings
from rtcc.storage.base import Storage

log = logging.getLogger(__name__)

FETCH = 32  # messages per pull (each up to 500 events)
MERGE = 64  # queued messages (~60 events each: a batch split by partition) stored at once
ACK_WAIT_S = 30.0  # a batch not acknowledged by then goes to a worker again


@dataclass(slots=True)
class WorkerStats:
    batches: int = 0
    events: int = 0
    stored: int = 0
    alerts: int = 0
    redelivered: int = 0
    failures: int = 0
    refused: int = 0  # messages that could not be decoded (terminated, never retried)


def partitions_of(index: int, count: int, partitions: int) -> list[int]:
    if not 0 <= index < count:
        raise ValueError(f"worker index must be in 0..{count - 1}, got {index}")
    return [p for p in range(partitions) if p % count == index]


class Worker:
    def __init__(self, settings: Settings, storage: Storage, index: int = 0, count: int = 1):
        self.settings = settings
        self.index = index
        self.partitions = partitions_of(index, count, settings.bus_partitions)
        self.bus = Bus(settings.bus_queue_size)
        cameras = LiveCameras.from_entities(storage.events.entities(), settings.camera_dock)
        rules = RuleEngine(default_rules(storage), playbooks_for(settings, storage))
        self.pipeline = IngestPipeline(storage, self.bus, rules, cameras)
        self.stats = WorkerStats()
        self._queue: asyncio.Queue[Msg] = asyncio.Queue(maxsize=MERGE * 2)

    async def run(self, ready: asyncio.Event | None = None) -> None:
        nc = await connect(self.settings.bus_url, f"rtcc-worker-{self.index}")
        try:
            js = nc.jetstream()
            await ensure_stream(js, self.settings.bus_max_bytes)
            # Cameras changed by other workers' batches keep this worker's index current.
            await LiveRelay(None, self.pipeline.cameras).start(nc)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(forward(self.bus, nc))
                for partition in self.partitions:
                    tasks.create_task(self._fetch(js, partition))
                tasks.create_task(self._process())
                if ready is not None:
                    ready.set()
        finally:
            with contextlib.suppress(Exception):
                await nc.drain()

    async def _fetch(self, js: JetStreamContext, partition: int) -> None:
        config = ConsumerConfig(
            durable_name=consumer_name(partition),
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=ACK_WAIT_S,
            max_ack_pending=FETCH * 4,
        )
        sub = await js.pull_subscribe(
            ingest_subject(partition), durable=consumer_name(partition), stream=STREAM,
            config=config,
        )  # fmt: skip
        while True:
            try:
                messages = await sub.fetch(FETCH, timeout=1.0)
            except (NatsTimeout, TimeoutError):
                continue
            except NatsError as exc:  # NATS restarting: the client reconnects on its own
                log.warning("partition %d: fetch failed (%s); retrying", partition, exc)
                await asyncio.sleep(0.5)
                continue
            for message in messages:
                await self._queue.put(message)

    async def _process(self) -> None:
        backoff = 0.2
        while True:
            messages = [await self._queue.get()]
            while len(messages) < MERGE and not self._queue.empty():
                messages.append(self._queue.get_nowait())
            try:
                await self._handle(messages)
                backoff = 0.2
            except Exception:  # storage down, a bug: the batches stay on the queue
                self.stats.failures += 1
                log.exception("%d batch(es) failed; they will be delivered again", len(messages))
                for message in messages:
                    with contextlib.suppress(Exception):
                        await message.nak(delay=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _handle(self, messages: list[Msg]) -> None:
        """Store and judge several queued batches at once (one transaction per source)."""
        groups: dict[str, tuple[list[codec.QueuedBatch], list[Msg]]] = {}
        for message in messages:
            try:
                batch = codec.decode(message.data)
            except (ValueError, KeyError, TypeError) as exc:
                self.stats.refused += 1
                log.error("queued message refused, not retried: %s", exc)
                await message.term()
                continue
            batches, taken = groups.setdefault(batch.source, ([], []))
            batches.append(batch)
            taken.append(message)
        for source, (batches, taken) in groups.items():
            redelivered = any(m.metadata.num_delivered > 1 for m in taken)
            events = [e for b in batches for e in b.events]
            result = await asyncio.to_thread(
                self.pipeline.process_events,
                source,
                events,
                [],
                len(events),
                min(b.received_at for b in batches),
                redelivered,
            )
            self.bus.publish_events(result.stored)
            self.bus.publish_alerts(result.alerts)
            for message in taken:
                await message.ack()
            self.stats.batches += len(taken)
            self.stats.redelivered += redelivered
            self.stats.events += len(events)
            self.stats.stored += len(result.stored)
            self.stats.alerts += len(result.alerts)


async def run_worker(settings: Settings, storage: Storage, index: int, count: int) -> None:
    """The `rtcc worker` command's body: run until cancelled (SIGINT/SIGTERM)."""
    worker = Worker(settings, storage, index, count)
    log.info("worker %d/%d: partitions %s", index, count, worker.partitions)
    await worker.run()
