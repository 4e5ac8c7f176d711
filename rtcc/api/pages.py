"""The browser pages: login, the video wall, the admin page."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from rtcc.api.admin_routes import system_stats
from rtcc.api.security import AccessDenied, public, require
from rtcc.api.services import services_of
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission

router = APIRouter()
Viewer = Annotated[Principal, require(Permission.WALL_VIEW)]
Admin = Annotated[Principal, require(Permission.ADMIN_VIEW)]
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")


@router.get("/healthz", dependencies=[public("liveness probe for the process supervisor")])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/login", response_class=HTMLResponse, dependencies=[public("the login form")])
def login_page(request: Request) -> Response:
    oidc = services_of(request).settings.oidc
    context = {
        "oidc_name": oidc.display_name if oidc.enabled else None,
        "next": request.query_params.get("next", "/")[:512],
    }
    return templates.TemplateResponse(request, "login.html", context)


@router.get("/", response_class=HTMLResponse)
def wall_page(request: Request, viewer: Viewer) -> Response:
    context = {
        "user": viewer.name,
        "role": viewer.role_name,
        "heartbeat_s": services_of(request).settings.heartbeat_s,
    }
    return templates.TemplateResponse(request, "wall.html", context)


@router.get("/m", response_class=HTMLResponse)
def mobile_page(request: Request, viewer: Viewer) -> Response:
    """The officer's phone: alerts near them, nearest first, with a large Acknowledge."""
    context = {
        "user": viewer.name,
        "role": viewer.role_name,
        "unit": viewer.unit or "",
        "heartbeat_s": services_of(request).settings.heartbeat_s,
    }
    return templates.TemplateResponse(request, "mobile.html", context)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, admin: Admin) -> Response:
    svc = services_of(request)
    intact, checked, detail = svc.storage.audit.verify()
    context = {
        "user": admin.name,
        "role": admin.role_name,
        "rejects": svc.storage.events.reject_counts(),
        "users": svc.storage.accounts.list_users(),
        "stats": system_stats(svc),
        "audit": {"intact": intact, "rows_checked": checked, "detail": detail},
        "feeds": svc.sources.status(),
        "dead_letters": svc.storage.dead_letters.list(None, 50),
    }
    return templates.TemplateResponse(request, "admin.html", context)


def access_denied_response(request: Request, exc: AccessDenied) -> Response:
    """JSON for the API; for pages, a redirect to log in (401) or a refusal page (403)."""
    if request.url.path.startswith("/api/"):
        body = {"error": {"field": exc.field, "reason": exc.code, "message": exc.reason}}
        return JSONResponse(body, status_code=exc.status)
    if exc.status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return templates.TemplateResponse(
        request, "denied.html", {"reason": exc.reason}, status_code=exc.status
    )
