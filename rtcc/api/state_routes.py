"""Read the live picture: snapshot, basemap, alerts, and the purposes a search may state."""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from rtcc.api.security import require
from rtcc.api.services import services_of
from rtcc.governance.roles import Permission
from rtcc.pipeline.live_state import snapshot

router = APIRouter()


@router.get("/api/v1/state", dependencies=[require(Permission.WALL_VIEW)])
async def live_state(request: Request) -> dict[str, Any]:
    store = services_of(request).storage.events
    return await anyio.to_thread.run_sync(snapshot, store)


@router.get("/api/v1/basemap", dependencies=[require(Permission.WALL_VIEW)])
def basemap(request: Request) -> dict[str, Any]:
    return services_of(request).basemap


@router.get("/api/v1/alerts", dependencies=[require(Permission.ALERTS_VIEW)])
def alerts(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return services_of(request).storage.events.recent_alerts(limit)


@router.get("/api/v1/purposes", dependencies=[require(Permission.WALL_VIEW)])
def purposes(request: Request) -> list[dict[str, Any]]:
    """The configured purposes, for the forms of sensitive searches."""
    return [p.model_dump() for p in services_of(request).decisions.purposes]
