"""LPR hotlists and hits: import NCIC files, keep custom lists, approve entries, confirm hits.

A hit reaches officers only through `confirm_hit`: it records who confirmed and when, then
publishes the officer-facing alert. Pending hits are listed to those who confirm only.
"""

import json
import re
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, ValidationError

from rtcc.analysis.hotlists.hits import confirmed_alert
from rtcc.analysis.hotlists.importing import import_file
from rtcc.analysis.hotlists.models import HotlistError, NewEntry
from rtcc.analysis.hotlists.ncic import FORMATS, FileFormat
from rtcc.analysis.plate_text import PlateError, normalize_plate
from rtcc.api.params import json_body
from rtcc.api.security import require
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission

router = APIRouter()
Manager = Annotated[Principal, require(Permission.HOTLISTS_MANAGE)]
Approver = Annotated[Principal, require(Permission.HOTLISTS_APPROVE)]
Confirmer = Annotated[Principal, require(Permission.LPR_HITS_CONFIRM)]
Viewer = Annotated[Principal, require(Permission.ALERTS_VIEW)]
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024
LIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# The file, as the raw body (a multipart `file` field works too; see _upload).
FILE_BODY = {
    "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}
}


class ListIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    name: Annotated[str, StringConstraints(pattern=LIST_NAME.pattern)]


class EntryIn(BaseModel):
    """A custom entry: reason, case number and expiry are required."""

    model_config = ConfigDict(extra="forbid")
    plate: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    list_type: Text = "Custom"
    reason: Text
    case_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]
    expires_at: AwareDatetime
    owner: Text | None = None
    vehicle: Text | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    reason: Text | None = None


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"field": field, "reason": reason, "message": message}}, status_code=status
    )


def _refused(exc: HotlistError) -> JSONResponse:
    """A missing reason is the caller's to fix (422); anything else conflicts with state (409)."""
    return _error(422 if exc.field == "reason" else 409, exc.field, "refused", exc.reason)


async def _json_body(request: Request, model: type[M]) -> M | JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "body", "body_too_large", f"body over {MAX_BODY_BYTES} bytes")
    try:
        return model.model_validate(json.loads(body or b"{}"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error(400, "body", "json_invalid", f"malformed JSON: {exc}")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        return _error(422, field, first["type"], first["msg"])


async def _upload(request: Request) -> tuple[str, bytes] | JSONResponse:
    """(file name, bytes) from a multipart `file` field or the raw body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _error(422, "file", "missing", "multipart upload needs a 'file' field")
        data = await upload.read(MAX_FILE_BYTES + 1)
        name = upload.filename or "upload"
    else:
        data = await request.body()
        name = request.query_params.get("filename") or "upload"
    if len(data) > MAX_FILE_BYTES:
        return _error(413, "file", "too_large", f"file over {MAX_FILE_BYTES} bytes")
    return name, data


@router.get("/api/v1/hotlists", dependencies=[require(Permission.HOTLISTS_MANAGE)])
async def list_hotlists(request: Request) -> list[dict[str, Any]]:
    found = await anyio.to_thread.run_sync(services_of(request).storage.hotlists.lists)
    return [hotlist.to_wire() for hotlist in found]


@router.post("/api/v1/hotlists", openapi_extra=json_body(ListIn))
async def create_list(request: Request, user: Manager) -> JSONResponse:
    """A custom list (its entries are typed in and approved by a second person)."""
    parsed = await _json_body(request, ListIn)
    if isinstance(parsed, JSONResponse):
        return parsed
    store = services_of(request).storage.hotlists
    try:
        made = await anyio.to_thread.run_sync(store.create_list, parsed.name, "custom", utcnow())
    except HotlistError as exc:
        return _refused(exc)
    return JSONResponse(made.to_wire(), status_code=201)


@router.post("/api/v1/hotlists/{name}/import", openapi_extra=FILE_BODY)
async def upload_list(
    request: Request,
    name: str,
    user: Manager,
    format: Annotated[str, Query(description="ncic | wa | sfr")] = "ncic",
    valid_days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> JSONResponse:
    """Refresh an NCIC-style list from a file; malformed lines are listed, the rest loads."""
    if not LIST_NAME.match(name):
        return _error(422, "name", "invalid", "list name: letters, digits, space _ . - (≤ 64)")
    if format not in FORMATS:
        return _error(422, "format", "invalid", f"format must be one of {', '.join(FORMATS)}")
    fmt: FileFormat = format  # narrowed by the check above
    upload = await _upload(request)
    if isinstance(upload, JSONResponse):
        return upload
    store = services_of(request).storage.hotlists
    try:
        result = await anyio.to_thread.run_sync(
            import_file, store, name, upload[0], upload[1], fmt, user.name, valid_days
        )
    except HotlistError as exc:
        return _refused(exc)
    return JSONResponse(result.to_wire())


@router.get("/api/v1/hotlists/{name}/entries", dependencies=[require(Permission.HOTLISTS_MANAGE)])
async def list_entries(
    request: Request, name: str, status: Annotated[str | None, Query()] = None
) -> list[dict[str, Any]]:
    store = services_of(request).storage.hotlists
    found = await anyio.to_thread.run_sync(store.entries, name, status)
    return [entry.to_wire() for entry in found]


@router.post("/api/v1/hotlists/{name}/entries", openapi_extra=json_body(EntryIn))
async def add_entry(request: Request, name: str, user: Manager) -> JSONResponse:
    """A custom entry, pending until a second person approves it."""
    parsed = await _json_body(request, EntryIn)
    if isinstance(parsed, JSONResponse):
        return parsed
    try:
        plate = normalize_plate(parsed.plate)
    except PlateError as exc:
        return _error(422, "plate", "invalid", str(exc))
    if parsed.expires_at <= utcnow():
        return _error(422, "expires_at", "in_the_past", "expiry must be in the future")
    new = NewEntry(
        plate, parsed.state, parsed.list_type, parsed.reason, parsed.case_number,
        parsed.owner or user.name, parsed.expires_at, parsed.vehicle,
    )  # fmt: skip
    store = services_of(request).storage.hotlists
    try:
        entry = await anyio.to_thread.run_sync(store.add_entry, name, new, user.name, utcnow())
    except HotlistError as exc:
        return _refused(exc)
    return JSONResponse(entry.to_wire(), status_code=201)


@router.post("/api/v1/hotlist-entries/{entry_id}/{action}", openapi_extra=json_body(DecisionIn))
async def decide_entry(
    request: Request, entry_id: str, action: str, user: Approver
) -> JSONResponse:
    """approve | reject (with a reason); never by the person who added the entry."""
    if action not in ("approve", "reject"):
        return _error(404, "action", "unknown", "action must be approve or reject")
    parsed = await _json_body(request, DecisionIn)
    if isinstance(parsed, JSONResponse):
        return parsed
    store = services_of(request).storage.hotlists
    try:
        entry = await anyio.to_thread.run_sync(
            store.decide_entry, entry_id, action == "approve", user.name, utcnow(), parsed.reason
        )
    except HotlistError as exc:
        return _refused(exc)
    if entry is None:
        return _error(404, "entry_id", "not_found", f"no entry {entry_id}")
    return JSONResponse(entry.to_wire())


@router.get("/api/v1/hotlists-suppressed", dependencies=[require(Permission.HOTLISTS_MANAGE)])
async def suppressed(request: Request) -> list[dict[str, Any]]:
    """Hits not broadcast (stale entries, outdated reader lists), counted per list and reason."""
    found = await anyio.to_thread.run_sync(services_of(request).storage.hotlists.suppressed)
    return [count.to_wire() for count in found]


@router.get("/api/v1/hits/pending", dependencies=[require(Permission.LPR_HITS_CONFIRM)])
async def pending_hits(request: Request) -> list[dict[str, Any]]:
    store = services_of(request).storage.hotlists
    return [hit.to_wire() for hit in await anyio.to_thread.run_sync(store.hits, "pending")]


@router.get("/api/v1/hits/confirmed", dependencies=[require(Permission.ALERTS_VIEW)])
async def confirmed_hits(request: Request) -> list[dict[str, Any]]:
    store = services_of(request).storage.hotlists
    return [hit.to_wire() for hit in await anyio.to_thread.run_sync(store.hits, "confirmed")]


@router.post("/api/v1/hits/{hit_id}/{action}", openapi_extra=json_body(DecisionIn))
async def decide_hit(request: Request, hit_id: str, action: str, user: Confirmer) -> JSONResponse:
    """confirm (then officers receive it) | dismiss (with a reason); who and when recorded."""
    if action not in ("confirm", "dismiss"):
        return _error(404, "action", "unknown", "action must be confirm or dismiss")
    parsed = await _json_body(request, DecisionIn)
    if isinstance(parsed, JSONResponse):
        return parsed
    svc = services_of(request)
    confirm = action == "confirm"
    try:
        hit = await anyio.to_thread.run_sync(
            svc.storage.hotlists.decide_hit, hit_id, confirm, user.name, utcnow(), parsed.reason
        )
    except HotlistError as exc:
        return _refused(exc)
    if hit is None:
        return _error(404, "hit_id", "not_found", f"no hit {hit_id}")
    if confirm:
        # The confirmed hit, then what playbooks make of it (officers nearby, …).
        playbooks = request.app.state.playbooks
        alerts = await anyio.to_thread.run_sync(
            playbooks.on_alerts, [confirmed_alert(hit)], svc.storage.events
        )
        await anyio.to_thread.run_sync(svc.storage.events.add_alerts, alerts)
        svc.bus.publish_alerts(alerts)
    svc.bus.publish_notice("hit", hit)
    return JSONResponse(hit.to_wire())
