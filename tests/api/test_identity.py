"""The login API under lockout, the second factor and idle sessions (HTTP shapes)."""

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.api.security import SESSION_COOKIE
from rtcc.core.clock import utcnow
from rtcc.governance.bootstrap import enrol_mfa
from rtcc.governance.hardening import MAX_FAILED_LOGINS
from rtcc.governance.identity import token_hash
from tests.conftest import add_user

LOGIN = "/api/v1/auth/login"


def post_login(client: TestClient, password: str = "correct horse", **extra: str) -> dict[str, Any]:
    response = client.post(LOGIN, json={"username": "ana", "password": password, **extra})
    return {"status": response.status_code, **response.json().get("error", {})}


def test_lockout_answers_locked_until_and_releases(client: TestClient, app: FastAPI) -> None:
    add_user(app, "ana", "analyst")
    for _ in range(MAX_FAILED_LOGINS):
        assert post_login(client, "wrong")["reason"] == "invalid_credentials"
    locked = post_login(client)
    assert locked["status"] == 401 and locked["field"] == "username"
    assert locked["reason"] == "locked" and "until" in locked["message"]
    assert "(UTC)" in locked["message"]
    accounts = app.state.services.storage.accounts
    accounts.set_locked_until("ana", utcnow() - timedelta(seconds=1))  # the window has passed
    assert post_login(client)["status"] == 200
    assert accounts.get_user("ana").failed_logins == 0


def test_otp_required_invalid_and_valid(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RTCC_MFA_REQUIRED", "true")
    add_user(app, "ana", "analyst")
    refused = post_login(client)
    assert (refused["status"], refused["reason"]) == (403, "mfa_not_enrolled")
    assert "rtcc users enrol-mfa ana" in refused["message"]
    accounts = app.state.services.storage.accounts
    enrol_mfa(accounts, "ana")
    totp = pyotp.TOTP(accounts.get_user("ana").mfa_secret)
    asked = post_login(client)
    assert (asked["status"], asked["field"], asked["reason"]) == (401, "otp", "otp_required")
    stale = totp.at(utcnow() - timedelta(minutes=10))
    wrong = post_login(client, otp=stale)
    assert (wrong["status"], wrong["field"], wrong["reason"]) == (401, "otp", "otp_invalid")
    assert client.get("/api/v1/state").status_code == 401
    assert post_login(client, otp=totp.now())["status"] == 200
    assert client.get("/api/v1/state").status_code == 200


def test_an_idle_session_is_refused(client: TestClient, app: FastAPI) -> None:
    add_user(app, "ana", "analyst")
    assert post_login(client)["status"] == 200
    assert client.get("/api/v1/state").status_code == 200
    token = client.cookies[SESSION_COOKIE]
    accounts = app.state.services.storage.accounts
    accounts.set_session_last_seen(token_hash(token), utcnow() - timedelta(minutes=29))
    assert client.get("/api/v1/state").status_code == 200  # used again: the clock restarts
    accounts.set_session_last_seen(token_hash(token), utcnow() - timedelta(minutes=31))
    idle = client.get("/api/v1/state")
    assert idle.status_code == 401 and idle.json()["error"]["field"] == "authorization"
    assert client.get("/", follow_redirects=False).status_code == 303
