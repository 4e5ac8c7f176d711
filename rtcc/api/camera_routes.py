"""Open a camera: its stream address, decided on the role and the camera's group, audited."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from rtcc.api.security import AccessDenied, declares, resolve_principal
from rtcc.api.services import services_of
from rtcc.governance.attributes import camera_access
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission

router = APIRouter()


@declares(Permission.CAMERAS_OPEN)
def opener(request: Request, camera_id: str) -> tuple[Principal, dict[str, Any]]:
    """Who asks for which camera; the decision weighs the role, then the camera's group."""
    svc = services_of(request)
    principal = resolve_principal(request, svc)
    state = svc.storage.events.entity(f"camera:{camera_id}")
    camera: dict[str, Any] = state.event["payload"] if state else {}
    decision = svc.decisions.decide(
        principal,
        Permission.CAMERAS_OPEN,
        f"camera:{camera_id}",
        attributes=(lambda: camera_access(principal, camera)) if state else None,
    )
    if not decision.allowed:
        status = 401 if principal.role is None else 403
        raise AccessDenied(status, decision.field, decision.reason)
    if state is None:
        raise AccessDenied(404, "camera_id", f"no camera {camera_id}", "not_found")
    return principal, camera


@router.get("/api/v1/cameras/{camera_id}/stream")
def camera_stream(
    camera_id: str, opened: Annotated[tuple[Principal, dict[str, Any]], Depends(opener)]
) -> dict[str, Any]:
    _, camera = opened
    url = camera.get("stream_url")
    if not url:
        raise AccessDenied(404, "stream_url", f"camera {camera_id} has no stream", "no_stream")
    return {"camera_id": camera_id, "stream_url": url, "group": camera.get("group")}
