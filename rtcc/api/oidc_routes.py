"""Sign-in through the agency identity provider: out to the provider, and back.

Both routes are public (they are how one signs in); each outcome is decided and audited
in `rtcc.governance.oidc`. A refusal is shown on the login page with its reason.
"""

import html
import threading

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rtcc.api.auth_routes import start_session
from rtcc.api.pages import templates
from rtcc.api.security import public
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.login import LoginRefused
from rtcc.governance.oidc import FLOW_TTL, CallbackParams, OidcSignIn

router = APIRouter()
FLOW_COOKIE = "rtcc_oidc_flow"
FLOW_COOKIE_PATH = "/auth/oidc"
MAX_PARAM = 2048
_init_lock = threading.Lock()


def sign_in_of(request: Request) -> OidcSignIn:
    """The app's one relying party (made at first use; it holds sign-ins in progress)."""
    state = request.app.state
    with _init_lock:
        found = getattr(state, "oidc_sign_in", None)
        if not isinstance(found, OidcSignIn):
            svc = services_of(request)
            found = OidcSignIn(svc.settings.oidc, svc.storage.accounts, svc.decisions)
            state.oidc_sign_in = found
        return found


def safe_next(raw: str | None) -> str:
    """A path on this site to land on after sign-in; anything else becomes '/'."""
    if not raw or len(raw) > 512 or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 0x20 or ch == "\\" for ch in raw):
        return "/"
    return raw


def login_page_with_error(request: Request, status: int, message: str) -> Response:
    oidc = services_of(request).settings.oidc
    context = {
        "oidc_name": oidc.display_name if oidc.enabled else None,
        "next": "/",
        "oidc_error": message,
    }
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get(
    "/auth/oidc/login",
    dependencies=[public("starts a sign-in at the agency identity provider; audited")],
)
def oidc_login(request: Request) -> Response:
    svc = services_of(request)
    if not svc.settings.oidc.enabled:
        message = "sign-in through an identity provider is not configured here"
        return login_page_with_error(request, 404, message)
    try:
        start = sign_in_of(request).begin(safe_next(request.query_params.get("next")), utcnow())
    except LoginRefused as exc:
        return login_page_with_error(request, exc.status, exc.message)
    response = RedirectResponse(start.authorize_url, status_code=303)
    # Lax, not Strict: the provider's redirect back is a cross-site top-level navigation.
    response.set_cookie(
        FLOW_COOKIE,
        start.binding,
        max_age=int(FLOW_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=svc.settings.cookie_secure,
        path=FLOW_COOKIE_PATH,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value[:MAX_PARAM] if value else None


@router.get(
    "/auth/oidc/callback",
    dependencies=[public("the identity provider's answer to a sign-in; audited")],
)
def oidc_callback(request: Request) -> Response:
    svc = services_of(request)
    if not svc.settings.oidc.enabled:
        message = "sign-in through an identity provider is not configured here"
        return login_page_with_error(request, 404, message)
    answer = CallbackParams(
        state=_param(request, "state"),
        code=_param(request, "code"),
        error=_param(request, "error"),
        error_description=_param(request, "error_description"),
        binding=request.cookies.get(FLOW_COOKIE),
    )
    try:
        done = sign_in_of(request).complete(answer, utcnow())
    except LoginRefused as exc:
        response = login_page_with_error(request, exc.status, exc.message)
        response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
        return response
    # A page that moves on by itself rather than a redirect: the browser would treat a
    # redirect at the end of the provider's cross-site chain as cross-site, and withhold
    # the SameSite=Strict session cookie from it.
    target = html.escape(done.next_path, quote=True)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}"><title>Signed in</title></head>'
        f'<body><p>Signed in. <a href="{target}" data-testid="oidc-continue">Continue</a></p>'
        "</body></html>"
    )
    response = HTMLResponse(body, headers={"Cache-Control": "no-store"})
    response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
    start_session(svc, response, done.user.username)
    return response
