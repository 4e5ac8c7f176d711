"""Pulled feeds: an HTTP endpoint polled on a timer, and a file followed like `tail -F`.

Each owns its retries: a failure waits with exponential backoff (up to a minute) and is
logged once when it starts and once when it ends, not once per attempt. Health follows
from silence, as for every feed.
"""

import asyncio
import logging
import os
from pathlib import Path

import anyio.to_thread
import httpx

from rtcc.core.clock import utcnow
from rtcc.sources.base import MAX_MESSAGE_BYTES, split_messages
from rtcc.sources.transports import QueuedFeed

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 60.0


class _Failures:
    """Logs the first failure and the recovery, and says how long to wait next."""

    def __init__(self, source: str, base_s: float) -> None:
        self.source, self.base_s, self.count = source, base_s, 0

    def failed(self, problem: str) -> float:
        if self.count == 0:
            log.warning("source %s: %s; retrying with backoff", self.source, problem)
        self.count += 1
        return float(min(MAX_BACKOFF_S, self.base_s * 2 ** min(self.count, 10)))

    def succeeded(self) -> None:
        if self.count:
            log.warning("source %s: reachable again after %d failures", self.source, self.count)
        self.count = 0


async def poll_http(queued: QueuedFeed, transport: httpx.AsyncBaseTransport | None = None) -> None:
    """GET the URL every poll_s; a 304 or an unchanged body sends nothing new."""
    config = queued.feed.config
    assert config.url is not None
    failures = _Failures(config.name, config.poll_s)
    etag: str | None = None
    async with httpx.AsyncClient(transport=transport, timeout=30.0) as client:
        while True:
            headers = dict(config.headers) | ({"If-None-Match": etag} if etag else {})
            try:
                response = await client.get(config.url, headers=headers)
                if response.status_code >= 400:
                    raise httpx.HTTPStatusError("", request=response.request, response=response)
            except httpx.HTTPError as exc:
                problem = (
                    f"HTTP {exc.response.status_code}"
                    if isinstance(exc, httpx.HTTPStatusError)
                    else type(exc).__name__
                )
                await asyncio.sleep(failures.failed(f"poll of {config.url} failed ({problem})"))
                continue
            failures.succeeded()
            queued.feed.health.heard(utcnow())  # an API that answers is alive, news or not
            if response.status_code != 304:
                etag = response.headers.get("etag")
                for message in split_messages(queued.feed.adapter.framing, response.content):
                    queued.offer(message)
            await asyncio.sleep(config.poll_s)


class _FileCursor:
    """Where a followed file was read up to, and which file (inode) that was."""

    def __init__(self, path: Path, whole_document: bool) -> None:
        self.path, self.whole_document = path, whole_document
        self.position, self.identity = 0, (0, 0, 0.0)

    def read_new(self) -> tuple[bytes, bool]:
        """(new bytes, whether the file was rotated or truncated); blocking, run in a thread."""
        stat = self.path.stat()
        rotated = self.identity[:2] != (stat.st_dev, stat.st_ino) or stat.st_size < self.position
        changed = rotated or self.identity[2] != stat.st_mtime
        if rotated:
            self.position = 0
        self.identity = (stat.st_dev, stat.st_ino, stat.st_mtime)
        if not changed:
            return b"", False
        with self.path.open("rb") as f:
            f.seek(0 if self.whole_document else self.position)
            chunk = f.read(16 * MAX_MESSAGE_BYTES)
        if not self.whole_document:
            self.position += len(chunk)
        return chunk, rotated


async def follow_file(queued: QueuedFeed) -> None:
    """Follow a file: appended lines/CoT events as they come, or a whole document (a CSV
    export, a registry) again each time it changes. Rotation and truncation start over."""
    config = queued.feed.config
    assert config.path is not None
    framing = queued.feed.adapter.framing
    delimiter = {"lines": b"\n", "cot": b"</event>"}.get(framing)
    cursor = _FileCursor(Path(config.path), whole_document=delimiter is None)
    failures = _Failures(config.name, config.poll_s)
    buffer = b""
    while True:
        try:
            chunk, rotated = await anyio.to_thread.run_sync(cursor.read_new)
        except OSError as exc:
            reason = os.strerror(exc.errno or 0)
            await asyncio.sleep(failures.failed(f"cannot read {config.path} ({reason})"))
            continue
        failures.succeeded()
        if delimiter is None:
            messages = list(split_messages(framing, chunk))
        else:
            buffer = (b"" if rotated else buffer) + chunk
            complete, found, buffer = buffer.rpartition(delimiter)
            messages = list(split_messages(framing, complete + found))
        for message in messages:
            queued.offer(message)
        if len(buffer) > MAX_MESSAGE_BYTES:
            queued.feed.dropped()
            buffer = b""
        await asyncio.sleep(config.poll_s)
