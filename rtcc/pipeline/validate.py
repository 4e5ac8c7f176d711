"""Per-item validation of an ingest batch: each item stands or falls on its own."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire

_KINDS = "cad_incident, caller_location, unit_position, lpr_read, gunshot, camera_status"


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why one item was refused, naming the field in dotted form (e.g. payload.rounds)."""

    index: int
    field: str
    reason: str
    message: str

    def to_wire(self) -> dict[str, object]:
        return {
            "index": self.index,
            "field": self.field,
            "reason": self.reason,
            "message": self.message,
        }


def validate_items(
    items: list[Any], source: str, received_at: datetime
) -> tuple[list[Event], list[ItemError]]:
    """Valid items become events; every invalid one yields at least one ItemError."""
    events: list[Event] = []
    errors: list[ItemError] = []
    first_index_of_id: dict[str, int] = {}
    for index, raw in enumerate(items):
        try:
            item = EVENT_IN_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            errors.extend(_item_errors(index, raw, exc))
            continue
        if item.id is not None:
            first = first_index_of_id.setdefault(item.id, index)
            if first != index:
                message = f"id {item.id!r} already used by item {first} of this batch"
                errors.append(ItemError(index, "id", "duplicate_id_in_batch", message))
                continue
        events.append(event_from_wire(item, source, received_at))
    return events, errors


def _item_errors(index: int, raw: Any, exc: ValidationError) -> list[ItemError]:
    found = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = list(err["loc"])
        if kind == "model_attributes_type" or (kind == "model_type" and not loc):
            found.append(
                ItemError(index, "(item)", "not_an_object", "each event must be a JSON object")
            )
            continue
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            got = raw.get("kind") if isinstance(raw, dict) else None
            message = (
                f"unknown kind {got!r}; expected one of: {_KINDS}"
                if kind == "union_tag_invalid"
                else f"missing; expected one of: {_KINDS}"
            )
            found.append(ItemError(index, "kind", "unknown_kind" if got else "missing", message))
            continue
        if loc and isinstance(raw, dict) and loc[0] == raw.get("kind"):
            loc = loc[1:]  # drop the discriminator tag pydantic puts first
        field = ".".join(str(part) for part in loc) or "(item)"
        found.append(ItemError(index, field, kind, err["msg"]))
    return found
