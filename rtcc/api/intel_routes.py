"""Criminal intelligence (28 CFR Part 23): submit, read, revalidate, release with a log."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from rtcc.api.security import AccessDenied, require
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.intel import (
    Dissemination,
    IntelRecordIn,
    IntelRefused,
    check_dissemination,
    check_intel_record,
    review_due,
)
from rtcc.governance.roles import Permission
from rtcc.storage.base import IntelRecord

router = APIRouter()


class Revalidation(BaseModel):
    """28 CFR 23.20(h): who reviewed, and why the record still meets the criteria."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


def _refused(exc: IntelRefused) -> AccessDenied:
    return AccessDenied(422, exc.field, f"{exc.rule}: {exc.message}", "intel_refused")


def _wire(record: IntelRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


def _existing(request: Request, record_id: str) -> IntelRecord:
    record = services_of(request).storage.intel.get(record_id)
    if record is None:
        raise AccessDenied(404, "record_id", f"no intelligence record {record_id}", "not_found")
    return record


@router.post("/api/v1/intel")
def submit(
    request: Request,
    body: IntelRecordIn,
    submitter: Annotated[Principal, require(Permission.INTEL_SUBMIT)],
) -> dict[str, Any]:
    try:
        check_intel_record(body)
    except IntelRefused as exc:
        raise _refused(exc) from exc
    now = utcnow()
    record = services_of(request).storage.intel.add(
        body.subject, body.model_dump(mode="json"), submitter.name, now, review_due(now)
    )
    return _wire(record)


@router.get("/api/v1/intel", dependencies=[require(Permission.INTEL_READ)])
def records(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return [_wire(r) for r in services_of(request).storage.intel.recent(limit)]


@router.get("/api/v1/intel/{record_id}", dependencies=[require(Permission.INTEL_READ)])
def record(request: Request, record_id: str) -> dict[str, Any]:
    found = _existing(request, record_id)
    releases = services_of(request).storage.intel.disseminations(record_id)
    return {**_wire(found), "disseminations": releases}


@router.post("/api/v1/intel/{record_id}/revalidate")
def revalidate(
    request: Request,
    record_id: str,
    body: Revalidation,
    reviewer: Annotated[Principal, require(Permission.INTEL_REVIEW)],
) -> dict[str, Any]:
    _existing(request, record_id)
    now = utcnow()
    store = services_of(request).storage.intel
    store.revalidate(record_id, reviewer.name, body.note, now, review_due(now))
    return _wire(_existing(request, record_id))


@router.post("/api/v1/intel/{record_id}/disseminate")
def disseminate(
    request: Request,
    record_id: str,
    body: Dissemination,
    releaser: Annotated[Principal, require(Permission.INTEL_READ)],
) -> dict[str, Any]:
    _existing(request, record_id)
    try:
        check_dissemination(body)
    except IntelRefused as exc:
        raise _refused(exc) from exc
    release = {**body.model_dump(), "released_by": releaser.name}
    services_of(request).storage.intel.add_dissemination(record_id, release, utcnow())
    return {"record_id": record_id, **release}
