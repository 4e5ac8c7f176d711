"""Shared route parameters: row ids bounded to 64 bits, hand-parsed bodies declared."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import login_as

# (role allowed the route, route with a row id); found by fuzzing: an id past 2**63 - 1
# overflowed in the SQLite driver (a 500) instead of being refused.
ROW_ID_ROUTES = [
    ("supervisor", "/api/v1/sharing/shares/{share_id}/revoke"),
    ("admin", "/api/v1/outputs/dead-letters/{letter_id}/retry"),
    ("admin", "/api/v1/admin/dead-letters/{letter_id}/replay"),
    ("admin", "/api/v1/retention/holds/{hold_id}/release"),
    ("supervisor", "/api/v1/reviews/{item_id}/close"),
]


@pytest.mark.parametrize(("role", "route"), ROW_ID_ROUTES)
def test_a_row_id_beyond_64_bits_is_refused(
    client: TestClient, app: FastAPI, role: str, route: str
) -> None:
    login_as(client, app, role)
    name = route.split("{")[1].split("}")[0]
    body = {"outcome": "justified", "note": "checked"}
    for row_id in (2**63, -(2**63) - 1, 0):
        response = client.post(route.replace(f"{{{name}}}", str(row_id)), json=body)
        assert response.status_code == 422, (route, row_id, response.text)
        assert ["path", name] in [e["loc"] for e in response.json()["detail"]], response.text
    largest = client.post(route.replace(f"{{{name}}}", str(2**63 - 1)), json=body)
    assert largest.status_code == 404, largest.text


def test_hand_parsed_bodies_are_in_the_openapi_document(client: TestClient, app: FastAPI) -> None:
    login_as(client, app, "admin")
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    events = paths["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    items = events["schema"]["properties"]["events"]["items"]
    assert len(items["oneOf"]) == 6 and "$ref" not in str(items)  # one per kind, inlined
    for path in ("/api/v1/geofences", "/api/v1/hotlists", "/api/v1/bulletins/bolo"):
        assert "application/json" in paths[path]["post"]["requestBody"]["content"], path
    upload = paths["/api/v1/hotlists/{name}/import"]["post"]["requestBody"]["content"]
    assert "text/plain" in upload
