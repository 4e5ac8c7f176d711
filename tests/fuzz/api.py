"""Schemathesis against the app's own OpenAPI document, shared by the test and the bench.

Each operation is called with generated parameters and bodies (valid and invalid, from
the document), signed in as a role that holds the operation's permission (the source key
for ingest), so requests reach the handlers instead of stopping at the permission check.

Driven through Hypothesis directly (`APIOperation.as_strategy`) rather than schemathesis'
pytest plugin: the plugin's lazy schema loader breaks on pytest 9 (`Function._nodeid`),
and the bench needs counts rather than a first failure.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from rtcc.api.security import SESSION_COOKIE, iter_routes, route_permission
from rtcc.app import create_app
from rtcc.core.clock import utcnow
from rtcc.governance.bootstrap import create_source_key
from rtcc.governance.identity import hash_password, new_token, token_hash
from rtcc.governance.roles import ROLE_PERMISSIONS, Permission, Role
from rtcc.settings import Settings
from tests.fuzz.profile import FUZZ, within

OPENAPI_PATH = "/api/v1/openapi.json"
# The role a request is signed in as: the first of these holding the route's permission.
ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.ANALYST, Role.OFFICER, Role.AUDITOR)
REQUEST_LIMIT_S = 30.0  # a PDF render is slow, but not this slow
# A configured purpose needing no case number: half the calls of a purpose-bound route
# state it, so they pass the decision point and reach the search or export itself.
OPEN_PURPOSE = "crime_in_progress"


class Credentials:
    """Who calls each operation: a fresh session per call (a fuzzed logout must not sign
    the next call out), or the source key for ingest."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        accounts = app.state.services.storage.accounts
        for role in ROLE_ORDER:
            accounts.add_user(f"fuzz-{role.value}", hash_password("correct horse"), role.value)
        self.source_key = create_source_key(accounts, "fuzz-feed")
        self.permission: dict[tuple[str, str], str] = {}
        for route in iter_routes(app.router.routes):
            if isinstance(route, APIRoute):
                for method in route.methods or ():
                    self.permission[method, route.path] = str(route_permission(route.dependant))

    def session(self, role: Role) -> dict[str, str]:
        token = new_token()
        accounts = self.app.state.services.storage.accounts
        accounts.add_session(token_hash(token), f"fuzz-{role.value}", utcnow() + timedelta(hours=1))
        return {SESSION_COOKIE: token}

    def for_operation(self, method: str, path: str) -> dict[str, Any]:
        """Request options (headers or cookies) of a caller allowed the operation."""
        permission = self.permission.get((method.upper(), path), "")
        if permission == Permission.EVENTS_INGEST:
            return {"headers": {"Authorization": f"Bearer {self.source_key}"}}
        for role in ROLE_ORDER:
            if permission in ROLE_PERMISSIONS[role]:
                return {"cookies": self.session(role)}
        return {"cookies": self.session(Role.ANALYST)}  # public and partner routes


def fuzz_app(data_dir: Path) -> FastAPI:
    app = create_app(Settings(data_dir=data_dir, sqlite_synchronous="NORMAL", heartbeat_s=0.2))
    app.state.fuzz_credentials = Credentials(app)
    return app


def load_schema(app: FastAPI) -> Any:
    """The document as an admin fetches it from the running app."""
    cookies = app.state.fuzz_credentials.session(Role.ADMIN)
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return schemathesis.openapi.from_asgi(OPENAPI_PATH, app, headers={"Cookie": header})


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@dataclass(slots=True)
class OperationRun:
    label: str
    inputs: int = 0
    server_errors: list[str] = field(default_factory=list)
    failure: str | None = None  # the shrunk failing case, when the run stops at one


def fuzz_operation(
    operation: Any, credentials: Credentials, examples: int, stop_at_first: bool = True
) -> OperationRun:
    """Call one operation `examples` times; record every 5xx. `stop_at_first` lets
    Hypothesis shrink the first failure to a minimal request (the tests), otherwise the
    run goes on and counts (the bench)."""
    run = OperationRun(operation.label)
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    names = {p.get("name") for p in operation.definition.raw.get("parameters", [])}

    @settings(FUZZ, max_examples=examples)
    @given(case=strategy, steer=st.booleans())
    def call(case: Any, steer: bool) -> None:
        run.inputs += 1
        if steer and "purpose" in names:
            case.query = {**(case.query or {}), "purpose": OPEN_PURPOSE}
        options = credentials.for_operation(case.method, case.operation.path)
        try:
            with within(REQUEST_LIMIT_S):
                response = case.call(**options)
        except Exception as exc:  # the test client re-raises what a server answers 500 to
            if stop_at_first:
                raise
            run.server_errors.append(f"{type(exc).__name__}: {exc} {case.as_curl_command()}")
            return
        if response.status_code >= 500:
            run.server_errors.append(f"{response.status_code} {case.as_curl_command()}")
            if stop_at_first:
                case.validate_response(response, checks=[not_a_server_error])

    try:
        call()
    except Exception as exc:
        run.failure = f"{operation.label}: {type(exc).__name__}: {exc}"[:4000]
    return run


def fuzz_all(
    schema: Any,
    credentials: Credentials,
    examples: int,
    stop_at_first: bool = True,
    progress: Callable[[OperationRun], None] | None = None,
) -> list[OperationRun]:
    runs = []
    for operation in operations(schema):
        run = fuzz_operation(operation, credentials, examples, stop_at_first)
        runs.append(run)
        if progress is not None:
            progress(run)
    return runs
