"""An alert: what a rule concluded about an event, carried to the people who act on it."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rtcc.core.clock import iso
from rtcc.core.events import Hops
from rtcc.core.geo import Location

Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    rule: str
    created_at: datetime
    severity: Severity
    title: str
    event_id: str
    location: Location | None
    detail: dict[str, Any]
    hops: Hops | None = field(default=None, compare=False)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "created_at": iso(self.created_at),
            "severity": self.severity,
            "title": self.title,
            "event_id": self.event_id,
            "location": self.location.model_dump() if self.location else None,
            "detail": self.detail,
            "hops": self.hops.to_wire() if self.hops else None,
        }


def derived_id(*parts: str) -> str:
    """An id that is the same every time the same rule judges the same event.

    With a work queue an event can be processed twice (a worker killed before it
    acknowledged); a derived id lets the second pass store nothing new.
    """
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
