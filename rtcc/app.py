"""Composition root: settings → storage, bus, pipeline, decision point, api. Wiring only."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet
from fastapi import FastAPI, Request, WebSocket, WebSocketException
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.websockets import WebSocketState

from rtcc.api import (
    admin_routes,
    auth_routes,
    dfr_routes,
    events_routes,
    geofence_routes,
    live,
    pages,
    sources_routes,
    state_routes,
)
from rtcc.api.security import AccessDenied, ensure_routes_declare_permissions
from rtcc.api.services import Services
from rtcc.core.bus import Bus
from rtcc.governance.authz import DecisionPoint
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.settings import Settings
from rtcc.sources.manager import SourceManager
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage

STATIC_DIR = Path(__file__).parent / "web" / "static"
PUBLIC_MOUNTS = {"/static", "/vendor/leaflet"}  # page assets; no data behind them


def build_services(settings: Settings, storage: Storage | None = None) -> Services:
    if storage is None:
        storage = SqliteStorage(settings.db_path, settings.sqlite_synchronous)
    bus = Bus(settings.bus_queue_size)
    pipeline = IngestPipeline(storage, bus, RuleEngine(default_rules(storage)))
    return Services(
        settings=settings,
        storage=storage,
        bus=bus,
        pipeline=pipeline,
        decisions=DecisionPoint(storage.audit, tuple(settings.purposes)),
        sources=SourceManager(settings.sources, pipeline, storage.dead_letters, bus),
        basemap=load_basemap(settings.basemap_path),
    )


def load_basemap(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {"type": "FeatureCollection", "features": []}
    data: dict[str, Any] = json.loads(path.read_text())
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: the basemap must be a GeoJSON FeatureCollection")
    return data


async def refuse_websocket(websocket: WebSocket, exc: Exception) -> None:
    """Accept, then close with the refusal's code (1008), so browsers see why.

    Closing before the handshake would reach the browser as HTTP 403 / close code 1006.
    """
    assert isinstance(exc, WebSocketException)
    if websocket.application_state == WebSocketState.CONNECTING:
        await websocket.accept()
    await websocket.close(code=exc.code, reason=exc.reason)


def create_app(settings: Settings | None = None, storage: Storage | None = None) -> FastAPI:
    services = build_services(settings or Settings(), storage)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await services.sources.start()
        try:
            yield
        finally:
            await services.sources.stop()
            services.storage.close()

    app = FastAPI(
        title="OpenRTCC", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.services = services
    routers = (
        events_routes,
        sources_routes,
        auth_routes,
        state_routes,
        dfr_routes,
        admin_routes,
        geofence_routes,
        live,
        pages,
    )
    for module in routers:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(
        "/vendor/leaflet", StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR), name="leaflet"
    )

    async def on_access_denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AccessDenied)
        return pages.access_denied_response(request, exc)

    app.add_exception_handler(AccessDenied, on_access_denied)
    app.add_exception_handler(WebSocketException, refuse_websocket)
    ensure_routes_declare_permissions(app, PUBLIC_MOUNTS)
    return app
