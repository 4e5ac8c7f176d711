"""The public side of private cameras: the registration form, and the owner's page that
only the owner's secret link opens (sharing mode, withdrawal, every access, segments)."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from rtcc.api.camera_forms import BadForm, RateLimit, read_capped, read_form
from rtcc.api.security import public
from rtcc.api.services import Services, services_of
from rtcc.core.clock import utcnow
from rtcc.governance.camera_grants import SHARING_MODES, FootageSegment, PrivateCamera
from rtcc.governance.identity import new_token, token_hash
from rtcc.operations.private_cameras import (
    SOURCE,
    FieldError,
    RegistrationInvalid,
    camera_event,
    new_camera,
    parse_registration,
)

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")
REGISTER = public("residents and businesses register their own cameras")
OWNER = public("a camera owner's page: only the owner's secret link opens it")
REGISTRATIONS_PER_HOUR = 20
MAX_SEGMENT_BYTES = 64 * 1024
ClipUrl = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\s<>\"']+$")]


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    clip_url: ClipUrl


class SegmentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segments: Annotated[list[SegmentIn], Field(min_length=1, max_length=500)]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _error(status: int, errors: list[FieldError]) -> JSONResponse:
    first = errors[0]
    body = {**{"error": first.to_wire()}, "errors": [e.to_wire() for e in errors]}
    return JSONResponse(body, status_code=status)


def _limiter(request: Request) -> RateLimit:
    state = request.app.state
    if not hasattr(state, "camera_registrations"):
        state.camera_registrations = RateLimit(REGISTRATIONS_PER_HOUR, 3600.0)
    limiter: RateLimit = state.camera_registrations
    return limiter


async def _publish(svc: Services, camera: PrivateCamera, change: str) -> None:
    """Through the ingest pipeline, like any feed: stored, on the live state, on the bus."""
    result = await svc.pipeline.ingest(SOURCE, [camera_event(camera, utcnow(), change)])
    if result.errors:
        raise RuntimeError(f"registry event refused: {result.errors[0].message}")


@router.get("/cameras/register", response_class=HTMLResponse, dependencies=[REGISTER])
def register_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "camera_register.html", {"form": {}, "errors": []})


@router.post("/cameras/register", dependencies=[REGISTER])
async def register(request: Request) -> Response:
    """201 with the owner's link (shown this once); 422 naming each bad field."""
    svc = services_of(request)
    form: dict[str, str] = {}
    try:
        if not _limiter(request).allow(request.client.host if request.client else "?"):
            message = f"at most {REGISTRATIONS_PER_HOUR} registrations an hour from one address"
            raise BadForm(429, FieldError("client", "rate_limited", message))
        form = await read_form(request)
        reg = parse_registration(form)
    except (BadForm, RegistrationInvalid) as exc:
        status, errors = (
            (exc.status, [exc.error]) if isinstance(exc, BadForm) else (422, exc.errors)
        )
        if _wants_json(request):
            return _error(status, errors)
        context: dict[str, Any] = {"form": form, "errors": errors}
        return templates.TemplateResponse(
            request, "camera_register.html", context, status_code=status
        )
    camera = new_camera(reg, utcnow())
    token = new_token()
    svc.storage.private_cameras.add_camera(camera, token_hash(token))
    await _publish(svc, camera, "registered")
    owner_url = f"{str(request.base_url).rstrip('/')}/cameras/owner/{token}"
    if _wants_json(request):
        body = {"camera_id": camera.id, "owner_token": token, "owner_url": owner_url}
        return JSONResponse(body, status_code=201)
    context = {"camera": camera, "owner_url": owner_url}
    return templates.TemplateResponse(request, "camera_registered.html", context, status_code=201)


def _owner_camera(request: Request, token: str) -> PrivateCamera | None:
    if len(token) > 100:
        return None
    return services_of(request).storage.private_cameras.camera_by_token(token_hash(token))


def _not_found(request: Request) -> Response:
    if _wants_json(request):
        message = "no camera for this link"
        return _error(404, [FieldError("token", "unknown", message)])
    context: dict[str, Any] = {"camera": None}
    return templates.TemplateResponse(request, "camera_owner.html", context, status_code=404)


@router.get("/cameras/owner/{token}", response_class=HTMLResponse, dependencies=[OWNER])
def owner_page(request: Request, token: str) -> Response:
    camera = _owner_camera(request, token)
    if camera is None:
        return _not_found(request)
    store = services_of(request).storage.private_cameras
    context = {
        "camera": camera,
        "token": token,
        "modes": SHARING_MODES,
        "grants": store.grants(camera.id),
        "accesses": store.access_log(camera.id),
        "now": utcnow(),
    }
    return templates.TemplateResponse(request, "camera_owner.html", context)


@router.post("/cameras/owner/{token}/sharing", dependencies=[OWNER])
async def change_sharing(request: Request, token: str) -> Response:
    camera = _owner_camera(request, token)
    if camera is None:
        return _not_found(request)
    try:
        sharing = (await read_form(request)).get("sharing", "")
    except BadForm as exc:
        return _error(exc.status, [exc.error])
    mode = next((m for m in SHARING_MODES if m == sharing), None)
    if mode is None:
        message = f"choose one of {', '.join(SHARING_MODES)}"
        return _error(422, [FieldError("sharing", "enum", message)])
    if camera.kind != "integrated" or camera.withdrawn_at is not None:
        message = "only an integrated camera that is not withdrawn has a sharing mode"
        return _error(409, [FieldError("sharing", "not_integrated", message)])
    services_of(request).storage.private_cameras.set_sharing(camera.id, mode)
    return RedirectResponse(f"/cameras/owner/{token}", status_code=303)


@router.post("/cameras/owner/{token}/withdraw", dependencies=[OWNER])
async def withdraw(request: Request, token: str) -> Response:
    """The camera leaves every grant and shows offline on the map from now on."""
    camera = _owner_camera(request, token)
    if camera is None:
        return _not_found(request)
    svc = services_of(request)
    if camera.withdrawn_at is None:
        svc.storage.private_cameras.withdraw(camera.id, utcnow())
        withdrawn = svc.storage.private_cameras.camera(camera.id)
        assert withdrawn is not None
        await _publish(svc, withdrawn, "withdrawn")
    return RedirectResponse(f"/cameras/owner/{token}", status_code=303)


@router.post("/cameras/owner/{token}/segments", dependencies=[OWNER])
async def report_segments(request: Request, token: str) -> Response:
    """The owner's recorder reports the clips it holds (JSON); a grant decides who sees them."""
    camera = _owner_camera(request, token)
    if camera is None:
        return _not_found(request)
    if camera.kind != "integrated" or camera.withdrawn_at is not None:
        message = "only an integrated camera that is not withdrawn reports recordings"
        return _error(409, [FieldError("camera", "not_integrated", message)])
    try:
        body = await read_capped(request, MAX_SEGMENT_BYTES)
        batch = SegmentsIn.model_validate_json(body)
    except BadForm as exc:
        return _error(exc.status, [exc.error])
    except PydanticValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["type"], e["msg"])
            for e in exc.errors()
        ]
        return _error(422, errors)
    now = utcnow()
    for i, s in enumerate(batch.segments):
        if s.ends_at <= s.starts_at:
            message = "a segment ends after it starts"
            return _error(422, [FieldError(f"segments.{i}.ends_at", "order", message)])
    count = services_of(request).storage.private_cameras.add_segments(
        [FootageSegment(camera.id, s.starts_at, s.ends_at, s.clip_url, now) for s in batch.segments]
    )
    return JSONResponse({"received": len(batch.segments), "stored": count})
