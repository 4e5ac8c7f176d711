"""Plate search, travel pattern and co-travel: each call states its purpose (audited).

`require_purpose(LPR_SEARCH)` refuses a caller without the permission (403) or without
a configured purpose (422, field `purpose`) and writes the audit row with purpose and
case; the handlers only parse, search and shape the answer. Syntax: docs/lpr.md.
"""

import threading
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from rtcc.analysis.lpr_patterns import co_travellers, target_plate, travel_pattern
from rtcc.analysis.plate_search import (
    DEFAULT_LIMIT,
    Area,
    PlateSearch,
    SearchError,
    SearchMode,
    parse_pattern,
)
from rtcc.api.security import require_purpose
from rtcc.api.services import services_of
from rtcc.core.clock import iso
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.storage.base import PlateReadRow

router = APIRouter()
Searcher = Annotated[Principal, require_purpose(Permission.LPR_SEARCH)]
MAX_LIMIT = 10_000
_SEARCH_LOCK = threading.Lock()


def _error(field: str, reason: str, message: str, status: int = 422) -> JSONResponse:
    body = {"error": {"field": field, "reason": reason, "message": message}}
    return JSONResponse(body, status_code=status)


def _searcher(request: Request) -> PlateSearch:
    """One search (and in-memory plate index) per app, built on first use."""
    state = request.app.state
    with _SEARCH_LOCK:
        search: PlateSearch | None = getattr(state, "plate_search", None)
        if search is None:
            search = PlateSearch(services_of(request).storage.plate_reads)
            state.plate_search = search
        return search


def _time(field: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SearchError(field, "not_a_time", f"{text!r} is not an ISO 8601 time") from exc
    if value.tzinfo is None:
        raise SearchError(field, "no_zone", "needs a time zone (e.g. 2026-11-25T20:00:00Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        message = f"{text!r} is outside years 1-9999 in UTC"
        raise SearchError(field, "out_of_range", message) from None


def _numbers(field: str, text: str, count: int) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError as exc:
        raise SearchError(field, "not_numbers", f"{text!r}: expected {count} numbers") from exc
    if len(values) != count:
        raise SearchError(field, "wrong_count", f"expected {count} comma-separated numbers")
    return values


def _area(bbox: str | None, near: str | None) -> Area | None:
    """bbox=min_lon,min_lat,max_lon,max_lat (GeoJSON order) or near=lat,lon,radius_m."""
    if bbox is not None and near is not None:
        raise SearchError("bbox", "ambiguous", "give bbox or near, not both")
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = _numbers("bbox", bbox, 4)
        if not (-90 <= min_lat <= max_lat <= 90 and -180 <= min_lon <= max_lon <= 180):
            raise SearchError("bbox", "out_of_range", "needs min ≤ max within ±90/±180")
        return Area((min_lat, max_lat, min_lon, max_lon))
    if near is not None:
        lat, lon, radius = _numbers("near", near, 3)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < radius <= 100_000):
            raise SearchError("near", "out_of_range", "lat, lon in range, radius 0-100000 m")
        return Area.circle(lat, lon, radius)
    return None


def _read_wire(read: PlateReadRow) -> dict[str, Any]:
    location = None if read.lat is None else {"lat": read.lat, "lon": read.lon}
    return {
        "plate": read.plate,
        "plate_state": read.plate_state,
        "occurred_at": iso(read.occurred_at),
        "reader_id": read.reader_id,
        "location": location,
        "image_ref": read.image_ref,
        "event_id": read.event_id,
    }


def _hit_wire(read: PlateReadRow, distances: dict[str, float]) -> dict[str, Any]:
    return _read_wire(read) | {"distance": distances[read.plate]}


@router.get("/api/v1/lpr/search")
def search_plates(
    request: Request,
    _user: Searcher,
    pattern: str | None = None,
    mode: str = "wildcard",
    since: str | None = None,
    until: str | None = None,
    bbox: str | None = None,
    near: str | None = None,
    limit: int = DEFAULT_LIMIT,
    max_distance: float = 1.0,
) -> JSONResponse:
    """Reads whose plate matches `pattern` in the window and area, with the total count."""
    try:
        if pattern is None:
            raise SearchError("pattern", "missing", "is required")
        if mode not in {m.value for m in SearchMode}:
            raise SearchError("mode", "unknown", "must be exact, wildcard or fuzzy")
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError("limit", "out_of_range", f"must be between 1 and {MAX_LIMIT}")
        parsed = parse_pattern(pattern, SearchMode(mode))
        result = _searcher(request).search(
            parsed,
            _time("since", since),
            _time("until", until),
            _area(bbox, near),
            limit,
            max_distance,
        )
    except SearchError as exc:
        return _error(exc.field, exc.reason, exc.message)
    body = {
        "pattern": parsed.text,
        "mode": parsed.mode.value,
        "total": result.total,
        "plates": result.plates,
        "returned": len(result.reads),
        "reads": [_hit_wire(r, result.distances) for r in result.reads],
    }
    return JSONResponse(body)


@router.get("/api/v1/lpr/plates/{plate}/travel")
def plate_travel(
    request: Request,
    plate: str,
    _user: Searcher,
    since: str | None = None,
    until: str | None = None,
    tz: str = "UTC",
) -> JSONResponse:
    """Where and when one plate was seen: reads, readers, hour-of-day and weekday counts."""
    try:
        store = services_of(request).storage.plate_reads
        found = travel_pattern(store, plate, _time("since", since), _time("until", until), tz)
    except SearchError as exc:
        return _error(exc.field, exc.reason, exc.message)
    readers = [
        {
            "reader_id": v.reader_id,
            "count": v.count,
            "first_seen": iso(v.first_seen),
            "last_seen": iso(v.last_seen),
            "location": None if v.lat is None else {"lat": v.lat, "lon": v.lon},
        }
        for v in found.readers
    ]
    body = {
        "plate": found.plate,
        "tz": found.tz,
        "total": len(found.reads),
        "readers": readers,
        "by_hour": found.by_hour,
        "by_weekday": found.by_weekday,
        "reads": [_read_wire(r) for r in found.reads],
    }
    return JSONResponse(body)


@router.get("/api/v1/lpr/plates/{plate}/cotravel")
def plate_cotravel(
    request: Request,
    plate: str,
    _user: Searcher,
    k: int = 2,
    window_s: float = 60.0,
    since: str | None = None,
    until: str | None = None,
) -> JSONResponse:
    """Plates seen with this one at ≥ k distinct readers within ±window_s, best score first."""
    try:
        store = services_of(request).storage.plate_reads
        found = co_travellers(
            store, plate, k, window_s, _time("since", since), _time("until", until)
        )
    except SearchError as exc:
        return _error(exc.field, exc.reason, exc.message)
    companions = [
        {
            "plate": c.plate,
            "score": c.score,
            "readers": c.readers,
            "co_reads": c.co_reads,
            "total_reads": c.total_reads,
            "first_seen": iso(c.first_seen),
            "last_seen": iso(c.last_seen),
        }
        for c in found
    ]
    body = {"plate": target_plate(plate), "k": k, "window_s": window_s, "companions": companions}
    return JSONResponse(body)
