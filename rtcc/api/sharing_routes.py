"""Sharing with partner agencies: the owner grants scoped shares; partners ask, signed.

A partner's request carries `X-RTCC-Partner` (its id), `X-RTCC-Date` and
`X-RTCC-Signature` (Ed25519, hex, over `rtcc.governance.sharing.signed_message`). The
decision point decides it like a person's request (role, stated purpose, then the
share's scope) and audits it; the owner reads every partner access back.
"""

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from rtcc.api.params import RowId
from rtcc.api.security import (
    AccessDenied,
    declares,
    require,
    resolve_principal,
    searched_resource,
)
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.core.events import EventKind
from rtcc.core.geo import haversine_m
from rtcc.governance.attributes import without_stream
from rtcc.governance.authz import Decision
from rtcc.governance.identity import Principal
from rtcc.governance.purpose import CaseNumber, PurposeCode, PurposeStatement
from rtcc.governance.roles import Permission, Role
from rtcc.governance.sharing import (
    PartnerIn,
    ShareIn,
    SharingRefused,
    area_of,
    covering_share,
    inside,
    load_partner_key,
    signed_message,
    verify_request,
)
from rtcc.storage.base import Share

router = APIRouter()
MANAGE = require(Permission.SHARING_MANAGE)


def _partner_principal(request: Request) -> Principal:
    """The signed partner, or (no partner header) whoever the session or key says."""
    svc = services_of(request)
    partner_id = request.headers.get("x-rtcc-partner")
    if partner_id is None:
        return resolve_principal(request, svc)
    partner = svc.storage.sharing.partner(partner_id)
    if partner is None:
        raise SharingRefused(401, "x-rtcc-partner", f"unknown partner {partner_id}")
    date = request.headers.get("x-rtcc-date", "")
    signature = request.headers.get("x-rtcc-signature", "")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    message = signed_message(request.method, target, date, b"")
    verify_request(load_partner_key(partner.public_key_pem), signature, message, date, utcnow())
    if not svc.storage.sharing.first_use_of_signature(signature, utcnow()):
        raise SharingRefused(401, "x-rtcc-signature", "this signed request was already used")
    return Principal(f"partner:{partner_id}", "partner", Role.PARTNER)


@declares(Permission.PARTNER_READ)
def partner_request(
    request: Request,
    kind: Annotated[EventKind | None, Query(description="a shared event kind")] = None,
    purpose: Annotated[PurposeCode | None, Query()] = None,
    case_number: Annotated[CaseNumber | None, Query()] = None,
) -> tuple[Principal, Share, EventKind]:
    """Authenticate, decide (role, purpose, share scope) and audit a partner's request."""
    svc = services_of(request)
    try:
        principal = _partner_principal(request)
    except SharingRefused as exc:
        raise AccessDenied(exc.status, exc.field, exc.reason) from exc
    partner_id = principal.name.removeprefix("partner:")
    found: list[Share] = []
    refused: list[SharingRefused] = []

    def scope() -> Decision:
        try:
            share = covering_share(svc.storage.sharing.shares(partner_id), kind, purpose, utcnow())
        except SharingRefused as exc:
            refused.append(exc)
            return Decision(False, exc.reason, exc.field)
        found.append(share)
        return Decision(True, f"share {share.id} until {share.until.isoformat()}")

    stated = PurposeStatement(purpose=purpose, case_number=case_number) if purpose else None
    decision = svc.decisions.decide(
        principal, Permission.PARTNER_READ, searched_resource(request), stated, scope
    )
    if not decision.allowed:
        status = 401 if principal.role is None else refused[0].status if refused else 403
        raise AccessDenied(status, decision.field, decision.reason)
    assert kind is not None  # the scope check refuses a request without one
    return principal, found[0], kind


@router.get("/api/v1/partner/events")
def partner_events(
    request: Request,
    granted: Annotated[tuple[Principal, Share, EventKind], Depends(partner_request)],
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> dict[str, Any]:
    """Events of one shared kind inside the share's area, newest window by default 24 h."""
    _, share, kind = granted
    until = until or utcnow()
    since = since or until - timedelta(hours=24)
    area = area_of(share)
    min_lon, min_lat, max_lon, max_lat = area.bounds
    lat, lon = (min_lat + max_lat) / 2, (min_lon + max_lon) / 2
    radius = haversine_m(lat, lon, max_lat, max_lon) + 1.0
    store = services_of(request).storage.events
    near = store.events_near(lat, lon, radius, [kind.value], since, until, limit)
    events = [
        without_stream(n.event)
        for n in near
        if inside(area, n.event["location"]["lat"], n.event["location"]["lon"])
    ]
    return {"share": share.id, "kind": kind.value, "events": events}


@router.post("/api/v1/sharing/partners", dependencies=[MANAGE])
def add_partner(request: Request, body: PartnerIn) -> dict[str, Any]:
    store = services_of(request).storage.sharing
    if store.partner(body.id) is not None:
        raise AccessDenied(409, "id", f"partner {body.id} already exists", "exists")
    return asdict(store.add_partner(body.id, body.name, body.public_key_pem))


@router.get("/api/v1/sharing/partners", dependencies=[MANAGE])
def partners(request: Request) -> list[dict[str, Any]]:
    return [asdict(p) for p in services_of(request).storage.sharing.partners()]


@router.post("/api/v1/sharing/shares")
def add_share(
    request: Request, body: ShareIn, granter: Annotated[Principal, MANAGE]
) -> dict[str, Any]:
    store = services_of(request).storage.sharing
    if store.partner(body.partner_id) is None:
        raise AccessDenied(422, "partner_id", f"no partner {body.partner_id}", "unknown_partner")
    known = {p.code for p in services_of(request).decisions.purposes}
    unknown = sorted(set(body.purposes) - known)
    if unknown:
        raise AccessDenied(422, "purposes", f"not configured purposes: {unknown}", "bad_purpose")
    kinds = [k.value for k in body.kinds]
    share = store.add_share(
        body.partner_id, kinds, body.area, body.purposes, body.until, granter.name
    )
    return _share(share)


@router.get("/api/v1/sharing/shares", dependencies=[MANAGE])
def shares(request: Request) -> list[dict[str, Any]]:
    return [_share(s) for s in services_of(request).storage.sharing.shares()]


@router.post("/api/v1/sharing/shares/{share_id}/revoke", dependencies=[MANAGE])
def revoke_share(request: Request, share_id: RowId) -> dict[str, Any]:
    if not services_of(request).storage.sharing.revoke_share(share_id, utcnow()):
        raise AccessDenied(404, "share_id", f"no live share {share_id}", "not_found")
    return {"id": share_id, "revoked": True}


@router.get("/api/v1/sharing/access", dependencies=[MANAGE])
def partner_access(
    request: Request, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[dict[str, Any]]:
    """Every partner request, allowed or refused, from the audit trail (newest first)."""
    return services_of(request).storage.audit.recent_of_kind("partner", limit)


def _share(share: Share) -> dict[str, Any]:
    return {**asdict(share), "until": share.until.isoformat()}
