"""Output channels: health and metrics, per-alert delivery receipts, dead letters and retry."""

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request

from rtcc.api.params import RowId
from rtcc.api.security import AccessDenied, require
from rtcc.api.services import services_of
from rtcc.governance.roles import Permission
from rtcc.outputs.dispatcher import Dispatcher
from rtcc.storage.base import OutputDeadLetter

router = APIRouter()


def dispatcher_of(request: Request) -> Dispatcher:
    dispatcher: Dispatcher = request.app.state.outputs
    return dispatcher


@router.get("/api/v1/outputs", dependencies=[require(Permission.ADMIN_VIEW)])
def outputs(request: Request) -> dict[str, Any]:
    dispatcher = dispatcher_of(request)
    return {
        "channels": dispatcher.status(),
        "skipped_for_audience": dispatcher.skipped_for_audience,
        "bus_overflows": dispatcher.bus_overflows,
    }


@router.get("/api/v1/outputs/health", dependencies=[require(Permission.WALL_VIEW)])
def health(request: Request) -> list[dict[str, Any]]:
    """What the wall shows: each enabled channel and whether it is failing (no errors or
    metrics, which may name hosts; those are for admins)."""
    return [
        {"channel": r.config.name, "kind": r.config.kind, "state": r.health}
        for r in dispatcher_of(request).active
    ]


@router.get("/api/v1/outputs/deliveries", dependencies=[require(Permission.ADMIN_VIEW)])
def deliveries(
    request: Request, alert_id: Annotated[str, Query(min_length=1, max_length=64)]
) -> list[dict[str, Any]]:
    """Per channel: delivered (when, after how many attempts), dead-lettered or dropped."""
    rows = services_of(request).storage.output_dead_letters.deliveries(alert_id)
    return [
        {
            "alert_id": r.alert_id,
            "channel": r.channel,
            "delivered_at": r.delivered_at,
            "attempts": r.attempts,
            "outcome": r.outcome,
        }
        for r in rows
    ]


def _letter(letter: OutputDeadLetter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "channel": letter.channel,
        "alert_id": letter.alert_id,
        "failed_at": letter.failed_at,
        "attempts": letter.attempts,
        "reason": letter.reason,
        "retried_at": letter.retried_at,
        "alert": letter.alert,
    }


@router.get("/api/v1/outputs/dead-letters", dependencies=[require(Permission.ADMIN_VIEW)])
def dead_letters(
    request: Request,
    channel: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    store = services_of(request).storage.output_dead_letters
    return [_letter(letter) for letter in store.list(channel, limit)]


@router.post(
    "/api/v1/outputs/dead-letters/{letter_id}/retry",
    dependencies=[require(Permission.OUTPUTS_MANAGE)],
)
async def retry_dead_letter(request: Request, letter_id: RowId) -> dict[str, Any]:
    """Queue the alert on its channel again (after the far end was fixed); 404 when the
    letter or its channel is gone."""
    dispatcher = dispatcher_of(request)
    store = services_of(request).storage.output_dead_letters
    if await anyio.to_thread.run_sync(store.get, letter_id) is None:
        raise AccessDenied(404, "letter_id", f"no output dead letter {letter_id}", "not_found")
    try:
        channel = await dispatcher.retry_dead_letter(letter_id)
    except LookupError as exc:
        raise AccessDenied(404, "letter_id", str(exc.args[0]), "not_found") from None
    return {"id": letter_id, "channel": channel, "queued": True}
