"""What an administrator or auditor needs to see: rejects, health counters, the audit chain,
the OpenAPI document."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from rtcc.api.security import require
from rtcc.api.services import Services, services_of
from rtcc.governance.roles import Permission

router = APIRouter()


def system_stats(svc: Services) -> dict[str, Any]:
    bus = svc.bus.stats
    return {
        "events_stored": svc.storage.events.count_events(),
        "bus_published": bus.published,
        "bus_subscribers": svc.bus.subscriber_count,
        "bus_overflows": bus.overflows,
        "bus_discarded": bus.discarded,
        "sources": svc.storage.accounts.list_sources(),
    }


@router.get("/api/v1/admin/rejects", dependencies=[require(Permission.ADMIN_VIEW)])
def rejects(request: Request) -> list[dict[str, Any]]:
    return [asdict(r) for r in services_of(request).storage.events.reject_counts()]


@router.get("/api/v1/admin/stats", dependencies=[require(Permission.ADMIN_VIEW)])
def stats(request: Request) -> dict[str, Any]:
    return system_stats(services_of(request))


@router.get(
    "/api/v1/openapi.json", dependencies=[require(Permission.ADMIN_VIEW)], include_in_schema=False
)
def openapi_document(request: Request) -> dict[str, Any]:
    """The generated OpenAPI document, for the IT staff wiring feeds in and for the API
    fuzzing (schemathesis). Behind a sign-in: it maps every route of the system."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/api/v1/audit", dependencies=[require(Permission.AUDIT_READ)])
def audit(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return services_of(request).storage.audit.recent(limit)


@router.get("/api/v1/audit/verify", dependencies=[require(Permission.AUDIT_READ)])
def audit_verify(request: Request) -> dict[str, Any]:
    intact, checked, detail = services_of(request).storage.audit.verify()
    return {"intact": intact, "rows_checked": checked, "detail": detail}
