"""Stores of oversight: retention (holds, purges, certificates), partner sharing,
28 CFR Part 23 intelligence, and the misuse review queue."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class LegalHold:
    """Deletion paused for a named case: its incident, its hits, the events listed."""

    id: int
    case_number: str
    reason: str
    event_ids: list[str]
    created_by: str
    created_at: str
    released_by: str | None
    released_at: str | None


@dataclass(frozen=True, slots=True)
class PurgedKind:
    """What one purge removed of one kind: how many, which time range, a digest of the ids."""

    kind: str
    cutoff: str
    count: int
    oldest: str | None
    newest: str | None
    held: int  # expired but kept for a legal hold
    ids_sha256: str


class RetentionStore(Protocol):
    """Deletes expired data (rows, their index entries, derived tables), holds, certificates."""

    def purge_events(self, kind: str, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        """Delete events of `kind` that occurred before `cutoff`, except the ids in `keep`,
        with everything derived from them (spatial index, live state, plate index)."""
        ...

    def purge_hits(self, cutoff: datetime, keep: frozenset[str]) -> PurgedKind:
        """Delete hotlist hits read before `cutoff` with their plate reads, except held reads."""
        ...

    def purge_table(self, kind: str, cutoff: datetime) -> PurgedKind:
        """Delete rows of a non-event kind (`alerts`, `dead_letters`, `video`) before cutoff."""
        ...

    def expired_event_ids(self, kind: str, cutoff: datetime) -> list[str]: ...

    def held_event_ids(self, holds: Sequence[LegalHold]) -> frozenset[str]:
        """Events a live hold keeps: listed ids, its incident's events, its hits' reads."""
        ...

    def hit_event_ids(self) -> frozenset[str]:
        """Plate reads that hit a hotlist (kept with their hit, not as plain reads)."""
        ...

    def live_state_event_ids(self, entity_type: str) -> frozenset[str]:
        """The events that are the current state of each entity of this type (`camera`…)."""
        ...

    def add_hold(
        self, case_number: str, reason: str, event_ids: Sequence[str], created_by: str
    ) -> LegalHold: ...

    def holds(self, live_only: bool = True) -> list[LegalHold]: ...

    def release_hold(self, hold_id: int, released_by: str, at: datetime) -> bool: ...

    def add_certificate(self, certificate: dict[str, Any]) -> int: ...

    def certificates(self, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        ...

    def compact(self) -> None:
        """Make deleted bytes unrecoverable from the files (WAL checkpoint; secure_delete
        already zeroes freed pages)."""
        ...


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner agency and the Ed25519 key its requests are signed with."""

    id: str
    name: str
    public_key_pem: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Share:
    """Data kinds, an area and purposes granted to one partner, until a time."""

    id: int
    partner_id: str
    kinds: list[str]
    area: dict[str, Any]
    purposes: list[str]
    until: datetime
    created_by: str
    created_at: str
    revoked_at: str | None


class SharingStore(Protocol):
    """Partner agencies, the shares granted to them, and seen request signatures."""

    def add_partner(self, partner_id: str, name: str, public_key_pem: str) -> Partner: ...

    def partner(self, partner_id: str) -> Partner | None: ...

    def partners(self) -> list[Partner]: ...

    def add_share(
        self,
        partner_id: str,
        kinds: Sequence[str],
        area: dict[str, Any],
        purposes: Sequence[str],
        until: datetime,
        created_by: str,
    ) -> Share: ...

    def shares(self, partner_id: str | None = None) -> list[Share]: ...

    def revoke_share(self, share_id: int, at: datetime) -> bool: ...

    def first_use_of_signature(self, signature: str, at: datetime) -> bool:
        """False when this signature was seen before (a replayed request)."""
        ...


@dataclass(frozen=True, slots=True)
class IntelRecord:
    """A stored criminal intelligence record (28 CFR Part 23); `body` is the submission."""

    id: str
    subject: str
    body: dict[str, Any]
    submitter: str
    created_at: str
    validated_at: str
    validated_by: str
    validation_note: str
    review_due: str


class IntelStore(Protocol):
    """Criminal intelligence records, their revalidations and every dissemination."""

    def add(
        self, subject: str, body: dict[str, Any], submitter: str, at: datetime, due: datetime
    ) -> IntelRecord: ...

    def get(self, record_id: str) -> IntelRecord | None: ...

    def recent(self, limit: int) -> list[IntelRecord]: ...

    def revalidate(
        self, record_id: str, reviewer: str, note: str, at: datetime, due: datetime
    ) -> bool: ...

    def add_dissemination(self, record_id: str, release: dict[str, Any], at: datetime) -> None: ...

    def disseminations(self, record_id: str) -> list[dict[str, Any]]: ...

    def purge_due(self, now: datetime) -> list[str]:
        """Delete every record past its review date; returns their ids."""
        ...

    def overdue(self, now: datetime) -> int:
        """How many records are past their review date and not yet purged."""
        ...


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A flagged pattern of use waiting for (or closed by) a supervisor's review."""

    id: int
    key: str
    actor: str
    rule: str
    detail: str
    first_at: str
    last_at: str
    audit_seqs: list[int]
    status: str  # open | closed
    reviewed_by: str | None
    reviewed_at: str | None
    outcome: str | None  # justified | misuse | needs_training
    note: str | None


class ReviewStore(Protocol):
    """The supervisor review queue that misuse detection fills."""

    def add_flag(
        self,
        key: str,
        actor: str,
        rule: str,
        detail: str,
        first_at: datetime,
        last_at: datetime,
        audit_seqs: Sequence[int],
    ) -> bool:
        """False when a flag with this key is already queued (detection re-runs often)."""
        ...

    def list(self, status: str | None, limit: int) -> list[ReviewItem]: ...

    def close(self, item_id: int, reviewer: str, outcome: str, note: str, at: datetime) -> bool:
        """False if there is no open item with that id."""
        ...
