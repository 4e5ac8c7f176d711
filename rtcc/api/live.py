"""WS /api/v1/live: snapshot on connect, then events and alerts as they are persisted.

The server sends a heartbeat after `heartbeat_s` without a frame; the page reconnects
when frames stop. A subscriber that falls behind gets `resync` and a fresh snapshot.
With `?batch=1` (the wall's pages) messages waiting together come as one JSON array.
One alert goes to hundreds of walls, so the per-client work is kept small
(docs/PERFORMANCE.md, alert fan-out).
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from rtcc.analysis.hotlists.delivery import (
    alert_visible,
    granted,
    hit_permission,
    redact_device_flag,
    visible_alerts,
)
from rtcc.analysis.hotlists.models import Hit
from rtcc.api.security import require_ws
from rtcc.api.services import services_of
from rtcc.core.alerts import Alert
from rtcc.core.bus import BusMessage, Resync, Subscription
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import Event
from rtcc.core.payloads import CameraStatus, LprRead
from rtcc.governance.attributes import without_stream
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.pipeline.live_state import snapshot
from rtcc.storage.base import Storage

router = APIRouter()
MAX_BATCH = 64  # messages in one frame, for a client that takes arrays
Viewer = Annotated[Principal, require_ws(Permission.WALL_VIEW)]


@router.websocket("/api/v1/live")
async def live(websocket: WebSocket, viewer: Viewer, batch: bool = False) -> None:
    """`batch`: the client takes a frame that is a JSON array of messages (the wall does),
    so a burst (a gunshot's event and its alert) costs one send instead of one each."""
    svc = services_of(websocket)
    await websocket.accept()
    subscription = svc.bus.subscribe(viewer.name)
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_drain_client, websocket, tasks.cancel_scope)
            permissions = granted(viewer.role)
            await _send_snapshot(websocket, permissions)
            # Own tasks, not this one: a wake-up (per client per alert) then resumes a short
            # coroutine stack, not the ASGI middleware chain this handler runs under.
            quiet = _Quiet(time.monotonic())
            most = MAX_BATCH if batch else 1
            tasks.start_soon(_stream, websocket, subscription, permissions, quiet, most)
            tasks.start_soon(_heartbeat, websocket, svc.settings.heartbeat_s, quiet)
    except* WebSocketDisconnect:
        pass
    finally:
        svc.bus.unsubscribe(subscription)


async def _send_snapshot(websocket: WebSocket, permissions: frozenset[Permission]) -> None:
    svc = services_of(websocket)
    state = await anyio.to_thread.run_sync(snapshot, svc.storage.events)
    # Hotlist hits by role: pending ones only to those who confirm (rtcc.analysis.hotlists).
    state["alerts"] = visible_alerts(state["alerts"], permissions)
    state["recent"] = [redact_device_flag(event, permissions) for event in state["recent"]]
    state["hits"] = await anyio.to_thread.run_sync(_hits_for, svc.storage, permissions)
    state["sources"] = svc.sources.status()
    fences = await anyio.to_thread.run_sync(svc.storage.geofences.list)
    state["geofences"] = [fence.to_wire() for fence in fences]
    await websocket.send_text(json.dumps({"type": "snapshot", "state": state}))


@dataclass(slots=True)
class _Quiet:
    """When this client was last sent a frame: `_heartbeat` only fills silences."""

    since: float


async def _stream(
    websocket: WebSocket,
    subscription: Subscription,
    permissions: frozenset[Permission],
    quiet: _Quiet,
    most: int,
) -> None:
    """Every bus message in order, up to `most` of those waiting in one frame. A message is
    rendered once per role for all clients (`BusMessage.frame_for`) and this client's
    `delivered_at` spliced in front; no timer per message (`_heartbeat` has its own)."""
    audience = ("live", permissions)
    while True:
        message = subscription.get_nowait()  # a burst without a coroutine per message
        if message is None:
            message = await subscription.get()
        frames: list[str] = []
        while not isinstance(message, Resync):
            frame = message.frame_for(audience, lambda m: _render(m, permissions))
            if frame is not None:
                frames.append(frame)
            waiting = subscription.get_nowait() if len(frames) < most else None
            if waiting is None:
                break
            message = waiting
        if frames:
            await websocket.send_text(_stamped(frames))
            quiet.since = time.monotonic()
        if isinstance(message, Resync):
            await websocket.send_text('{"type": "resync"}')
            await _send_snapshot(websocket, permissions)
            quiet.since = time.monotonic()


async def _heartbeat(websocket: WebSocket, heartbeat_s: float, quiet: _Quiet) -> None:
    """A heartbeat after `heartbeat_s` without a frame (the page reconnects when frames
    stop). This task sleeps until then, so `_stream` arms no timeout (a cancel scope)
    around each wait for a message: one timer per silence, not one per wake-up."""
    while True:
        await anyio.sleep(quiet.since + heartbeat_s - time.monotonic())
        if time.monotonic() - quiet.since >= heartbeat_s:
            heartbeat = {"type": "heartbeat", "server_time": iso(utcnow())}
            await websocket.send_text(json.dumps(heartbeat))
            quiet.since = time.monotonic()


def _render(message: BusMessage, permissions: frozenset[Permission]) -> str | None:
    """The frame (a JSON object) for viewers holding `permissions`; None if not for them."""
    if not _visible(message, permissions):
        return None
    if _has_stream(message):
        wire = message.wire()
        return json.dumps({**wire, "event": without_stream(wire["event"])})
    if _device_flagged(message) and Permission.LPR_HITS_CONFIRM not in permissions:
        wire = message.wire()
        return json.dumps({**wire, "event": redact_device_flag(wire["event"], permissions)})
    return message.json()


def _stamped(frames: list[str]) -> str:
    """Each frame (a JSON object) with this send's `delivered_at` spliced in first; one
    object, or an array of them."""
    head = '{"delivered_at": "' + _stamp() + '", '
    if len(frames) == 1:
        return head + frames[0][1:]
    return "[" + ",".join([head + frame[1:] for frame in frames]) + "]"


class _UtcStamp:
    """`iso(utcnow())` at a fraction of the cost, for one `delivered_at` per frame: the date
    and time to the second are formatted once a second, the microseconds per call."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self) -> str:
        second, nanos = divmod(time.time_ns(), 1_000_000_000)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{nanos // 1000:06d}+00:00"


_stamp = _UtcStamp()


def _visible(message: BusMessage, permissions: frozenset[Permission]) -> bool:
    if isinstance(message.item, Alert):
        return alert_visible({"detail": message.item.detail}, permissions)
    if isinstance(message.item, Hit):
        return hit_permission(message.item.status) in permissions
    return True


def _has_stream(message: BusMessage) -> bool:
    item = message.item
    return (
        isinstance(item, Event)
        and isinstance(item.payload, CameraStatus)
        and item.payload.stream_url is not None
    )


def _device_flagged(message: BusMessage) -> bool:
    item = message.item
    return (
        isinstance(item, Event) and isinstance(item.payload, LprRead) and bool(item.payload.hotlist)
    )


def _hits_for(storage: Storage, permissions: frozenset[Permission]) -> list[dict[str, Any]]:
    """Pending hits for confirmers, recently confirmed hits for everyone who sees alerts."""
    hits: list[Hit] = []
    if Permission.LPR_HITS_CONFIRM in permissions:
        hits += storage.hotlists.hits("pending", 100)
    if Permission.ALERTS_VIEW in permissions:
        hits += storage.hotlists.hits("confirmed", 50)
    return [hit.to_wire() for hit in hits]


async def _drain_client(websocket: WebSocket, scope: anyio.CancelScope) -> None:
    """Read (and ignore) client frames so a closed socket is noticed at once."""
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        scope.cancel()
