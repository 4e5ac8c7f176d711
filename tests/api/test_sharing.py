"""A partner agency reads only what its share allows, with signed requests, all audited."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rtcc.core.clock import iso, utcnow
from rtcc.governance.sharing import signed_message
from tests.conftest import login_as

INSIDE = (41.8800, -87.6300)
OUTSIDE = (41.9500, -87.7000)
AREA = {
    "type": "Polygon",
    "coordinates": [
        [[-87.64, 41.87], [-87.62, 41.87], [-87.62, 41.89], [-87.64, 41.89], [-87.64, 41.87]]
    ],
}


def read(ref: str, lat: float, lon: float) -> dict[str, Any]:
    return {
        "kind": "lpr_read",
        "id": ref,
        "occurred_at": iso(utcnow() - timedelta(minutes=10)),
        "location": {"lat": lat, "lon": lon, "accuracy_m": 10.0},
        "payload": {"reader_id": "R-12", "plate": "7ABC123", "plate_state": "IL"},
    }


@pytest.fixture
def partner_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def shared(
    app: FastAPI, client: TestClient, partner_key: Ed25519PrivateKey, ingest_headers: dict[str, str]
) -> TestClient:
    """County sheriff may read plate reads downtown, for stolen vehicles, for a day."""
    events = [read("in", *INSIDE), read("out", *OUTSIDE)]
    assert client.post("/api/v1/events", json={"events": events}, headers=ingest_headers).is_success
    login_as(client, app, "supervisor")
    pem = partner_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    partner = {"id": "county-sheriff", "name": "County Sheriff", "public_key_pem": pem.decode()}
    assert client.post("/api/v1/sharing/partners", json=partner).status_code == 200
    share = {
        "partner_id": "county-sheriff",
        "kinds": ["lpr_read"],
        "area": AREA,
        "purposes": ["stolen_vehicle"],
        "until": iso(utcnow() + timedelta(days=1)),
    }
    response = client.post("/api/v1/sharing/shares", json=share)
    assert response.status_code == 200, response.text
    client.cookies.clear()  # the partner does not log in
    return client


def partner_get(
    client: TestClient,
    key: Ed25519PrivateKey,
    query: dict[str, str],
    *,
    date: str | None = None,
    signature: str | None = None,
    partner: str = "county-sheriff",
) -> Any:
    target = f"/api/v1/partner/events?{urlencode(query)}"
    date = date or iso(utcnow())
    signature = signature or key.sign(signed_message("GET", target, date, b"")).hex()
    headers = {"X-RTCC-Partner": partner, "X-RTCC-Date": date, "X-RTCC-Signature": signature}
    return client.get(target, headers=headers)


STOLEN = {"kind": "lpr_read", "purpose": "stolen_vehicle", "case_number": "SO-2026-77"}


def test_a_signed_request_gets_only_the_shared_area(
    shared: TestClient, partner_key: Ed25519PrivateKey
) -> None:
    response = partner_get(shared, partner_key, STOLEN)
    assert response.status_code == 200, response.text
    [event] = response.json()["events"]
    assert (event["location"]["lat"], event["location"]["lon"]) == INSIDE


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({**STOLEN, "kind": "gunshot"}, 403, "kind"),
        ({**STOLEN, "purpose": "officer_safety"}, 403, "purpose"),
        ({"kind": "lpr_read"}, 422, "purpose"),
    ],
)
def test_outside_the_share_is_refused_with_the_reason(
    shared: TestClient,
    partner_key: Ed25519PrivateKey,
    query: dict[str, str],
    status: int,
    field: str,
) -> None:
    response = partner_get(shared, partner_key, query)
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field


def test_forged_stale_replayed_and_unknown_requests_are_refused(
    shared: TestClient, partner_key: Ed25519PrivateKey
) -> None:
    other = Ed25519PrivateKey.generate()
    forged = partner_get(shared, other, STOLEN)
    assert forged.status_code == 401 and "signature" in forged.json()["error"]["message"]
    stale = partner_get(shared, partner_key, STOLEN, date=iso(utcnow() - timedelta(minutes=9)))
    assert stale.status_code == 401 and stale.json()["error"]["field"] == "x-rtcc-date"
    date = iso(utcnow())
    target = f"/api/v1/partner/events?{urlencode(STOLEN)}"
    signature = partner_key.sign(signed_message("GET", target, date, b"")).hex()
    first = partner_get(shared, partner_key, STOLEN, date=date, signature=signature)
    again = partner_get(shared, partner_key, STOLEN, date=date, signature=signature)
    assert first.status_code == 200 and again.status_code == 401
    assert "already used" in again.json()["error"]["message"]
    unknown = partner_get(shared, partner_key, STOLEN, partner="nobody")
    assert unknown.status_code == 401


def test_a_revoked_share_stops_access_and_the_owner_sees_every_request(
    app: FastAPI, shared: TestClient, partner_key: Ed25519PrivateKey
) -> None:
    assert partner_get(shared, partner_key, STOLEN).status_code == 200
    sign_in(shared)
    [share] = shared.get("/api/v1/sharing/shares").json()
    assert shared.post(f"/api/v1/sharing/shares/{share['id']}/revoke").status_code == 200
    shared.cookies.clear()
    refused = partner_get(shared, partner_key, STOLEN)
    assert refused.status_code == 403 and "revoked" in refused.json()["error"]["message"]
    sign_in(shared)
    log = shared.get("/api/v1/sharing/access").json()
    assert [row["outcome"] for row in log] == ["deny", "allow"]
    assert {row["actor"] for row in log} == {"partner:county-sheriff"}
    assert log[1]["purpose"] == "stolen_vehicle" and log[1]["case_number"] == "SO-2026-77"


def sign_in(client: TestClient) -> None:
    """The supervisor made by `login_as` signs in again."""
    body = {"username": "supervisor1", "password": "correct horse"}
    assert client.post("/api/v1/auth/login", json=body).status_code == 200


def test_people_cannot_use_the_partner_route(app: FastAPI, client: TestClient) -> None:
    login_as(client, app, "analyst")
    response = client.get("/api/v1/partner/events?kind=lpr_read&purpose=stolen_vehicle")
    assert response.status_code == 403
