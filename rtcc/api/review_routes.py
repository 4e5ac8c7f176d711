"""The supervisor review queue: flagged patterns of sensitive use, and their outcomes."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from rtcc.api.params import RowId
from rtcc.api.security import AccessDenied, require
from rtcc.api.services import services_of
from rtcc.core.clock import utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.roles import Permission

router = APIRouter()


class CloseReview(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    outcome: Literal["justified", "misuse", "needs_training"]
    note: str = Field(min_length=3, max_length=2000, description="what the review found")


@router.get("/api/v1/reviews", dependencies=[require(Permission.MISUSE_REVIEW)])
def reviews(
    request: Request,
    status: Annotated[Literal["open", "closed"] | None, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    items = services_of(request).storage.reviews.list(status, limit)
    return [{name: getattr(item, name) for name in item.__slots__} for item in items]


@router.post("/api/v1/reviews/{item_id}/close")
def close_review(
    request: Request,
    item_id: RowId,
    body: CloseReview,
    reviewer: Annotated[Principal, require(Permission.MISUSE_REVIEW)],
) -> dict[str, Any]:
    store = services_of(request).storage.reviews
    item = next((i for i in store.list("open", 10_000) if i.id == item_id), None)
    if item is None:
        raise AccessDenied(404, "item_id", f"no open review item {item_id}", "not_found")
    if item.actor == reviewer.name:
        raise AccessDenied(
            403, "item_id", "a flag about your own use goes to another supervisor", "own_flag"
        )
    store.close(item_id, reviewer.name, body.outcome, body.note, utcnow())
    return {"id": item_id, "status": "closed", "outcome": body.outcome}
