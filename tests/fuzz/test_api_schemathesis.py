"""Schemathesis against the OpenAPI document the app serves at /api/v1/openapi.json:
every operation, signed in as a role allowed it, never answers 5xx."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.python.asgi import shutdown_lifespans

from tests.conftest import login_as
from tests.fuzz.api import OPENAPI_PATH, fuzz_all, fuzz_app, load_schema, operations
from tests.fuzz.profile import EXAMPLES

# Per operation; there are ~95 operations, so a quarter of the per-test count.
API_EXAMPLES = int(os.environ.get("RTCC_FUZZ_API_EXAMPLES", max(5, EXAMPLES // 4)))


@pytest.fixture
def app_under_fuzz(tmp_path: Path) -> Iterator[FastAPI]:
    """Per test: schemathesis' pytest plugin ends the app's lifespan (closing its storage)
    when the test that started it ends."""
    yield fuzz_app(tmp_path)
    shutdown_lifespans()


def test_the_document_is_served_to_admins_only(client: TestClient, app: FastAPI) -> None:
    assert client.get(OPENAPI_PATH).status_code == 401
    login_as(client, app, "analyst")
    assert client.get(OPENAPI_PATH).status_code == 403
    login_as(client, app, "admin")
    document = client.get(OPENAPI_PATH).json()
    assert document["openapi"].startswith("3.") and "/api/v1/events" in document["paths"]
    assert OPENAPI_PATH not in document["paths"]


def test_no_operation_answers_5xx(app_under_fuzz: FastAPI) -> None:
    api_schema = load_schema(app_under_fuzz)
    labels = {op.label for op in operations(api_schema)}
    assert len(labels) >= 80
    assert {"POST /api/v1/events", "GET /api/v1/lpr/search"} <= labels
    runs = fuzz_all(api_schema, app_under_fuzz.state.fuzz_credentials, API_EXAMPLES)
    failures = [run.failure for run in runs if run.failure]
    assert not failures, "\n\n".join(failures)
    assert sum(run.inputs for run in runs) >= len(runs) * min(API_EXAMPLES, 3)
