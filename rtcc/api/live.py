"""WS /api/v1/live: snapshot on connect, then events and alerts as they are persisted.

The server sends a heartbeat every `heartbeat_s`; the page reconnects when
heartbeats stop. A subscriber that falls behind gets `resync` and a fresh snapshot.
"""

import json
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from rtcc.api.security import require_ws
from rtcc.api.services import services_of
from rtcc.core.bus import Resync, Subscription
from rtcc.core.clock import iso, utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.pipeline.live_state import snapshot

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
            await _send_snapshot(websocket)
            await _stream(websocket, subscription, svc.settings.heartbeat_s)
    except WebSocketDisconnect:
        pass
    finally:
        svc.bus.unsubscribe(subscription)


async def _send_snapshot(websocket: WebSocket) -> None:
    svc = services_of(websocket)
    state = await anyio.to_thread.run_sync(snapshot, svc.storage.events)
    state["sources"] = svc.sources.status()
    fences = await anyio.to_thread.run_sync(svc.storage.geofences.list)
    state["geofences"] = [fence.to_wire() for fence in fences]
    await websocket.send_text(json.dumps({"type": "snapshot", "state": state}))


async def _stream(websocket: WebSocket, subscription: Subscription, heartbeat_s: float) -> None:
    while True:
        message = None
        with anyio.move_on_after(heartbeat_s):
            message = await subscription.get()
        if message is None:
            heartbeat = {"type": "heartbeat", "server_time": iso(utcnow())}
            await websocket.send_text(json.dumps(heartbeat))
        elif isinstance(message, Resync):
            await websocket.send_text('{"type": "resync"}')
            await _send_snapshot(websocket)
        else:
            # The shared JSON is rendered once per message; the delivery hop is per client.
            delivered = f'{{"delivered_at": "{iso(utcnow())}", '
            await websocket.send_text(delivered + message.json()[1:])


async def _drain_client(websocket: WebSocket, scope: anyio.CancelScope) -> None:
    """Read (and ignore) client frames so a closed socket is noticed at once."""
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        scope.cancel()
