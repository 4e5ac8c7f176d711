"""Retention: the policy in force, legal holds, purge runs and their certificates."""

from dataclasses import asdict
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rtcc.api.params import RowId
from rtcc.api.security import AccessDenied, require
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.audit_checkpoints import load_or_create_key
from rtcc.governance.identity import Principal
from rtcc.governance.purpose import CaseNumber
from rtcc.governance.retention import run_purge
from rtcc.governance.roles import Permission

router = APIRouter()
MANAGE = require(Permission.RETENTION_MANAGE)


class HoldIn(BaseModel):
    """Pause deletion for a case: its incident, its hotlist hits, and the events named."""

    model_config = ConfigDict(extra="forbid")

    case_number: CaseNumber
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=500)]
    event_ids: Annotated[list[str], Field(max_length=10_000)] = []


@router.get("/api/v1/retention", dependencies=[MANAGE])
def status(request: Request) -> dict[str, Any]:
    svc = services_of(request)
    policy = svc.retention.current()
    return {
        "policy": policy.source,
        "rules": {r.kind: r.keep_days for r in policy.rules},
        "policy_error": svc.retention.last_error,
        "every_hours": svc.settings.retention.every_hours,
        "certificates": svc.storage.retention.certificates(10),
        "holds": [asdict(h) for h in svc.storage.retention.holds()],
    }


@router.post("/api/v1/retention/holds")
def add_hold(request: Request, body: HoldIn, who: Annotated[Principal, MANAGE]) -> dict[str, Any]:
    hold = services_of(request).storage.retention.add_hold(
        body.case_number, body.reason, body.event_ids, who.name
    )
    return asdict(hold)


@router.post("/api/v1/retention/holds/{hold_id}/release")
def release_hold(
    request: Request, hold_id: RowId, who: Annotated[Principal, MANAGE]
) -> dict[str, Any]:
    if not services_of(request).storage.retention.release_hold(hold_id, who.name, utcnow()):
        raise AccessDenied(404, "hold_id", f"no live legal hold {hold_id}", "not_found")
    return {"id": hold_id, "released_by": who.name}


@router.post("/api/v1/retention/run", dependencies=[MANAGE])
async def run_now(request: Request) -> dict[str, Any]:
    """Purge now (the server also runs it every `retention.every_hours`)."""
    svc = services_of(request)
    key = load_or_create_key(svc.settings.keys_dir)
    policy = svc.retention.current()
    return await anyio.to_thread.run_sync(run_purge, svc.storage, svc.decisions, policy, key)
