"""The stream, its subjects and partitions, and a connection that keeps reconnecting."""

import asyncio
import logging
import zlib

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from rtcc.core.events import Event

log = logging.getLogger(__name__)

STREAM = "RTCC_INGEST"
INGEST_PREFIX = "rtcc.ingest"
LIVE_SUBJECT = "rtcc.live"
DUPLICATE_WINDOW_S = 120.0  # a re-sent batch within this window is dropped by JetStream


def partition_of(event: Event, partitions: int) -> int:
    """Events of one entity (a unit, a call, a camera) always land in one partition."""
    key = event.entity_key or event.dedup_key
    return zlib.crc32(key.encode()) % partitions


def ingest_subject(partition: int) -> str:
    return f"{INGEST_PREFIX}.{partition}"


def consumer_name(partition: int) -> str:
    return f"rtcc-p{partition}"


async def connect(url: str, name: str, attempts: int = 0) -> Client:
    """Connect, retrying with backoff (`attempts` 0: forever); reconnects on its own after."""
    delay, tried = 0.2, 0
    while True:
        try:
            return await nats.connect(
                url,
                name=name,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
            )
        except (OSError, nats.errors.Error) as exc:
            tried += 1
            if attempts and tried >= attempts:
                raise
            log.warning("NATS at %s not reachable (%s); retrying in %.1f s", url, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def ensure_stream(js: JetStreamContext, max_bytes: int) -> None:
    """The ingest stream on disk, bounded: when full, new batches are refused (the API
    answers 503) rather than old, unprocessed ones dropped."""
    config = StreamConfig(
        name=STREAM,
        subjects=[f"{INGEST_PREFIX}.>"],
        retention=RetentionPolicy.WORK_QUEUE,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        max_bytes=max_bytes,
        duplicate_window=DUPLICATE_WINDOW_S,
    )
    try:
        await js.stream_info(STREAM)
        await js.update_stream(config)
    except NotFoundError:
        await js.add_stream(config)
