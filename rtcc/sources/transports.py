"""How raw messages reach a feed: UDP datagrams and TCP streams, through a bounded queue.

The queue keeps a feed's messages in order and its memory bounded: when a burst
outruns ingest, the newest messages are dropped and counted, never buffered forever.
"""

import asyncio
import logging

from rtcc.sources.base import MAX_MESSAGE_BYTES, Framing, split_messages
from rtcc.sources.feed import SourceFeed

log = logging.getLogger(__name__)


class QueuedFeed:
    def __init__(self, feed: SourceFeed, size: int) -> None:
        self.feed = feed
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(size)

    def offer(self, message: bytes) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.feed.dropped()

    async def run(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                await self.feed.receive(message)
            except Exception:
                log.exception("source %s: message handling failed", self.feed.name)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, queued: QueuedFeed) -> None:
        self._queued = queued
        self._framing: Framing = "lines" if queued.feed.adapter.framing == "lines" else "datagram"

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        for message in split_messages(self._framing, data):
            self._queued.offer(message)


async def start_udp(queued: QueuedFeed, host: str, port: int) -> asyncio.DatagramTransport:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _UdpProtocol(queued), local_addr=(host, port)
    )
    return transport


_DELIMITERS: dict[str, bytes] = {"lines": b"\n", "cot": b"</event>"}


class StreamSplitter:
    """Cuts a TCP byte stream into messages by the adapter's framing, keeping partial tails."""

    def __init__(self, framing: Framing) -> None:
        self._framing = framing
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._framing == "datagram":
            return [chunk]  # binary frame streams (MAVLink): the adapter reassembles
        self._buffer += chunk
        delimiter = _DELIMITERS.get(self._framing)
        if delimiter is None:
            return []  # whole documents arrive at end of stream
        out = []
        while (end := self._buffer.find(delimiter)) >= 0:
            cut = end + (len(delimiter) if self._framing == "cot" else 0)
            message = bytes(self._buffer[:cut]).strip()
            del self._buffer[: end + len(delimiter)]
            if message:
                out.append(message)
        return out

    def overflowing(self) -> bool:
        return len(self._buffer) > MAX_MESSAGE_BYTES

    def finish(self) -> list[bytes]:
        rest = bytes(self._buffer).strip()
        self._buffer.clear()
        return [rest] if rest else []


async def start_tcp(queued: QueuedFeed, host: str, port: int) -> asyncio.Server:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = StreamSplitter(queued.feed.adapter.framing)
        try:
            while chunk := await reader.read(65536):
                for message in splitter.feed(chunk):
                    queued.offer(message)
                if splitter.overflowing():
                    queued.feed.dropped()
                    log.warning("source %s: oversized frame, connection closed", queued.feed.name)
                    return
            for message in splitter.finish():
                queued.offer(message)
        finally:
            writer.close()

    return await asyncio.start_server(serve, host, port)
