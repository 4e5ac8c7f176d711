"""Login, roles, the one decision point and the audit rows it writes."""

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from rtcc.api.security import SESSION_COOKIE, public
from rtcc.app import create_app
from rtcc.settings import Settings
from tests.conftest import add_user, login_as

API_ROUTES = [
    ("GET", "/api/v1/state", {"admin", "supervisor", "analyst", "officer"}),
    ("GET", "/api/v1/alerts", {"admin", "supervisor", "analyst", "officer"}),
    ("GET", "/api/v1/admin/rejects", {"admin"}),
    ("GET", "/api/v1/admin/stats", {"admin"}),
    ("GET", "/api/v1/audit", {"admin", "supervisor", "auditor"}),
    ("GET", "/api/v1/audit/verify", {"admin", "supervisor", "auditor"}),
    ("GET", "/api/v1/dfr/docks", {"admin", "supervisor", "analyst", "officer"}),
    ("GET", "/api/v1/sources", {"admin", "supervisor", "analyst", "officer"}),
    ("GET", "/api/v1/admin/dead-letters", {"admin"}),
]


@pytest.mark.parametrize("role", ["admin", "supervisor", "analyst", "officer", "auditor"])
def test_each_role_gets_exactly_its_routes(client: TestClient, app: FastAPI, role: str) -> None:
    login_as(client, app, role)
    for method, path, allowed in API_ROUTES:
        status = client.request(method, path).status_code
        assert (status == 200) == (role in allowed), (role, path, status)
        if role not in allowed:
            assert status == 403


def test_anonymous_gets_401_on_api_and_a_login_redirect_on_pages(client: TestClient) -> None:
    assert client.get("/api/v1/state").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_officer_is_denied_the_admin_page(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "officer")
    page = client.get("/admin")
    assert page.status_code == 403
    assert "lacks admin.view" in page.text


def test_session_cookie_is_httponly_and_samesite(client: TestClient, app: FastAPI) -> None:
    add_user(app, "ana", "analyst")
    response = client.post(
        "/api/v1/auth/login", json={"username": "ana", "password": "correct horse"}
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert response.json()["role"] == "analyst"
    assert client.get("/api/v1/auth/me").json()["username"] == "ana"
    client.post("/api/v1/auth/logout")
    assert client.get("/api/v1/state").status_code == 401


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, app: FastAPI) -> None:
    add_user(app, "ana", "analyst")
    wrong = client.post("/api/v1/auth/login", json={"username": "ana", "password": "nope"})
    ghost = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json() == ghost.json()


def test_password_is_stored_as_argon2(app: FastAPI) -> None:
    add_user(app, "ana", "analyst")
    user = app.state.services.storage.accounts.get_user("ana")
    assert user.password_hash.startswith("$argon2id$")


def test_every_decision_is_audited_with_reason(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "officer")
    client.get("/api/v1/state")
    client.get("/api/v1/admin/stats")
    rows = app.state.services.storage.audit.recent(10)
    denied = next(r for r in rows if r["action"] == "admin.view")
    assert denied["outcome"] == "deny" and denied["actor"] == "officer1"
    assert denied["reason"] == "role officer lacks admin.view"
    assert denied["resource"] == "GET /api/v1/admin/stats"
    allowed = next(r for r in rows if r["action"] == "wall.view")
    assert allowed["outcome"] == "allow" and allowed["role"] == "officer"
    assert any(r["action"] == "auth.login" and r["outcome"] == "allow" for r in rows)


def test_app_refuses_to_start_with_an_undeclared_route(tmp_path: Path) -> None:
    import rtcc.api.pages as pages

    undeclared = APIRouter()

    @undeclared.get("/api/v1/leak")
    def leak() -> dict[str, str]:
        return {"secret": "everything"}

    original = pages.router
    pages.router = APIRouter()
    pages.router.include_router(original)
    pages.router.include_router(undeclared)
    try:
        with pytest.raises(RuntimeError, match="/api/v1/leak"):
            create_app(Settings(data_dir=tmp_path))
    finally:
        pages.router = original


def test_public_routes_say_why() -> None:
    marker = public("because")
    assert marker.dependency.__rtcc_public__ == "because"


def test_route_handlers_never_write_audit_rows() -> None:
    """Only the decision point appends to the audit trail."""
    api_dir = Path(__file__).resolve().parents[2] / "rtcc" / "api"
    for module in api_dir.glob("*.py"):
        text = module.read_text()
        assert "audit.append" not in text and "AuditRecord" not in text, module.name
