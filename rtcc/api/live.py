"""WS /api/v1/live: snapshot on connect, then events and alerts as they are persisted.

The server sends a heartbeat every `heartbeat_s`; the page reconnects when
heartbeats stop. A subscriber that falls behind gets `resync` and a fresh snapshot.
"""

import json
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
Viewer = Annotated[Principal, require_ws(Permission.WALL_VIEW)]


@router.websocket("/api/v1/live")
async def live(websocket: WebSocket, viewer: Viewer) -> None:
    svc = services_of(websocket)
    await websocket.accept()
    subscription = svc.bus.subscribe(viewer.name)
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_drain_client, websocket, tasks.cancel_scope)
            permissions = granted(viewer.role)
            await _send_snapshot(websocket, permissions)
            await _stream(websocket, subscription, svc.settings.heartbeat_s, permissions)
    except WebSocketDisconnect:
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


async def _stream(
    websocket: WebSocket,
    subscription: Subscription,
    heartbeat_s: float,
    permissions: frozenset[Permission],
) -> None:
    while True:
        # A timeout scope per message is most of the cost of a busy fan-out, so the timer
        # (for the heartbeat) is only armed when nothing is waiting.
        message = subscription.get_nowait()
        if message is None:
            with anyio.move_on_after(heartbeat_s):
                message = await subscription.get()
        if message is None:
            heartbeat = {"type": "heartbeat", "server_time": iso(utcnow())}
            await websocket.send_text(json.dumps(heartbeat))
        elif isinstance(message, Resync):
            await websocket.send_text('{"type": "resync"}')
            await _send_snapshot(websocket, permissions)
        elif not _visible(message, permissions):
            continue
        elif _has_stream(message):
            wire = message.wire()
            wire["event"] = without_stream(wire["event"])
            wire["delivered_at"] = iso(utcnow())
            await websocket.send_text(json.dumps(wire))
        elif _device_flagged(message) and Permission.LPR_HITS_CONFIRM not in permissions:
            wire = message.wire()
            wire["event"] = redact_device_flag(wire["event"], permissions)
            wire["delivered_at"] = iso(utcnow())
            await websocket.send_text(json.dumps(wire))
        else:
            # The shared JSON is rendered once per message; the delivery hop is per client.
            delivered = f'{{"delivered_at": "{iso(utcnow())}", '
            await websocket.send_text(delivered + message.json()[1:])


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
