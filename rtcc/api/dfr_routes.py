"""Drone as First Responder: which dock to launch for an incident; the docks and airspace."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from rtcc.analysis.dfr import DfrSettings, drone_states, recommend
from rtcc.api.security import require
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.roles import Permission

router = APIRouter()

IncidentId = Annotated[
    str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
]
Lat = Annotated[float | None, Query(ge=-90, le=90)]
Lon = Annotated[float | None, Query(ge=-180, le=180)]


def _dfr(request: Request) -> DfrSettings:
    return services_of(request).settings.dfr


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    body = {"error": {"field": field, "reason": reason, "message": message}}
    return JSONResponse(body, status_code=status)


@router.get("/api/v1/dfr/recommendation", dependencies=[require(Permission.DFR_VIEW)])
def recommendation(
    request: Request,
    incident_id: IncidentId = None,
    lat: Lat = None,
    lon: Lon = None,
) -> JSONResponse:
    """Every dock ranked for an incident (by CAD id) or a point, with why each can or cannot go."""
    if incident_id is not None and (lat is not None or lon is not None):
        return _error(422, "incident_id", "ambiguous", "give incident_id or lat/lon, not both")
    if incident_id is None and (lat is None or lon is None):
        field = "lat" if lat is None else "lon"
        return _error(422, field, "missing", "give incident_id, or both lat and lon")
    entities = services_of(request).storage.events.entities()
    if incident_id is not None:
        incident = next((e for e in entities if e.key == f"incident:{incident_id}"), None)
        if incident is None:
            return _error(404, "incident_id", "not_found", f"no incident {incident_id!r}")
        if incident.lat is None or incident.lon is None:
            message = f"incident {incident_id!r} has no location yet"
            return _error(422, "incident_id", "no_location", message)
        lat, lon = incident.lat, incident.lon
    assert lat is not None and lon is not None
    cfg = _dfr(request)
    result = recommend(
        lat,
        lon,
        cfg.docks,
        drone_states(entities),
        cfg.zones,
        cfg.weather,
        now=utcnow(),
        stale_after_s=cfg.telemetry_stale_s,
    )
    body: dict[str, Any] = result.model_dump(mode="json")
    body["incident_id"] = incident_id
    return JSONResponse(body)


@router.get("/api/v1/dfr/docks", dependencies=[require(Permission.DFR_VIEW)])
def docks(request: Request) -> dict[str, Any]:
    """Docks, airspace zones (GeoJSON polygons) and the weather call, for drawing."""
    return _dfr(request).model_dump(mode="json")
