"""Read the live picture: snapshot, basemap, alerts, and the purposes a search may state."""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from rtcc.analysis.hotlists.delivery import granted, redact_device_flag, visible_alerts
from rtcc.api.security import require
from rtcc.api.services import services_of
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.pipeline.live_state import snapshot

router = APIRouter()


@router.get("/api/v1/state")
async def live_state(
    request: Request, viewer: Annotated[Principal, require(Permission.WALL_VIEW)]
) -> dict[str, Any]:
    store = services_of(request).storage.events
    state = await anyio.to_thread.run_sync(snapshot, store)
    # A pending hotlist hit's alert is for those who confirm hits only.
    permissions = granted(viewer.role)
    state["alerts"] = visible_alerts(state["alerts"], permissions)
    state["recent"] = [redact_device_flag(event, permissions) for event in state["recent"]]
    return state


@router.get("/api/v1/basemap", dependencies=[require(Permission.WALL_VIEW)])
def basemap(request: Request) -> dict[str, Any]:
    return services_of(request).basemap


@router.get("/api/v1/alerts")
def alerts(
    request: Request,
    viewer: Annotated[Principal, require(Permission.ALERTS_VIEW)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    found = services_of(request).storage.events.recent_alerts(limit)
    return visible_alerts(found, granted(viewer.role))


@router.get("/api/v1/purposes", dependencies=[require(Permission.WALL_VIEW)])
def purposes(request: Request) -> list[dict[str, Any]]:
    """The configured purposes, for the forms of sensitive searches."""
    return [p.model_dump() for p in services_of(request).decisions.purposes]
