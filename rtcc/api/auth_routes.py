"""Log in and out of a browser session (HttpOnly, SameSite=Strict cookie)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from rtcc.api.security import SESSION_COOKIE, AccessDenied, public, resolve_principal
from rtcc.api.services import Services, services_of
from rtcc.core.clock import utcnow
from rtcc.governance.identity import new_token, token_hash
from rtcc.governance.login import Login, LoginRefused
from rtcc.governance.roles import Role, permissions_of

router = APIRouter()


class LoginIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    otp: Annotated[str | None, StringConstraints(max_length=16)] = None


@router.post(
    "/api/v1/auth/login", dependencies=[public("anyone may try to log in; every try is audited")]
)
def login(request: Request, body: LoginIn) -> JSONResponse:
    svc = services_of(request)
    try:
        user = Login(svc.storage.accounts, svc.decisions).authenticate(
            body.username, body.password, body.otp, utcnow()
        )
    except LoginRefused as exc:
        raise AccessDenied(exc.status, exc.field, exc.message, exc.code) from exc
    role = Role(user.role)
    response = JSONResponse(
        {
            "username": user.username,
            "role": role.value,
            "permissions": sorted(p.value for p in permissions_of(role)),
        }
    )
    start_session(svc, response, user.username)
    return response


def start_session(svc: Services, response: Response, username: str) -> None:
    """A new session for `username`, its token in an HttpOnly, SameSite=Strict cookie."""
    token = new_token()
    ttl = timedelta(hours=svc.settings.session_ttl_hours)
    svc.storage.accounts.add_session(token_hash(token), username, utcnow() + ttl)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=svc.settings.cookie_secure,
        path="/",
    )


@router.post("/api/v1/auth/logout", dependencies=[public("ending one's own session")])
def logout(request: Request) -> JSONResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services_of(request).storage.accounts.delete_session(token_hash(token))
    response = JSONResponse({"logged_out": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/auth/me", dependencies=[public("tells the caller who they are, or 401")])
def me(request: Request) -> JSONResponse:
    principal = resolve_principal(request, services_of(request))
    if principal.role is None:
        raise AccessDenied(401, "authorization", "not authenticated")
    return JSONResponse(
        {
            "username": principal.name,
            "kind": principal.kind,
            "role": principal.role.value,
            "permissions": sorted(p.value for p in permissions_of(principal.role)),
        }
    )
