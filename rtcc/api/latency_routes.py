"""The live latency page: p50/p95 of every hop, per feed, per rule and per output channel.

Async handlers: the book and the channels' metrics are kept on the event loop, so they are
read there too (never from a worker thread while they change).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from rtcc.api.pages import templates
from rtcc.api.security import require
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.outputs.dispatcher import Dispatcher
from rtcc.pipeline.latency import ChannelSamples, LatencyBook

router = APIRouter()
Viewer = Annotated[Principal, require(Permission.LATENCY_VIEW)]


def latency_snapshot(request: Request) -> dict[str, Any]:
    book: LatencyBook = request.app.state.latency
    dispatcher: Dispatcher = request.app.state.outputs
    channels = [
        ChannelSamples(r.config.name, r.config.kind, r.metrics.latencies_ms)
        for r in dispatcher.active
    ]
    return book.snapshot(channels)


@router.get("/api/v1/latency", dependencies=[require(Permission.LATENCY_VIEW)])
async def latency(request: Request) -> dict[str, Any]:
    """Rows per feed, rule and channel; per hop n, p50, p95, p99 in ms over the window."""
    return latency_snapshot(request)


@router.get("/latency", response_class=HTMLResponse)
async def latency_page(request: Request, viewer: Viewer) -> Response:
    context = {"user": viewer.name, "role": viewer.role_name, "data": latency_snapshot(request)}
    return templates.TemplateResponse(request, "latency.html", context)
