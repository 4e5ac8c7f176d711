"""Shared fixtures. In CI (CI=true) a skipped test fails: a check that skips proves nothing."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.governance.identity import hash_password
from rtcc.settings import Settings
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, which counts as a failure here: {reason}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: sync Playwright leaves an event loop that async tests trip on."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session", autouse=True)
def mfa_not_enforced() -> Iterator[None]:
    """Test users have no authenticator; MFA tests switch enforcement back on themselves
    (with monkeypatch, which restores this value after them)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RTCC_MFA_REQUIRED", "false")
        yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the project (../shared/data); see its SOURCES.md."""
    path = Path(os.environ.get("RTCC_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"real data folder not found at {path} (set RTCC_SHARED_DATA)")
    return path


BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The migrated PostgreSQL template (skipped, so failed in CI, without a server)."""
    from tests import pg

    why = pg.reachable()
    if why:
        pytest.skip(why)
    with pg.template() as name:
        yield name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """The same test on each backend: SQLite in a temporary file, PostgreSQL in a fresh
    database copied from the migrated template."""
    if request.param == "sqlite":
        storage: Storage = SqliteStorage(tmp_path / "t.db", "NORMAL")
        yield storage
        storage.close()
        return
    from rtcc.storage.postgres import PostgresStorage
    from tests import pg

    with pg.database(request.getfixturevalue("pg_template")) as url:
        storage = PostgresStorage(url, pool_size=4)
        try:
            yield storage
        finally:
            storage.close()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database, dropped after the test."""
    from tests import pg

    with pg.database(pg_template) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", heartbeat_s=0.2)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def source_key(app: FastAPI) -> str:
    return create_source_key(app.state.services.storage.accounts, "test-feed")


@pytest.fixture
def ingest_headers(source_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {source_key}"}


def add_user(app: FastAPI, username: str, role: str, password: str = "correct horse") -> None:
    app.state.services.storage.accounts.add_user(username, hash_password(password), role)


def login_as(client: TestClient, app: FastAPI, role: str) -> None:
    add_user(app, f"{role}1", role)
    response = client.post(
        "/api/v1/auth/login", json={"username": f"{role}1", "password": "correct horse"}
    )
    assert response.status_code == 200, response.text


def gunshot(lat: float = 39.9612, lon: float = -82.9988, ref: str = "g1") -> dict[str, Any]:
    return {
        "kind": "gunshot",
        "id": ref,
        "occurred_at": "2026-11-25T20:14:03Z",
        "location": {"lat": lat, "lon": lon, "accuracy_m": 25.0},
        "payload": {"detection_id": ref, "rounds": 4, "classification": "multiple_gunshots"},
    }


def unit(unit_id: str, lat: float, lon: float, at: str = "2026-11-25T20:14:00Z") -> dict[str, Any]:
    return {
        "kind": "unit_position",
        "id": f"{unit_id}-{at}",
        "occurred_at": at,
        "location": {"lat": lat, "lon": lon},
        "payload": {"unit_id": unit_id, "status": "available", "speed_mps": 9.5},
    }


def camera(camera_id: str, lat: float, lon: float, heading: float | None) -> dict[str, Any]:
    return {
        "kind": "camera_status",
        "id": f"{camera_id}-reg",
        "occurred_at": "2026-11-25T20:00:00Z",
        "location": {"lat": lat, "lon": lon},
        "payload": {
            "camera_id": camera_id,
            "heading_deg": heading,
            "fov_deg": 90.0,
            "range_m": 200.0,
        },
    }
