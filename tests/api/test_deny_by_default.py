"""Every protected route, every role: allowed exactly when the role grants its permission."""

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from rtcc.api.security import iter_routes, route_permission
from rtcc.governance.bootstrap import create_source_key
from rtcc.governance.roles import PEOPLE_ROLES, ROLE_PERMISSIONS, Role
from tests.conftest import login_as

SOURCE_NAME = "feed-under-test"


def _protected(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path template, permission) of every HTTP route that is not public."""
    found = []
    for route in iter_routes(app.router.routes):
        if not isinstance(route, APIRoute):
            continue
        permission = route_permission(route.dependant)
        assert permission is not None, route.path  # the app would not start otherwise
        if permission.startswith("public:"):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, permission))
    return found


def _url(template: str) -> str:
    """Fill path parameters with values that pass routing (a source name, numbers, ids)."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: SOURCE_NAME if m.group(1) == "name" else "1",
        template,
    )


def test_the_route_table_is_not_empty(app: FastAPI) -> None:
    assert len(_protected(app)) >= 15


def test_anonymous_is_refused_everywhere(client: TestClient, app: FastAPI) -> None:
    for method, path, _ in _protected(app):
        status = client.request(method, _url(path), follow_redirects=False).status_code
        expected = (303,) if not path.startswith("/api/") else (401,)
        assert status in expected, (method, path, status)


@pytest.mark.parametrize("role", sorted(PEOPLE_ROLES))
def test_people_get_exactly_their_grants(client: TestClient, app: FastAPI, role: Role) -> None:
    login_as(client, app, role.value)
    grants = {p.value for p in ROLE_PERMISSIONS[role]}
    for method, path, permission in _protected(app):
        status = client.request(method, _url(path), json={}, follow_redirects=False).status_code
        if permission in grants:
            assert status not in (401, 403), (role, method, path, status)
        else:
            assert status == 403, (role, method, path, status)


def test_machine_sources_get_exactly_ingest(client: TestClient, app: FastAPI) -> None:
    key = create_source_key(app.state.services.storage.accounts, SOURCE_NAME)
    headers = {"Authorization": f"Bearer {key}"}
    grants = {p.value for p in ROLE_PERMISSIONS[Role.SOURCE]}
    for method, path, permission in _protected(app):
        status = client.request(method, _url(path), headers=headers, content=b"{}").status_code
        if permission in grants:
            assert status not in (401, 403), (method, path, status)
        else:
            assert status == 403, (method, path, status)
