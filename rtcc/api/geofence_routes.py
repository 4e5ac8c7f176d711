"""Geofences: list them for the wall, draw or upload one, delete one's own.

Every change is published on the bus, so every open wall redraws at once.
"""

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from rtcc.analysis.geofence import GeometryError, validate_polygon
from rtcc.api.params import json_body
from rtcc.api.security import AccessDenied, require
from rtcc.api.services import services_of
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission, Role
from rtcc.storage.base import Geofence

router = APIRouter()
Manager = Annotated[Principal, require(Permission.GEOFENCES_MANAGE)]
MAX_BODY_BYTES = 1024 * 1024
DELETES_ANY = frozenset({Role.ADMIN, Role.SUPERVISOR})


class GeofenceIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    geometry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GeofenceChange:
    """The bus notice for a change: the whole fence when added, its id when deleted."""

    action: Literal["added", "deleted"]
    geofence: Geofence

    def to_wire(self) -> dict[str, Any]:
        if self.action == "deleted":
            return {"action": "deleted", "id": self.geofence.id}
        return {"action": "added", **self.geofence.to_wire()}


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"field": field, "reason": reason, "message": message}}, status_code=status
    )


def _parse(body: bytes) -> GeofenceIn | JSONResponse:
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "body", "body_too_large", f"body over {MAX_BODY_BYTES} bytes")
    try:
        return GeofenceIn.model_validate(json.loads(body))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error(400, "body", "json_invalid", f"malformed JSON: {exc}")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        return _error(422, field, first["type"], first["msg"])


@router.get("/api/v1/geofences", dependencies=[require(Permission.WALL_VIEW)])
async def list_geofences(request: Request) -> list[dict[str, Any]]:
    """Every geofence (the wall draws them all and highlights the viewer's own)."""
    fences = await anyio.to_thread.run_sync(services_of(request).storage.geofences.list)
    return [fence.to_wire() for fence in fences]


@router.post("/api/v1/geofences", openapi_extra=json_body(GeofenceIn))
async def create_geofence(request: Request, user: Manager) -> JSONResponse:
    """{name, geometry: GeoJSON Polygon or MultiPolygon, [lon, lat]}; the caller owns it."""
    parsed = _parse(await request.body())
    if isinstance(parsed, JSONResponse):
        return parsed
    try:
        polygon = validate_polygon(parsed.geometry)
    except GeometryError as exc:
        return _error(422, exc.field, exc.reason, exc.message)
    svc = services_of(request)
    fence = await anyio.to_thread.run_sync(
        svc.storage.geofences.add, parsed.name, user.name, polygon.geojson, polygon.bbox
    )
    svc.bus.publish_notice("geofence", GeofenceChange("added", fence))
    return JSONResponse(fence.to_wire(), status_code=201)


@router.delete("/api/v1/geofences/{geofence_id}")
async def delete_geofence(request: Request, geofence_id: str, user: Manager) -> dict[str, Any]:
    """Only the owner, an admin or a supervisor may delete a geofence."""
    svc = services_of(request)
    store = svc.storage.geofences
    fence = await anyio.to_thread.run_sync(store.get, geofence_id)
    if fence is None:
        raise AccessDenied(404, "geofence_id", f"no geofence {geofence_id!r}")
    if fence.owner != user.name and user.role not in DELETES_ANY:
        reason = (
            f"geofence {fence.name!r} belongs to {fence.owner}; only its owner, "
            "an admin or a supervisor may delete it"
        )
        raise AccessDenied(403, "geofence_id", reason)
    if await anyio.to_thread.run_sync(store.delete, geofence_id):
        svc.bus.publish_notice("geofence", GeofenceChange("deleted", fence))
    return {"deleted": geofence_id}
