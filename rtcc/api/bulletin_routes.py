"""Intelligence bulletins as PDF: a BOLO from a form, an incident's lead summary, a shift brief.

Rendering is blocking work (WeasyPrint), so it runs in a worker thread; every route
declares its permission and the decision point audits who printed what.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from rtcc.api.params import json_body
from rtcc.api.security import require, require_purpose
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.outputs.bulletins.bolo import Bolo
from rtcc.outputs.bulletins.lead import incident_lead
from rtcc.outputs.bulletins.render import render_bolo, render_lead, render_shift
from rtcc.outputs.bulletins.shift import check_period, shift_brief

router = APIRouter()

AlertViewer = Annotated[Principal, require(Permission.ALERTS_VIEW)]
IncidentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
When = Annotated[datetime | None, Query(description="ISO 8601 with a zone")]
DEFAULT_SHIFT = timedelta(hours=12)


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    body = {"error": {"field": field, "reason": reason, "message": message}}
    return JSONResponse(body, status_code=status)


def _pdf(data: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(data, media_type="application/pdf", headers=headers)


@router.post("/api/v1/bulletins/bolo", openapi_extra=json_body(Bolo))
async def bolo_pdf(request: Request, principal: AlertViewer) -> Response:
    """The BOLO described by the JSON body, as a one-page PDF."""
    try:
        bolo = Bolo.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or _field_in(first["msg"])
        return _error(422, field, first["type"], first["msg"])
    agency = services_of(request).settings.agency_name
    pdf = await anyio.to_thread.run_sync(
        lambda: render_bolo(bolo, agency=agency, issued_by=principal.name)
    )
    return _pdf(pdf, f"bolo-{bolo.case_number.replace('/', '-')}.pdf")


@router.get(
    "/api/v1/bulletins/incidents/{incident_id}.pdf",
    dependencies=[require_purpose(Permission.DATA_EXPORT)],
)
async def lead_pdf(request: Request, incident_id: IncidentId) -> Response:
    """The investigative lead summary of one incident: map, timeline, cameras, plates, units.

    An export of plates and places: the caller states a purpose (and case), kept in the audit.
    """
    svc = services_of(request)
    lead = await anyio.to_thread.run_sync(incident_lead, svc.storage.events, incident_id)
    if lead is None:
        return _error(
            404, "incident_id", "not_found", f"no alert or CAD call names {incident_id!r}"
        )
    agency, basemap = svc.settings.agency_name, svc.basemap
    pdf = await anyio.to_thread.run_sync(lambda: render_lead(lead, agency=agency, basemap=basemap))
    return _pdf(pdf, f"lead-{incident_id}.pdf")


@router.get("/api/v1/bulletins/shift.pdf", dependencies=[require(Permission.ALERTS_VIEW)])
async def shift_pdf(request: Request, since: When = None, until: When = None) -> Response:
    """The shift brief for [since, until): by default the last 12 hours."""
    try:
        end = _utc("until", until) if until else utcnow()
        start = _utc("since", since) if since else end - DEFAULT_SHIFT
        check_period(start, end)
    except OverflowError:  # 12 hours before 0001-01-01T06:00Z
        return _error(422, "until", "invalid_period", "no shift ends that early")
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        return _error(422, field, "invalid_period", message)
    svc = services_of(request)
    agency = svc.settings.agency_name
    brief = await anyio.to_thread.run_sync(shift_brief, svc.storage, start, end)
    pdf = await anyio.to_thread.run_sync(lambda: render_shift(brief, agency=agency))
    return _pdf(pdf, f"shift-{start:%Y%m%dT%H%M}.pdf")


def _utc(field: str, value: datetime) -> datetime:
    """The instant in UTC (a naive time stays naive, for check_period to refuse)."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-12:00 is after year 9999 in UTC
        raise ValueError(f"{field}: {value} is outside years 1-9999 in UTC") from None


def _field_in(message: str) -> str:
    """A model-level check names its field first ("subject: ..."); else the body itself."""
    head, sep, _ = message.removeprefix("Value error, ").partition(":")
    return head if sep and head.isidentifier() else "body"
