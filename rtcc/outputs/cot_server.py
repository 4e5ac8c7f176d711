"""A small CoT fan-out server: TAK clients connect to OpenRTCC and get every event, in order.

Events published in one turn of the event loop are joined once and written to each
client's socket transport in one call (no per-client task, queue or copy), so one alert
reaches a hundred clients in one pass of a loop. Each client's unsent bytes are bounded
(`max_client_buffer`); a client that falls that far behind is disconnected and counted as
slow, so it can never hold the others back or grow memory without limit. It reconnects
and gets the current picture: the last non-stale event per uid is replayed on connect, as
TAK servers do. What clients send us
(their position reports, pings) is read and discarded.
"""

import asyncio
import contextlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from rtcc.core.clock import utcnow

READ_CHUNK = 65536


@dataclass(slots=True)
class FanoutStats:
    connected: int = 0
    accepted: int = 0
    events: int = 0
    deliveries: int = 0
    slow_disconnects: int = 0
    replayed: int = 0


class CotFanoutServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8087,
        *,
        max_client_buffer: int = 4 * 1024 * 1024,
        replay_limit: int = 2000,
    ) -> None:
        self.host = host
        self.port = port
        self.max_client_buffer = max_client_buffer
        self.replay_limit = replay_limit
        self.stats = FanoutStats()
        self._clients: dict[asyncio.StreamWriter, None] = {}  # insertion-ordered set
        self._latest: OrderedDict[str, tuple[datetime, bytes]] = OrderedDict()
        self._handlers: set[asyncio.Task[object]] = set()
        self._batch: list[bytes] = []
        self._flush_scheduled = False
        self._server: asyncio.Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where clients connect (the real port when 0 was asked for)."""
        if self._server is None or not self._server.sockets:
            return self.host, self.port
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> tuple[str, int]:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, self.host, self.port)
        return self.address

    def publish(self, data: bytes, *, uid: str | None = None, stale: datetime | None = None) -> int:
        """Queue one event (or several concatenated) for every client; returns how many
        clients are connected to receive it. Events published in the same turn of the event
        loop go out together: one joined buffer, one write per client."""
        if uid is not None and stale is not None:
            self._latest[uid] = (stale, data)
            self._latest.move_to_end(uid)
            while len(self._latest) > self.replay_limit:
                self._latest.popitem(last=False)
        self.stats.events += 1
        self._batch.append(data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)
        return len(self._clients)

    def flush(self) -> None:
        """Write the queued events to every client, cutting off any that lag too far."""
        self._flush_scheduled = False
        if not self._batch:
            return
        count = len(self._batch)
        blob = b"".join(self._batch)
        self._batch.clear()
        for writer in list(self._clients):
            transport = writer.transport
            if transport.is_closing():
                self._drop(writer)
            elif transport.get_write_buffer_size() + len(blob) > self.max_client_buffer:
                self.stats.slow_disconnects += 1
                self._drop(writer)
            else:
                transport.write(blob)
                self.stats.deliveries += count

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        """Forget a client and close its socket; its reader sees EOF and its handler ends
        (cancelling the handler instead would make asyncio log an error per client)."""
        if writer in self._clients:
            del self._clients[writer]
            self.stats.connected = len(self._clients)
        writer.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        now = utcnow()
        for uid, (stale, data) in list(self._latest.items()):
            if stale <= now:
                del self._latest[uid]
            else:
                writer.transport.write(data)
                self.stats.replayed += 1
        self._clients[writer] = None
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self.stats.accepted += 1
        self.stats.connected = len(self._clients)
        try:
            while await reader.read(READ_CHUNK):
                pass  # what TAK clients send (position reports, pings) is not ours to keep
        except ConnectionError:
            pass
        finally:
            self._drop(writer)
            if task is not None:
                self._handlers.discard(task)

    async def stop(self) -> None:
        server, self._server = self._server, None
        self.flush()
        for writer in list(self._clients):
            self._drop(writer)
        # Each handler sees EOF and ends by itself; wait so none is left to be cancelled.
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()
