"""Feeds: raw messages pushed in their own format, feed health, dead letters and replay."""

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect, WebSocketException
from fastapi.responses import JSONResponse

from rtcc.api.params import RowId
from rtcc.api.security import AccessDenied, require, require_ws
from rtcc.api.services import services_of
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.sources.base import MAX_MESSAGE_BYTES, split_messages
from rtcc.sources.feed import SourceFeed
from rtcc.storage.base import DeadLetter

router = APIRouter()
Source = Annotated[Principal, require(Permission.EVENTS_INGEST)]
StreamingSource = Annotated[Principal, require_ws(Permission.EVENTS_INGEST)]


def _feed(request: Request, name: str) -> SourceFeed:
    feed = services_of(request).sources.feeds.get(name)
    if feed is None:
        raise AccessDenied(404, "name", f"no source named {name!r} is configured")
    return feed


@router.post("/api/v1/sources/{name}/messages")
async def push_messages(request: Request, name: str, source: Source) -> JSONResponse:
    """A feed pushes messages in its own wire format (EIDO, PIDF-LO, CoT, NMEA lines…)."""
    if source.name != name:
        raise AccessDenied(403, "authorization", f"this key belongs to source {source.name!r}")
    feed = _feed(request, name)
    body = await request.body()
    if len(body) > MAX_MESSAGE_BYTES * 16:
        return JSONResponse(
            {"error": {"field": "body", "reason": "too_large", "message": "body over 16 MiB"}},
            status_code=413,
        )
    framing = "document" if feed.adapter.framing == "datagram" else feed.adapter.framing
    results = [await feed.receive(m) for m in split_messages(framing, body)]
    summary = _summary(results)
    return JSONResponse(summary, status_code=422 if summary["rejected"] else 200)


@router.websocket("/api/v1/sources/{name}/stream")
async def stream_messages(websocket: WebSocket, name: str, source: StreamingSource) -> None:
    """A feed that keeps a websocket open: each frame is one or more messages in its format;
    each frame is answered with what was accepted and refused."""
    if source.name != name:
        raise WebSocketException(1008, f"this key belongs to source {source.name!r}")
    feed = services_of(websocket).sources.feeds.get(name)
    if feed is None:
        raise WebSocketException(1008, f"no source named {name!r} is configured")
    await websocket.accept()
    framing = "document" if feed.adapter.framing == "datagram" else feed.adapter.framing
    try:
        while True:
            frame = await websocket.receive()
            if frame["type"] == "websocket.disconnect":
                return
            data = frame.get("bytes") or (frame.get("text") or "").encode()
            results = [await feed.receive(m) for m in split_messages(framing, data)]
            await websocket.send_json(_summary(results))
    except WebSocketDisconnect:
        return


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    rejected = [
        {"message_index": i, **{k: v for k, v in err.items() if k != "index"}}
        for i, r in enumerate(results)
        for err in r.get("rejected", [])
    ]
    accepted = sum(r["accepted"] for r in results)
    return {"messages": len(results), "accepted": accepted, "rejected": rejected}


@router.get("/api/v1/sources", dependencies=[require(Permission.WALL_VIEW)])
def sources(request: Request) -> list[dict[str, Any]]:
    return services_of(request).sources.status()


def _letter(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "source": letter.source,
        "received_at": letter.received_at,
        "field": letter.field,
        "reason": letter.reason,
        "message": letter.message,
        "replayed_at": letter.replayed_at,
        "size": len(letter.raw),
        "raw_text": letter.raw[:4000].decode("utf-8", errors="replace"),
        "raw_base64": base64.b64encode(letter.raw).decode(),
    }


@router.get("/api/v1/admin/dead-letters", dependencies=[require(Permission.ADMIN_VIEW)])
def dead_letters(
    request: Request,
    source: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return [_letter(d) for d in services_of(request).storage.dead_letters.list(source, limit)]


@router.post(
    "/api/v1/admin/dead-letters/{letter_id}/replay",
    dependencies=[require(Permission.SOURCES_MANAGE)],
)
async def replay_dead_letter(request: Request, letter_id: RowId) -> dict[str, Any]:
    """Send a refused message through its feed again (after the adapter or data was fixed)."""
    store = services_of(request).storage.dead_letters
    letter = store.get(letter_id)
    if letter is None:
        raise AccessDenied(404, "letter_id", f"no dead letter {letter_id}")
    result = await _feed(request, letter.source).receive(letter.raw)
    store.mark_replayed(letter_id)
    return {"id": letter_id, **result}
