"""The public transparency and fairness reports: open to anyone, counts only."""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import AwareDatetime

from rtcc.api.audit_routes import HOW_TO_VERIFY
from rtcc.api.security import public
from rtcc.api.services import Services, services_of
from rtcc.core.clock import utcnow
from rtcc.governance.audit_checkpoints import load_or_create_key, public_pem
from rtcc.governance.fairness import WhatIfRequest, compute_fairness, observe, what_if
from rtcc.governance.fairness_areas import AreaSet, load_areas
from rtcc.governance.transparency import DEFAULT_PERIOD, Period, transparency_report

router = APIRouter()
WEB = Path(__file__).parent.parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")
PRINT_CSS = WEB / "static" / "transparency-print.css"

#: The default-period reports are reused this long: anyone can ask for them, and on a long
#: audit trail each costs a scan (docs/PERFORMANCE.md); `generated_at` shows their age.
CACHE_S = 60.0
OPEN = "the public can hold the agency to account: aggregate counts only, no personal data"
Since = Annotated[AwareDatetime | None, Query(description="period start (default: 12 months ago)")]
Until = Annotated[AwareDatetime | None, Query(description="period end (default: now)")]


class PeriodError(Exception):
    """A period the caller asked for that cannot be reported on."""

    def __init__(self, message: str, field: str = "since") -> None:
        super().__init__(message)
        self.field = field


def _period(since: datetime | None, until: datetime | None) -> Period:
    try:
        end = until.astimezone(UTC) if until else utcnow()
    except OverflowError:  # e.g. 9999-12-31T23:00:00-12:00 is after year 9999 in UTC
        raise PeriodError(f"{until} is outside years 1-9999 in UTC", "until") from None
    try:
        start = since.astimezone(UTC) if since else end - DEFAULT_PERIOD
    except OverflowError:
        start_text = since or "a year before until"
        raise PeriodError(f"{start_text} is outside years 1-9999 in UTC") from None
    if start >= end:
        raise PeriodError("since must be before until")
    return Period(start, end)


def _areas(svc: Services) -> AreaSet | None:
    return load_areas(svc.settings.fairness)


def _cached(
    request: Request, key: str, explicit: bool, build: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The default-period report from the last CACHE_S seconds, else a fresh one."""
    if explicit:
        return build()
    state = request.app.state
    cache: dict[str, tuple[float, dict[str, Any]]] | None = getattr(state, "public_reports", None)
    if cache is None:
        cache = state.public_reports = {}
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and now - hit[0] < CACHE_S:
        return hit[1]
    value = build()
    cache[key] = (now, value)
    return value


def _report(request: Request, since: datetime | None, until: datetime | None) -> dict[str, Any]:
    explicit = since is not None or until is not None
    return _cached(request, "transparency", explicit, lambda: _build(request, since, until))


def _build(request: Request, since: datetime | None, until: datetime | None) -> dict[str, Any]:
    svc = services_of(request)
    key = load_or_create_key(svc.settings.keys_dir).public_key()
    return transparency_report(
        svc.storage,
        utcnow(),
        purposes=[p.code for p in svc.settings.purposes],
        areas=_areas(svc),
        period=_period(since, until),
        how_to_verify=HOW_TO_VERIFY,
        public_key_pem=public_pem(key),
    )


def _refuse_period(exc: PeriodError) -> JSONResponse:
    body = {"error": {"field": exc.field, "reason": "invalid_period", "message": str(exc)}}
    return JSONResponse(body, status_code=422)


@router.get("/api/v1/public/transparency", dependencies=[public(OPEN)])
def transparency_json(request: Request, since: Since = None, until: Until = None) -> Response:
    try:
        return JSONResponse(_report(request, since, until))
    except PeriodError as exc:
        return _refuse_period(exc)


@router.get("/transparency", response_class=HTMLResponse, dependencies=[public(OPEN)])
def transparency_page(request: Request, since: Since = None, until: Until = None) -> Response:
    try:
        report = _report(request, since, until)
    except PeriodError as exc:
        return _refuse_period(exc)
    context = {"report": report, "agency": services_of(request).settings.agency_name}
    return templates.TemplateResponse(request, "transparency.html", context | {"pdf": False})


@router.get("/transparency.pdf", dependencies=[public(OPEN)])
def transparency_pdf(request: Request, since: Since = None, until: Until = None) -> Response:
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # heavy: load on use

    try:
        report = _report(request, since, until)
    except PeriodError as exc:
        return _refuse_period(exc)
    template = templates.get_template("transparency.html")
    context = {"report": report, "agency": services_of(request).settings.agency_name}
    html = template.render(context | {"pdf": True, "request": request})
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[CSS(filename=PRINT_CSS)])
    headers = {"Content-Disposition": 'inline; filename="transparency.pdf"'}
    return Response(bytes(pdf), media_type="application/pdf", headers=headers)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The PDF is built from the page and the print stylesheet alone: no fetching."""
    raise ValueError(f"the transparency PDF does not load {url}")


@router.get("/transparency/fairness", response_class=HTMLResponse, dependencies=[public(OPEN)])
def fairness_page(request: Request, since: Since = None, until: Until = None) -> Response:
    try:
        body = _fairness(request, since, until)
    except PeriodError as exc:
        return _refuse_period(exc)
    context = {"fairness": body, "agency": services_of(request).settings.agency_name}
    return templates.TemplateResponse(request, "fairness.html", context)


@router.get("/api/v1/public/fairness", dependencies=[public(OPEN)])
def fairness_json(request: Request, since: Since = None, until: Until = None) -> Response:
    try:
        body = _fairness(request, since, until, with_map=True)
    except PeriodError as exc:
        return _refuse_period(exc)
    return JSONResponse(body)


@router.post("/api/v1/public/fairness/what-if", dependencies=[public(OPEN)])
def fairness_what_if(request: Request, body: WhatIfRequest) -> Response:
    areas = _areas(services_of(request))
    if areas is None:
        return _not_configured()
    period = _period(None, None)
    seen = observe(services_of(request).storage.events, period.since, period.until)
    return JSONResponse(what_if(areas, seen.sensors, seen.alerts, body.cameras))


def _fairness(
    request: Request, since: datetime | None, until: datetime | None, with_map: bool = False
) -> dict[str, Any]:
    explicit = since is not None or until is not None
    key = "fairness-map" if with_map else "fairness"
    return _cached(request, key, explicit, lambda: _build_fairness(request, since, until, with_map))


def _build_fairness(
    request: Request, since: datetime | None, until: datetime | None, with_map: bool
) -> dict[str, Any]:
    period = _period(since, until)
    areas = _areas(services_of(request))
    base: dict[str, Any] = {
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat()},
        "configured": areas is not None,
    }
    if areas is None:
        return base
    seen = observe(services_of(request).storage.events, period.since, period.until)
    figures = compute_fairness(areas, seen.sensors, seen.alerts)
    wire = figures.to_wire()
    base |= {"city": wire["city"], "groups": wire["groups"], "alerts_scan_cut": seen.alerts_cut}
    if with_map:
        features = [
            {"type": "Feature", "geometry": area.geometry, "properties": figures_}
            for area, figures_ in zip(areas.areas, wire["areas"], strict=True)
        ]
        base["areas"] = {"type": "FeatureCollection", "features": features}
    else:
        base["areas"] = wire["areas"]
    return base


def _not_configured() -> JSONResponse:
    message = "no neighbourhoods are configured (settings fairness.areas_path)"
    body = {
        "error": {"field": "fairness.areas_path", "reason": "not_configured", "message": message}
    }
    return JSONResponse(body, status_code=409)
