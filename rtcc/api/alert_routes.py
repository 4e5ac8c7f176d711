"""An alert's lifecycle: acknowledge, assign, close with a disposition; each step goes live."""

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from rtcc.analysis.hotlists.delivery import alert_visible, granted
from rtcc.api.security import AccessDenied, require
from rtcc.api.services import Services, services_of
from rtcc.core.clock import iso, utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission
from rtcc.pipeline.alert_lifecycle import (
    Disposition,
    Status,
    TransitionRefused,
    check_transition,
)
from rtcc.storage.base import AlertState

router = APIRouter()
VIEW = require(Permission.ALERTS_VIEW)
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
    ]  # a unit id or a username


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disposition: Disposition
    note: Note | None = None


def _require_visible(svc: Services, who: Principal, alert_id: str) -> None:
    """An alert this person may not see (an unconfirmed hit, for an officer) is not found."""
    alert = svc.storage.events.get_alert(alert_id)
    if alert is None or not alert_visible(alert, granted(who.role)):
        raise AccessDenied(404, "alert_id", f"no alert {alert_id}", "not_found")


def _move(
    svc: Services, who: Principal, alert_id: str, target: Status, **change: Any
) -> AlertState:
    _require_visible(svc, who, alert_id)
    store = svc.storage.alert_states
    current = store.get(alert_id)
    try:
        check_transition(current.status, target, change.get("disposition"))  # type: ignore[arg-type]
    except TransitionRefused as exc:
        raise AccessDenied(409, "status", str(exc), "transition_refused") from exc
    state = dataclasses.replace(current, status=target, **change)
    store.save(state)
    svc.bus.publish_notice("alert_state", state)
    return state


@router.get("/api/v1/alerts/states", dependencies=[VIEW])
def alert_states(
    request: Request,
    ids: Annotated[str, Query(max_length=20_000, description="ids, comma-separated")],
) -> dict[str, dict[str, Any]]:
    """The states of the alerts a wall is showing, in one request (after a (re)load)."""
    wanted = [i for i in ids.split(",") if i][:500]
    found = services_of(request).storage.alert_states.states(wanted)
    return {aid: state.to_wire() for aid, state in found.items() if state.status != "new"}


@router.get("/api/v1/alerts/{alert_id}/state")
def alert_state(request: Request, alert_id: str, who: Annotated[Principal, VIEW]) -> dict[str, Any]:
    svc = services_of(request)
    _require_visible(svc, who, alert_id)
    return svc.storage.alert_states.get(alert_id).to_wire()


@router.post("/api/v1/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: str, who: Annotated[Principal, VIEW]) -> dict[str, Any]:
    now = iso(utcnow())
    state = _move(
        services_of(request), who, alert_id, "acknowledged", acknowledged_by=who.name,
        acknowledged_at=now,
    )  # fmt: skip
    return state.to_wire()


@router.post("/api/v1/alerts/{alert_id}/assign")
def assign(
    request: Request,
    alert_id: str,
    body: AssignIn,
    who: Annotated[Principal, require(Permission.ALERTS_ASSIGN)],
) -> dict[str, Any]:
    now = iso(utcnow())
    svc = services_of(request)
    current = svc.storage.alert_states.get(alert_id)
    ack = {} if current.acknowledged_at else {"acknowledged_by": who.name, "acknowledged_at": now}
    state = _move(
        svc, who, alert_id, "assigned", assigned_to=body.assignee, assigned_by=who.name,
        assigned_at=now, **ack,
    )  # fmt: skip
    return state.to_wire()


@router.post("/api/v1/alerts/{alert_id}/close")
def close(
    request: Request, alert_id: str, body: CloseIn, who: Annotated[Principal, VIEW]
) -> dict[str, Any]:
    state = _move(
        services_of(request), who, alert_id, "closed", closed_by=who.name,
        closed_at=iso(utcnow()), disposition=body.disposition, note=body.note,
    )  # fmt: skip
    return state.to_wire()
