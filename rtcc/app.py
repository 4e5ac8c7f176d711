"""Composition root: settings → storage, bus, pipeline, decision point, api. Wiring only."""

import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import psycopg
import xstatic.pkg.leaflet
from fastapi import FastAPI, Request, WebSocket, WebSocketException
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.websockets import WebSocketState
from uvicorn import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from rtcc.analysis.camera_live import LiveCameras
from rtcc.api import (
    admin_routes,
    alert_routes,
    audit_routes,
    auth_routes,
    bulletin_routes,
    camera_routes,
    dfr_routes,
    events_routes,
    geofence_routes,
    hotlist_routes,
    intel_routes,
    latency_routes,
    live,
    lpr_routes,
    oidc_routes,
    outputs_routes,
    pages,
    playbook_routes,
    private_camera_routes,
    public_routes,
    retention_routes,
    review_routes,
    sharing_routes,
    sources_routes,
    state_routes,
)
from rtcc.api.security import AccessDenied, ensure_routes_declare_permissions
from rtcc.api.services import Services
from rtcc.core.bus import Bus
from rtcc.distributed.queued_ingest import QueuedIngest
from rtcc.governance.audit_checkpoints import load_or_create_key, make_checkpoint
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.retention_policy import PolicyInForce
from rtcc.housekeeping import run_housekeeping
from rtcc.outputs.dispatcher import Dispatcher
from rtcc.pipeline.gate import IngestGate
from rtcc.pipeline.ingest import Ingestor, IngestPipeline
from rtcc.pipeline.latency import LatencyBook
from rtcc.pipeline.playbooks.engine import PlaybookSet, playbooks_for
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.settings import Settings
from rtcc.sources.manager import SourceManager
from rtcc.storage.base import Storage
from rtcc.storage.open import open_storage

STATIC_DIR = Path(__file__).parent / "web" / "static"


class _SansIOWithoutDeflate(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websockets (less latency fanning an alert out to hundreds of walls
    than the default) without per-message deflate: every client has its own zlib stream, so
    one alert to 500 walls meant 500+ compressions, ~40% of the server's CPU in that fan-out
    (docs/PERFORMANCE.md, alert fan-out). Frames are small JSON; `rtcc serve`/demo use it."""

    def __init__(self, config: Config, *args: Any, **kwargs: Any) -> None:
        if config.ws_per_message_deflate:
            config = copy.copy(config)
            config.ws_per_message_deflate = False
        super().__init__(config, *args, **kwargs)


WS_PROTOCOL = _SansIOWithoutDeflate
PUBLIC_MOUNTS = {"/static", "/vendor/leaflet"}  # page assets; no data behind them


def build_services(
    settings: Settings, storage: Storage | None = None, playbooks: PlaybookSet | None = None
) -> Services:
    if storage is None:
        storage = open_storage(settings)
    if playbooks is None:
        playbooks = playbooks_for(settings, storage)
    bus = Bus(settings.bus_queue_size)
    cameras = LiveCameras.from_entities(storage.events.entities(), settings.camera_dock)
    pipeline: Ingestor
    if settings.bus_url:  # scale-out: workers store and judge (rtcc/distributed)
        pipeline = QueuedIngest(storage.events, cameras, settings.bus_partitions)
    else:
        rules = RuleEngine(default_rules(storage), playbooks)
        pipeline = IngestPipeline(storage, bus, rules, cameras)
    return Services(
        settings=settings,
        storage=storage,
        bus=bus,
        pipeline=pipeline,
        decisions=DecisionPoint(storage.audit, tuple(settings.purposes)),
        sources=SourceManager(settings.sources, pipeline, storage.dead_letters, bus),
        basemap=load_basemap(settings.basemap_path),
        retention=PolicyInForce(settings.retention.policy_path),
        ingest_gate=IngestGate(settings.ingest_max_inflight),
    )


def load_basemap(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {"type": "FeatureCollection", "features": []}
    data: dict[str, Any] = json.loads(path.read_text())
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: the basemap must be a GeoJSON FeatureCollection")
    return data


async def storage_unavailable(_: Request, exc: Exception) -> Response:
    """PostgreSQL restarting or out of connections: a 503 the caller retries, not a 500."""
    response = JSONResponse(
        {"error": {"field": "storage", "reason": "unavailable", "message": type(exc).__name__}},
        status_code=503,
    )
    response.headers["Retry-After"] = "2"
    return response


async def refuse_websocket(websocket: WebSocket, exc: Exception) -> None:
    """Accept, then close with the refusal's code (1008), so browsers see why.

    Closing before the handshake would reach the browser as HTTP 403 / close code 1006.
    """
    assert isinstance(exc, WebSocketException)
    if websocket.application_state == WebSocketState.CONNECTING:
        await websocket.accept()
    await websocket.close(code=exc.code, reason=exc.reason)


def create_app(settings: Settings | None = None, storage: Storage | None = None) -> FastAPI:
    settings = settings or Settings()
    if storage is None:
        storage = open_storage(settings)
    playbooks = playbooks_for(settings, storage)  # YAML rules; reloaded when a file changes
    services = build_services(settings, storage, playbooks)
    # Output channels (Slack, Teams, webhooks…): a bad channel config stops the start here.
    outputs = Dispatcher(
        services.settings.outputs, services.bus, services.storage.output_dead_letters
    )

    primary = settings.primary
    # Hop latencies (the /latency page); first deliveries are seen where the channels run.
    latency = LatencyBook(track_deliveries=primary and bool(outputs.active))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Feeds, output channels and periodic jobs run in the primary API process only:
        # a second API process behind the same load balancer serves routes and walls.
        if primary:
            await services.sources.start()
            await outputs.start()
        audit_key = load_or_create_key(services.settings.keys_dir)
        try:
            async with anyio.create_task_group() as tasks:
                if primary:
                    tasks.start_soon(run_housekeeping, services, audit_key)
                await tasks.start(latency.run, services.bus)  # subscribed before serving
                if isinstance(services.pipeline, QueuedIngest):
                    tasks.start_soon(
                        services.pipeline.run,
                        settings.bus_url,
                        services.bus,
                        settings.bus_max_bytes,
                    )
                try:
                    yield
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            if primary:
                await outputs.stop()
                await services.sources.stop()
                make_checkpoint(services.storage.audit, audit_key)  # seal the trail on exit
            services.storage.close()

    app = FastAPI(
        title="OpenRTCC", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.services = services
    app.state.outputs = outputs
    app.state.playbooks = playbooks
    app.state.latency = latency
    routers = (
        events_routes,
        bulletin_routes,
        sources_routes,
        auth_routes,
        state_routes,
        dfr_routes,
        admin_routes,
        geofence_routes,
        audit_routes,
        review_routes,
        intel_routes,
        sharing_routes,
        retention_routes,
        alert_routes,
        camera_routes,
        outputs_routes,
        private_camera_routes,
        hotlist_routes,
        lpr_routes,
        live,
        pages,
        oidc_routes,
        public_routes,
        playbook_routes,
        latency_routes,
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
    app.add_exception_handler(psycopg.OperationalError, storage_unavailable)
    app.add_exception_handler(WebSocketException, refuse_websocket)
    ensure_routes_declare_permissions(app, PUBLIC_MOUNTS)
    return app
