"""Authentication and the permission each route declares.

Secure by default: `ensure_routes_declare_permissions` refuses to start the app
if any route lacks `require(...)` or an explicit `public()`.
"""

from collections.abc import Callable, Iterable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request, WebSocket, WebSocketException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.requests import HTTPConnection
from starlette.routing import Mount

from rtcc.api.services import Services, services_of
from rtcc.core.clock import utcnow
from rtcc.governance.hardening import IDLE_TIMEOUT, LAST_SEEN_RESOLUTION
from rtcc.governance.identity import (
    ANONYMOUS,
    Principal,
    secret_matches,
    split_api_key,
    token_hash,
)
from rtcc.governance.purpose import CaseNumber, PurposeCode, PurposeStatement
from rtcc.governance.roles import PEOPLE_ROLES, Permission, Role
from rtcc.storage.base import Rejection

SESSION_COOKIE = "rtcc_session"
_PERMISSION_ATTR = "__rtcc_permission__"
_PUBLIC_ATTR = "__rtcc_public__"
UNKNOWN_KEY_SOURCE = "(unknown key)"


class AccessDenied(Exception):
    """A refusal: HTTP status, the field at fault, a human message and a machine reason code."""

    def __init__(self, status: int, field: str, reason: str, code: str = "access_denied") -> None:
        super().__init__(reason)
        self.status = status
        self.field = field
        self.reason = reason
        self.code = code


def resolve_principal(conn: HTTPConnection, svc: Services) -> Principal:
    """An API key (Authorization: Bearer / X-API-Key) or a session cookie, else anonymous."""
    auth = conn.headers.get("authorization", "")
    key = auth[7:].strip() if auth[:7].lower() == "bearer " else conn.headers.get("x-api-key")
    if key:
        parts = split_api_key(key)
        found = svc.storage.accounts.api_key_source(parts[0]) if parts else None
        if parts is None or found is None or not secret_matches(parts[1], found[1]):
            reason = "unknown or revoked API key"
            svc.pipeline.count_rejections(
                [Rejection(UNKNOWN_KEY_SOURCE, "authorization", "unknown_api_key", reason)]
            )
            raise AccessDenied(401, "authorization", reason)
        return Principal(found[0], "source", Role.SOURCE)
    token = conn.cookies.get(SESSION_COOKIE)
    if token:
        user = svc.storage.accounts.session_user(
            token_hash(token), utcnow(), IDLE_TIMEOUT, LAST_SEEN_RESOLUTION
        )
        if user is not None and not user.disabled and Role(user.role) in PEOPLE_ROLES:
            return Principal(
                user.username, "user", Role(user.role), user.unit, frozenset(user.camera_groups)
            )
    return ANONYMOUS


def _decide(
    conn: HTTPConnection,
    permission: Permission,
    resource: str,
    purpose: PurposeStatement | None = None,
) -> Principal:
    svc = services_of(conn)
    principal = resolve_principal(conn, svc)
    decision = svc.decisions.decide(principal, permission, resource, purpose)
    if not decision.allowed:
        if principal.role is None:
            status = 401
        elif decision.field == "purpose":
            status = 422  # the request lacks what policy needs; the caller can fix it
        else:
            status = 403
        code = "purpose_refused" if decision.field == "purpose" else "access_denied"
        raise AccessDenied(status, decision.field, decision.reason, code)
    return principal


def require(permission: Permission) -> Any:
    """Dependency for an HTTP route: resolve the caller, decide, audit, or refuse."""

    def check(request: Request) -> Principal:
        return _decide(request, permission, f"{request.method} {request.url.path}")

    setattr(check, _PERMISSION_ATTR, permission)
    return Depends(check)


def searched_resource(request: Request) -> str:
    """The audited resource of a sensitive request: path and what was asked (the query,
    less purpose and case, which have their own columns), so reviews see what was sought."""
    asked = urlencode(
        [(k, v) for k, v in request.query_params.multi_items() if k not in _PURPOSE_PARAMS]
    )
    return f"{request.method} {request.url.path}" + (f"?{asked}" if asked else "")


_PURPOSE_PARAMS = frozenset({"purpose", "case_number"})


def require_purpose(permission: Permission) -> Any:
    """Dependency for a sensitive route: the caller states `purpose` (and `case_number`
    where policy says) as query parameters; both go into the audit record."""

    def check(
        request: Request,
        purpose: Annotated[PurposeCode | None, Query(description="configured purpose")] = None,
        case_number: Annotated[CaseNumber | None, Query(description="case/incident")] = None,
    ) -> Principal:
        stated = PurposeStatement(purpose=purpose, case_number=case_number) if purpose else None
        return _decide(request, permission, searched_resource(request), stated)

    setattr(check, _PERMISSION_ATTR, permission)
    return Depends(check)


def declares(permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a custom dependency (which decides through the decision point itself) as the
    one that guards its route with `permission`, for the startup check and the tests."""

    def mark(check: Callable[..., Any]) -> Callable[..., Any]:
        setattr(check, _PERMISSION_ATTR, permission)
        return check

    return mark


def require_ws(permission: Permission) -> Any:
    """The same decision for a websocket; a refusal closes with policy-violation (1008)."""

    def check(websocket: WebSocket) -> Principal:
        try:
            return _decide(websocket, permission, f"WS {websocket.url.path}")
        except AccessDenied as exc:
            raise WebSocketException(code=1008, reason=exc.reason) from exc

    setattr(check, _PERMISSION_ATTR, permission)
    return Depends(check)


def public(why: str) -> Any:
    """Marks a route as deliberately open to anyone; `why` documents the exception."""

    def open_to_all() -> None:
        return None

    setattr(open_to_all, _PUBLIC_ATTR, why)
    return Depends(open_to_all)


def _calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def route_permission(dependant: Dependant) -> str | None:
    """The declared permission (or 'public: why'), or None if the route declares nothing."""
    for call in _calls(dependant):
        if hasattr(call, _PERMISSION_ATTR):
            return str(getattr(call, _PERMISSION_ATTR))
        if hasattr(call, _PUBLIC_ATTR):
            return f"public: {getattr(call, _PUBLIC_ATTR)}"
    return None


def iter_routes(routes: Iterable[Any]) -> Iterable[Any]:
    """Routes of the app, descending into included routers (newer FastAPI nests them)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from iter_routes(included.routes)
        else:
            yield route


def ensure_routes_declare_permissions(app: FastAPI, public_mounts: set[str]) -> None:
    """Refuse to start when any route is neither protected nor explicitly public."""
    missing = []
    for route in iter_routes(app.router.routes):
        if isinstance(route, APIRoute | APIWebSocketRoute):
            if route_permission(route.dependant) is None:
                missing.append(route.path)
        elif isinstance(route, Mount):
            if route.path not in public_mounts:
                missing.append(route.path)
        else:
            missing.append(getattr(route, "path", repr(route)))
    if missing:
        raise RuntimeError(
            "routes without a declared permission (use require(...) or public(...)): "
            + ", ".join(sorted(missing))
        )
