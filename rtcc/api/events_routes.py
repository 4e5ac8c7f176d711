"""POST /api/v1/events: a batch from a machine source, each item judged on its own."""

from typing import Annotated, Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from rtcc.api.params import json_body
from rtcc.api.security import require
from rtcc.api.services import Services, services_of
from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.pipeline.ingest import MAX_BATCH, IngestUnavailable
from rtcc.storage.base import Rejection

router = APIRouter()
MAX_BODY_BYTES = 32 * 1024 * 1024
PARSE_IN_THREAD_BYTES = 1024 * 1024  # larger bodies are parsed off the event loop
Source = Annotated[Principal, require(Permission.EVENTS_INGEST)]


@router.post("/api/v1/events", openapi_extra=json_body(EVENT_IN_ADAPTER, wrap="events"))
async def ingest_events(request: Request, source: Source) -> Response:
    """Stored before the response: 200 if all accepted, 422 if some items were refused
    (the accepted ones are stored all the same), 4xx with field and reason otherwise.
    Scaled out (`bus_url`), 202: on the durable queue before the response, stored by a
    worker; 503 with Retry-After when the queue is full or cannot be reached."""
    svc = services_of(request)
    try:
        with svc.ingest_gate.enter():
            return await _ingest(request, svc, source)
    except IngestUnavailable as exc:  # back-pressure: the source keeps the batch and retries
        response = _error(503, "events", "unavailable", exc.reason)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response


async def _ingest(request: Request, svc: Services, source: Principal) -> Response:
    body = await request.body()
    if len(body) > PARSE_IN_THREAD_BYTES:  # orjson: ~2 ms per MiB
        items, problem = await anyio.to_thread.run_sync(_parse_batch, body)
    else:
        items, problem = _parse_batch(body)
    if problem is not None:
        status, field, reason, message = problem
        svc.pipeline.count_rejections([Rejection(source.name, field, reason, message)])
        return _error(status, field, reason, message)
    assert items is not None
    result = await svc.pipeline.ingest(source.name, items)
    status = 422 if result.errors else 202 if result.queued else 200
    return Response(orjson.dumps(result.to_wire()), status, media_type="application/json")


def _parse_batch(body: bytes) -> tuple[list[Any] | None, tuple[int, str, str, str] | None]:
    if len(body) > MAX_BODY_BYTES:
        message = f"request body of {len(body)} bytes exceeds {MAX_BODY_BYTES}"
        return None, (413, "body", "body_too_large", message)
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return None, (400, "body", "json_invalid", f"malformed JSON: {exc}")
    if not isinstance(doc, dict) or "events" not in doc:
        return None, (422, "events", "missing", 'body must be an object {"events": [...]}')
    items = doc["events"]
    if not isinstance(items, list):
        return None, (422, "events", "list_type", "events must be a JSON array")
    if not items:
        return None, (422, "events", "too_short", "a batch needs at least 1 event")
    if len(items) > MAX_BATCH:
        message = f"batch of {len(items)} events exceeds the limit of {MAX_BATCH}"
        return None, (413, "events", "too_long", message)
    return items, None


def _error(status: int, field: str, reason: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"field": field, "reason": reason, "message": message}}, status_code=status
    )
