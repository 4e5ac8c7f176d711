"""Private cameras for staff: the list, time-boxed grants tied to a case, and footage
requests that state a purpose and stay inside the grant. The public pages (registration,
the owner's page) live in `camera_owner_pages` and are included here."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from rtcc.api import camera_owner_pages
from rtcc.api.camera_forms import BadForm, parse_time
from rtcc.api.security import require, require_purpose
from rtcc.api.services import services_of
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import new_id
from rtcc.governance.camera_grants import (
    CameraGrant,
    GrantRefused,
    PrivateCamera,
    plan_grant,
)
from rtcc.governance.identity import Principal
from rtcc.governance.purpose import CaseNumber
from rtcc.governance.roles import Permission
from rtcc.operations.camera_access import MAX_RANGE_HOURS, FootageRequest, request_footage

router = APIRouter()
router.include_router(camera_owner_pages.router)
Viewer = Annotated[Principal, require(Permission.WALL_VIEW)]
Granter = Annotated[Principal, require(Permission.CAMERA_GRANTS_MANAGE)]
Investigator = Annotated[Principal, require_purpose(Permission.PRIVATE_CAMERA_VIEW)]
BASE = "/api/v1/private-cameras"
DEFAULT_GRANT_HOURS = 24.0


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_number: CaseNumber = Field(description="the incident or case the grant serves")
    hours: float = Field(DEFAULT_GRANT_HOURS, gt=0, description="how long it lasts")
    starts_at: AwareDatetime | None = Field(None, description="now when absent; never earlier")


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    body = {"error": {"field": field, "reason": reason, "message": message}}
    return JSONResponse(body, status_code=status)


def _camera_wire(camera: PrivateCamera) -> dict[str, Any]:
    """What staff see: where it looks and how it is shared, not the owner's contact."""
    return {
        "id": camera.id,
        "label": camera.label,
        "kind": camera.kind,
        "sharing": camera.sharing,
        "address": camera.address,
        "lat": camera.lat,
        "lon": camera.lon,
        "heading_deg": camera.heading_deg,
        "fov_deg": camera.fov_deg,
        "range_m": camera.range_m,
        "registered_at": iso(camera.created_at),
        "withdrawn_at": iso(camera.withdrawn_at) if camera.withdrawn_at else None,
    }


def _grant_wire(grant: CameraGrant) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": grant.id,
        "camera_id": grant.camera_id,
        "case_number": grant.case_number,
        "granted_by": grant.granted_by,
        "agency": grant.agency,
        "starts_at": iso(grant.starts_at),
        "ends_at": iso(grant.ends_at),
        "created_at": iso(grant.created_at),
        "live": grant.starts_at <= now <= grant.ends_at,
    }


@router.get(BASE)
def list_cameras(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    return [_camera_wire(c) for c in services_of(request).storage.private_cameras.list_cameras()]


@router.get(BASE + "/{camera_id}/grants")
def list_grants(request: Request, camera_id: str, granter: Granter) -> Response:
    store = services_of(request).storage.private_cameras
    if store.camera(camera_id) is None:
        return _error(404, "camera_id", "unknown", f"no private camera {camera_id!r}")
    return JSONResponse([_grant_wire(g) for g in store.grants(camera_id)])


@router.post(BASE + "/{camera_id}/grants", status_code=201)
def create_grant(request: Request, camera_id: str, body: GrantIn, granter: Granter) -> Response:
    """201 with the grant; 409 when the camera may not be reached at all; 422 for bad times."""
    svc = services_of(request)
    camera = svc.storage.private_cameras.camera(camera_id)
    if camera is None:
        return _error(404, "camera_id", "unknown", f"no private camera {camera_id!r}")
    now = utcnow()
    try:
        starts, ends = plan_grant(
            camera, body.starts_at, body.hours, now, svc.settings.camera_grants
        )
    except GrantRefused as exc:
        status = 409 if exc.field == "camera_id" else 422
        return _error(status, exc.field, exc.reason, exc.message)
    grant = CameraGrant(
        id=new_id(),
        camera_id=camera.id,
        case_number=body.case_number,
        granted_by=granter.name,
        agency=svc.settings.agency_name,
        starts_at=starts,
        ends_at=ends,
        created_at=now,
    )
    svc.storage.private_cameras.add_grant(grant)
    return JSONResponse(_grant_wire(grant), status_code=201)


@router.get(BASE + "/{camera_id}/footage")
def footage(
    request: Request,
    camera_id: str,
    investigator: Investigator,
    start: Annotated[str, Query(description="recorded from (ISO 8601 with zone)")],
    end: Annotated[str, Query(description="recorded until (ISO 8601 with zone)")],
    grant_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The clips the grant reaches in [start, end]; 403 naming the rule otherwise.

    Every request, allowed or refused, is written to the owner's access log."""
    svc = services_of(request)
    camera = svc.storage.private_cameras.camera(camera_id)
    if camera is None:
        return _error(404, "camera_id", "unknown", f"no private camera {camera_id!r}")
    try:
        range_start, range_end = parse_time(start, "start"), parse_time(end, "end")
    except BadForm as exc:
        return _error(exc.status, exc.error.field, exc.error.reason, exc.error.message)
    if range_end <= range_start:
        return _error(422, "end", "order", "end must be after start")
    if (range_end - range_start).total_seconds() > MAX_RANGE_HOURS * 3600:
        return _error(422, "end", "too_long", f"one request covers at most {MAX_RANGE_HOURS} h")
    ask = FootageRequest(
        principal=investigator,
        range_start=range_start,
        range_end=range_end,
        purpose=request.query_params.get("purpose"),
        case_number=request.query_params.get("case_number"),
        grant_id=grant_id,
    )
    answer = request_footage(
        svc.storage.private_cameras,
        svc.storage.events,
        camera,
        ask,
        svc.settings.camera_grants,
        svc.settings.agency_name,
    )
    decision = answer.decision
    if not decision.allowed:
        return _error(403, decision.field, decision.rule, decision.reason)
    assert answer.grant is not None
    return JSONResponse(
        {
            "camera_id": camera.id,
            "grant": _grant_wire(answer.grant),
            "start": iso(range_start),
            "end": iso(range_end),
            "rule": decision.rule,
            "reason": decision.reason,
            "segments": [
                {"starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at), "clip_url": s.clip_url}
                for s in answer.segments
            ],
            "live_stream_url": answer.live_stream_url,
        }
    )
