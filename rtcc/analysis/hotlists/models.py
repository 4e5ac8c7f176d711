"""What a hotlist, an entry and a hit are; plain frozen values shared by store, rules and API."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from rtcc.core.clock import iso

ListSource = Literal["ncic", "custom"]
EntryStatus = Literal["pending", "approved", "rejected"]
HitStatus = Literal["pending", "confirmed", "dismissed"]
HitOrigin = Literal["server", "device"]

#: NCIC list-type codes (first character of a national record), from the layout notes.
NCIC_LIST_TYPES: dict[str, str] = {
    "A": "Amber Alert",
    "F": "Felony",
    "W": "Wanted Person",
    "V": "Stolen Vehicle",
    "P": "Stolen Plate",
    "M": "Missing Person",
    "C": "Supervised Release",
    "H": "Protection Order",
    "K": "Protective Interest",
    "L": "Violent Person",
    "R": "Stolen Canadian Vehicle",
    "T": "Gang/Terrorist Member",
    "X": "Sex Offender",
}


class HotlistError(ValueError):
    """A refused hotlist action: names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LineError:
    """One malformed line of an imported file; printed as `FILE:LINE: reason`."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_wire(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Hotlist:
    name: str
    source: ListSource
    created_at: datetime
    refreshed_at: datetime  # an import moves it; entries not re-confirmed since are stale

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "created_at": iso(self.created_at),
            "refreshed_at": iso(self.refreshed_at),
        }


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry before it is stored: parsed from a file line or typed by an analyst."""

    plate: str
    state: str | None
    list_type: str
    reason: str
    case_number: str
    owner: str
    expires_at: datetime
    vehicle: str | None = None


@dataclass(frozen=True, slots=True)
class HotlistEntry:
    id: str
    list_name: str
    plate: str
    state: str | None
    list_type: str
    reason: str
    case_number: str
    owner: str
    vehicle: str | None
    added_by: str
    created_at: datetime
    seen_at: datetime  # when the entry was last confirmed present in its list
    expires_at: datetime
    status: EntryStatus
    decided_by: str | None = None  # who approved or rejected it
    decided_at: datetime | None = None
    reject_reason: str | None = None

    @property
    def approved_by(self) -> str | None:
        return self.decided_by if self.status == "approved" else None

    def active(self, at: datetime) -> bool:
        """Approved and not yet expired at `at`: only such an entry can match."""
        return self.status == "approved" and at < self.expires_at

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "list_name": self.list_name,
            "plate": self.plate,
            "state": self.state,
            "list_type": self.list_type,
            "reason": self.reason,
            "case_number": self.case_number,
            "owner": self.owner,
            "vehicle": self.vehicle,
            "added_by": self.added_by,
            "approved_by": self.approved_by,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at) if self.decided_at else None,
            "reject_reason": self.reject_reason,
            "created_at": iso(self.created_at),
            "seen_at": iso(self.seen_at),
            "expires_at": iso(self.expires_at),
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    list_name: str
    loaded: int
    removed: int
    errors: list[LineError]
    refreshed_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "loaded": self.loaded,
            "removed": self.removed,
            "rejected": len(self.errors),
            "errors": [e.to_wire() for e in self.errors],
            "refreshed_at": iso(self.refreshed_at),
        }


@dataclass(frozen=True, slots=True)
class Hit:
    """A plate read that matched a hotlist entry; waits for an analyst before officers see it.

    `entry` is a copy of the entry as it was at the hit (a later refresh may delete it);
    for an on-device match against a list this server does not hold it names the list only.
    """

    id: str
    event_id: str
    list_name: str
    entry: dict[str, Any]
    plate_read: str
    state_read: str | None
    lookalike: bool
    positions: tuple[int, ...]  # where the read differs from the entry (look-alike chars)
    image_ref: str | None
    reader_id: str
    lat: float | None
    lon: float | None
    read_at: datetime
    created_at: datetime
    origin: HitOrigin
    status: HitStatus = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    dismiss_reason: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "list_name": self.list_name,
            "entry": self.entry,
            "plate_read": self.plate_read,
            "state_read": self.state_read,
            "lookalike": self.lookalike,
            "positions": list(self.positions),
            "image_ref": self.image_ref,
            "reader_id": self.reader_id,
            "location": ({"lat": self.lat, "lon": self.lon} if self.lat is not None else None),
            "read_at": iso(self.read_at),
            "created_at": iso(self.created_at),
            "origin": self.origin,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at) if self.decided_at else None,
            "dismiss_reason": self.dismiss_reason,
        }


@dataclass(frozen=True, slots=True)
class SuppressedCount:
    list_name: str
    reason: str
    count: int
    last_at: str
    last_message: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "reason": self.reason,
            "count": self.count,
            "last_at": self.last_at,
            "last_message": self.last_message,
        }
