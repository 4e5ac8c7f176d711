"""The `cot` channel: alerts as Cursor-on-Target events to TAK.

`mode: client` keeps one TCP connection to a TAK server (TAK Server, taky, FreeTAKServer)
and writes the events to it; a broken connection is closed, the delivery fails as
retryable and the next delivery reconnects. `mode: server` makes OpenRTCC the server:
TAK clients (ATAK, WinTAK, iTAK) connect to it directly and every event fans out to all
of them (rtcc/outputs/cot_server.py). Plain TCP only: put TLS in front with a proxy
(stunnel, nginx stream) where the network needs it.
"""

import asyncio
import contextlib
import re
from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.alert_text import incident_id
from rtcc.outputs.base import DeliveryError, Receipt
from rtcc.outputs.cot_format import CotSettings, alert_uid, build_events, incident_uid
from rtcc.outputs.cot_server import CotFanoutServer

READ_CHUNK = 65536
COT_TYPE = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")  # MITRE: \w+(-\w+)*, kept to ASCII


class CotOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["client", "server"] = Field(
        "client", description="client: send to a TAK server; server: TAK clients connect here"
    )
    host: str = Field("127.0.0.1", min_length=1, description="TAK server (client) or bind")
    port: int = Field(8087, ge=0, le=65535, description="8087 is TAK's plain TCP port")
    uid_prefix: str = Field("OpenRTCC", pattern=r"^[A-Za-z0-9_.\-]{1,40}$")
    stale_s: int = Field(900, ge=10, le=86400, description="how long TAK shows the marker")
    incident_markers: bool = Field(True, description="also send the incident's own marker")
    type_by_rule: dict[str, str] = Field(
        default_factory=dict, description="override the CoT type per rule name"
    )
    connect_timeout_s: float = Field(5.0, gt=0, le=60)
    send_timeout_s: float = Field(5.0, gt=0, le=60)
    max_client_buffer: int = Field(
        4 * 1024 * 1024, ge=65536, description="server mode: bytes a slow client may lag"
    )

    @field_validator("type_by_rule")
    @classmethod
    def _cot_types(cls, value: dict[str, str]) -> dict[str, str]:
        for rule, cot_type in value.items():
            if not COT_TYPE.fullmatch(cot_type):
                raise ValueError(f"{rule}: {cot_type!r} is not a CoT type such as a-h-G")
        return value


class CotChannel:
    kind: ClassVar[str] = "cot"
    options_model: ClassVar[type[BaseModel]] = CotOptions

    def __init__(self, name: str, options: CotOptions) -> None:
        self.name = name
        self.options = options
        self.settings = CotSettings(
            uid_prefix=options.uid_prefix,
            stale_after=timedelta(seconds=options.stale_s),
            incident_markers=options.incident_markers,
            type_by_rule=dict(options.type_by_rule),
        )
        self.server: CotFanoutServer | None = None
        if options.mode == "server":
            self.server = CotFanoutServer(
                options.host, options.port, max_client_buffer=options.max_client_buffer
            )
        self._writer: asyncio.StreamWriter | None = None
        self._drain_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Listen now (server mode) so clients can connect before the first alert."""
        if self.server is not None:
            await self.server.start()

    async def deliver(self, alert: Alert) -> Receipt:
        now = utcnow()
        events = build_events(self.settings, alert, now)
        if not events:
            raise DeliveryError("alert has no location: CoT needs a point", retryable=False)
        detail: dict[str, object] = {"uid": alert_uid(self.settings, alert), "events": len(events)}
        incident = incident_id(alert)
        if incident and self.settings.incident_markers:
            detail["incident_uid"] = incident_uid(self.settings, incident)
        if self.server is not None:
            await self.server.start()
            stale = now + self.settings.stale_after
            uids = [alert_uid(self.settings, alert)]
            if "incident_uid" in detail:
                uids.append(str(detail["incident_uid"]))
            clients = 0
            for uid, data in zip(uids, events, strict=True):
                clients = self.server.publish(data, uid=uid, stale=stale)
            detail["clients"] = clients
        else:
            await self._send(b"".join(events))
            detail["server"] = f"{self.options.host}:{self.options.port}"
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def _connect(self) -> asyncio.StreamWriter:
        if self._writer is not None and not self._writer.is_closing():
            return self._writer
        await self._disconnect()
        where = f"{self.options.host}:{self.options.port}"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.options.host, self.options.port),
                self.options.connect_timeout_s,
            )
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(
                f"cannot connect to TAK at {where}: {exc!r}", retryable=True
            ) from exc
        self._writer = writer
        self._drain_task = asyncio.create_task(self._discard(reader, writer))
        return writer

    async def _discard(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read what the server forwards to us (others' events) so its buffers never fill;
        at EOF the connection is gone and the next delivery reconnects."""
        with contextlib.suppress(OSError):
            while await reader.read(READ_CHUNK):
                pass
        writer.transport.abort()

    async def _send(self, data: bytes) -> None:
        async with self._lock:
            writer = await self._connect()
            try:
                writer.write(data)
                await asyncio.wait_for(writer.drain(), self.options.send_timeout_s)
            except (OSError, TimeoutError) as exc:
                await self._disconnect()
                where = f"{self.options.host}:{self.options.port}"
                raise DeliveryError(
                    f"send to TAK at {where} failed: {exc!r}", retryable=True
                ) from exc

    async def _disconnect(self) -> None:
        writer, self._writer = self._writer, None
        task, self._drain_task = self._drain_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if writer is not None:
            writer.transport.abort()

    async def close(self) -> None:
        await self._disconnect()
        if self.server is not None:
            await self.server.stop()
