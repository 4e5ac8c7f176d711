"""The storage interfaces every backend implements; callers depend on these only."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from rtcc.analysis.hotlists.models import (
    Hit,
    Hotlist,
    HotlistEntry,
    ListSource,
    NewEntry,
    SuppressedCount,
)
from rtcc.core.alerts import Alert
from rtcc.core.events import Event
from rtcc.governance.camera_grants import (
    CameraAccess,
    CameraGrant,
    FootageSegment,
    PrivateCamera,
    SharingMode,
)


@dataclass(frozen=True, slots=True)
class AppendResult:
    stored: list[Event]
    duplicates: list[Event]


@dataclass(frozen=True, slots=True)
class EntityState:
    key: str
    entity_type: str
    lat: float | None
    lon: float | None
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NearbyEntity:
    entity: EntityState
    distance_m: float


@dataclass(frozen=True, slots=True)
class NearbyEvent:
    """A stored event (wire form) and its distance from the point asked about."""

    event: dict[str, Any]
    distance_m: float


@dataclass(frozen=True, slots=True)
class RejectCount:
    source: str
    field: str
    reason: str
    count: int
    last_at: str
    last_message: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused item or request: which source, which field, why."""

    source: str
    field: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class User:
    username: str
    password_hash: str
    role: str
    disabled: bool
    failed_logins: int = 0
    locked_until: datetime | None = None
    mfa_secret: str | None = None
    external_issuer: str | None = None  # set: signs in through this OIDC provider only
    external_subject: str | None = None  # the provider's `sub` for this person
    unit: str | None = None  # attribute: the unit this person works in (e.g. 4A12)
    camera_groups: tuple[str, ...] = ()  # attribute: camera groups they may open


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime
    actor: str
    actor_kind: str
    role: str
    action: str
    resource: str
    outcome: str
    reason: str
    purpose: str | None = None  # the stated purpose of a sensitive action
    case_number: str | None = None


class EventStore(Protocol):
    """Append-only events, the live entity state and alerts."""

    def append(self, events: Sequence[Event]) -> AppendResult: ...

    def count_events(self) -> int: ...

    def get_event(self, event_id: str) -> dict[str, Any] | None: ...

    def recent_events(self, kinds: Sequence[str], limit: int) -> list[dict[str, Any]]: ...

    def entities(self) -> list[EntityState]: ...

    def entity(self, entity_key: str) -> EntityState | None:
        """One entity's latest state, e.g. `camera:CAM-7`."""
        ...

    def entities_near(
        self, lat: float, lon: float, radius_m: float, entity_type: str
    ) -> list[NearbyEntity]: ...

    def events_near(
        self,
        lat: float,
        lon: float,
        radius_m: float,
        kinds: Sequence[str],
        since: datetime,
        until: datetime,
        limit: int = 500,
        nearest: int | None = None,
    ) -> list[NearbyEvent]:
        """Located events of these kinds within `radius_m` that occurred in [since, until],
        oldest first (at most `limit`); with `nearest`, the `nearest` closest of them,
        closest first."""
        ...

    def add_alerts(self, alerts: Sequence[Alert]) -> None: ...

    def recent_alerts(self, limit: int) -> list[dict[str, Any]]: ...

    def get_alert(self, alert_id: str) -> dict[str, Any] | None: ...

    def record_rejections(self, rejections: Sequence[Rejection]) -> None: ...

    def reject_counts(self) -> list[RejectCount]: ...


class AccountStore(Protocol):
    """People (password hashes, sessions) and machine sources (hashed API keys)."""

    def add_user(self, username: str, password_hash: str, role: str) -> None: ...

    def get_user(self, username: str) -> User | None: ...

    def list_users(self) -> list[User]: ...

    def set_password_hash(self, username: str, password_hash: str) -> None: ...

    def add_session(self, token_hash: str, username: str, expires_at: datetime) -> None: ...

    def record_login_failure(
        self, username: str, now: datetime, max_failures: int, lock_for: timedelta
    ) -> datetime | None:
        """Count one failed login; when the count reaches `max_failures`, lock the account
        until now + lock_for, restart the count and return that time (else None)."""
        ...

    def reset_login_failures(self, username: str) -> None:
        """After a successful login: no failures, no lock."""
        ...

    def set_locked_until(self, username: str, until: datetime | None) -> None: ...

    def set_mfa_secret(self, username: str, secret: str | None) -> None: ...

    def set_attributes(self, username: str, unit: str | None, camera_groups: Sequence[str]) -> None:
        """The attributes the decision point weighs beside the role."""
        ...

    def session_user(
        self, token_hash: str, now: datetime, idle_timeout: timedelta, touch_every: timedelta
    ) -> User | None:
        """The user of a live session: not expired, used within `idle_timeout`."""
        ...

    def set_session_last_seen(self, token_hash: str, at: datetime) -> None: ...

    def delete_session(self, token_hash: str) -> None: ...

    def add_api_key(self, key_id: str, source: str, key_hash: str) -> None: ...

    def api_key_source(self, key_id: str) -> tuple[str, str] | None:
        """(source, key_hash) of a live key, or None if unknown or revoked."""
        ...

    def list_sources(self) -> list[str]: ...

    def add_external_user(self, username: str, role: str, issuer: str, subject: str) -> None:
        """An account that signs in through an identity provider: no usable password."""
        ...

    def external_user(self, issuer: str, subject: str) -> User | None:
        """The account linked to this provider identity, if any."""
        ...

    def link_external_identity(self, username: str, issuer: str, subject: str) -> None:
        """Tie a local account to a provider identity; its password stops working."""
        ...

    def set_role(self, username: str, role: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    source: str
    received_at: str
    field: str
    reason: str
    message: str
    raw: bytes
    replayed_at: str | None


class DeadLetterStore(Protocol):
    """Refused raw messages per source, bounded: the oldest go when a source exceeds its cap."""

    def add(self, source: str, field: str, reason: str, message: str, raw: bytes) -> int: ...

    def list(self, source: str | None, limit: int) -> list[DeadLetter]: ...

    def get(self, letter_id: int) -> DeadLetter | None: ...

    def mark_replayed(self, letter_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class OutputDeadLetter:
    """An alert one output channel could not deliver, with the alert's wire form."""

    id: int
    channel: str
    alert_id: str
    alert: dict[str, Any]
    failed_at: str
    attempts: int
    reason: str
    retried_at: str | None


@dataclass(frozen=True, slots=True)
class AlertDelivery:
    """One alert on one channel: `delivered`, `dead_lettered` or `dropped` (queue full)."""

    alert_id: str
    channel: str
    delivered_at: str | None
    attempts: int
    outcome: str


class OutputDeadLetterStore(Protocol):
    """Per-channel delivery receipts and the alerts that could not be delivered (capped)."""

    def add(self, channel: str, alert: dict[str, Any], attempts: int, reason: str) -> int: ...

    def get(self, letter_id: int) -> OutputDeadLetter | None: ...

    def mark_retried(self, letter_id: int) -> None: ...

    def record_delivery(self, delivery: AlertDelivery) -> None: ...

    def deliveries(self, alert_id: str) -> list[AlertDelivery]: ...

    def list(self, channel: str | None, limit: int) -> list[OutputDeadLetter]: ...


@dataclass(frozen=True, slots=True)
class AuditCheckpoint:
    """A signed Merkle root over the first `count` audit rows (up to `last_seq`)."""

    count: int
    last_seq: int
    last_hash: str
    root: str
    at: str
    key_id: str
    signature: str  # Ed25519 over `signed_message()`, hex

    def signed_message(self) -> bytes:
        return (
            f"openrtcc-audit-checkpoint:v1|{self.count}|{self.last_seq}|"
            f"{self.last_hash}|{self.root}|{self.at}"
        ).encode()


class AuditStore(Protocol):
    """The tamper-evident audit chain and its signed checkpoints."""

    def append(self, record: AuditRecord) -> None: ...

    def recent(self, limit: int) -> list[dict[str, Any]]: ...

    def verify(self) -> tuple[bool, int, str]:
        """(intact, rows checked, first problem or 'ok')."""
        ...

    def row_hashes(self) -> list[tuple[int, str]]:
        """(seq, hash) of every row, in order: what a checkpoint's root covers."""
        ...

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None: ...

    def recent_of_kind(self, actor_kind: str, limit: int) -> list[dict[str, Any]]:
        """The newest rows of one kind of actor (e.g. every partner agency's request)."""
        ...

    def allowed_since(self, actions: Sequence[str], since: datetime) -> list[dict[str, Any]]:
        """Allowed rows of these actions at or after `since`, oldest first (for reviews)."""
        ...

    def checkpoints(self) -> list[AuditCheckpoint]:
        """Oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class Geofence:
    """A named area someone watches; `geometry` is a validated GeoJSON (Multi)Polygon."""

    id: str
    name: str
    owner: str
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    created_at: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "geometry": self.geometry,
            "bbox": list(self.bbox),
            "created_at": self.created_at,
        }


class GeofenceStore(Protocol):
    """Geofences drawn or uploaded by users; geometry is validated before it gets here."""

    def add(
        self, name: str, owner: str, geometry: dict[str, Any], bbox: tuple[float, ...]
    ) -> Geofence: ...

    def list(self, owner: str | None = None) -> list[Geofence]:
        """All geofences, or one owner's, oldest first."""
        ...

    def get(self, geofence_id: str) -> Geofence | None: ...

    def delete(self, geofence_id: str) -> bool:
        """True if it existed."""
        ...

    def revision(self) -> tuple[int, int]:
        """Changes whenever a geofence is added or deleted: cheap to ask before each use."""
        ...


class PrivateCameraStore(Protocol):
    """Residents' cameras, the grants that reach them, their footage and the owners' log."""

    def add_camera(self, camera: PrivateCamera, token_hash: str) -> None: ...

    def camera(self, camera_id: str) -> PrivateCamera | None: ...

    def camera_by_token(self, token_hash: str) -> PrivateCamera | None: ...

    def list_cameras(self) -> list[PrivateCamera]: ...

    def set_sharing(self, camera_id: str, sharing: SharingMode) -> None: ...

    def withdraw(self, camera_id: str, at: datetime) -> None: ...

    def add_grant(self, grant: CameraGrant) -> None: ...

    def grants(self, camera_id: str) -> list[CameraGrant]:
        """Newest first."""
        ...

    def add_segments(self, segments: Sequence[FootageSegment]) -> int:
        """Store segment references, skipping known ones; how many were new."""
        ...

    def segments(self, camera_id: str, since: datetime, until: datetime) -> list[FootageSegment]:
        """Segments overlapping [since, until], oldest first."""
        ...

    def log_access(self, entry: CameraAccess) -> None: ...

    def access_log(self, camera_id: str, limit: int = 1000) -> list[CameraAccess]:
        """Newest first."""
        ...


class PlateReadRow(NamedTuple):
    """One plate read as search returns it (from the plate-read index, not the event JSON).

    A named tuple: a partial search can return tens of thousands, built at C speed."""

    plate: str
    plate_state: str | None
    occurred_at: datetime
    reader_id: str
    lat: float | None
    lon: float | None
    image_ref: str | None
    event_id: str


#: (min_lat, max_lat, min_lon, max_lon)
LatLonBox = tuple[float, float, float, float]


class PlateReadStore(Protocol):
    """Plate reads indexed by distinct plate (kept on ingest); search lives in rtcc.analysis."""

    def plates_since(self, after_id: int) -> list[tuple[int, str]]:
        """(id, plate) of every distinct plate with an id above `after_id`, by id."""
        ...

    def plate_id(self, plate: str) -> int | None: ...

    def plate_info(self, plate_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        """id → (plate text, how many reads it has) for these plate ids."""
        ...

    def reads_of(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
    ) -> list[PlateReadRow]:
        """Reads of these plates in [since, until] and inside `box`, newest first."""
        ...

    def reads_at_reader(
        self, reader_id: str, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        """(plate id, time) of every read at one reader in [since, until]."""
        ...

    def count_reads(self) -> int: ...


class HotlistStore(Protocol):
    """LPR hotlists, their entries (custom ones approved by a second person) and hits."""

    def create_list(self, name: str, source: ListSource, at: datetime) -> Hotlist: ...

    def lists(self) -> list[Hotlist]: ...

    def get_list(self, name: str) -> Hotlist | None: ...

    def refresh_list(
        self, name: str, entries: Sequence[NewEntry], by: str, at: datetime
    ) -> tuple[int, int]:
        """Replace an imported list's entries; (loaded, removed)."""
        ...

    def revision(self) -> int:
        """Changes whenever a list or entry changes: cheap to ask before each match."""
        ...

    def entries(
        self, list_name: str | None = None, status: str | None = None
    ) -> list[HotlistEntry]: ...

    def approved_entries(self) -> list[HotlistEntry]: ...

    def get_entry(self, entry_id: str) -> HotlistEntry | None: ...

    def add_entry(
        self, list_name: str, new: NewEntry, added_by: str, at: datetime
    ) -> HotlistEntry: ...

    def decide_entry(
        self, entry_id: str, approve: bool, by: str, at: datetime, reason: str | None = None
    ) -> HotlistEntry | None: ...

    def add_hits(self, hits: Sequence[Hit]) -> None: ...

    def hits(self, status: str | None = None, limit: int = 200) -> list[Hit]: ...

    def get_hit(self, hit_id: str) -> Hit | None: ...

    def decide_hit(
        self, hit_id: str, confirm: bool, by: str, at: datetime, reason: str | None = None
    ) -> Hit | None: ...

    def count_suppressed(self, list_name: str, reason: str, message: str, at: datetime) -> None: ...

    def suppressed(self) -> list[SuppressedCount]: ...


@dataclass(frozen=True, slots=True)
class AlertState:
    """Where an alert is in its life, and who moved it there."""

    alert_id: str
    status: str  # new | acknowledged | assigned | closed
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    assigned_to: str | None = None
    assigned_by: str | None = None
    assigned_at: str | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    disposition: str | None = None
    note: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


class AlertStateStore(Protocol):
    """The lifecycle of alerts (an alert with no row here is `new`)."""

    def get(self, alert_id: str) -> AlertState: ...

    def save(self, state: AlertState) -> None: ...

    def states(self, alert_ids: Sequence[str]) -> dict[str, AlertState]: ...

    def outcomes(self, since: datetime) -> list[tuple[str, str]]:
        """(rule, disposition) of alerts closed since `since`."""
        ...


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


class Storage(Protocol):
    """A backend: its stores over one database, closed together."""

    @property
    def events(self) -> EventStore: ...

    @property
    def accounts(self) -> AccountStore: ...

    @property
    def audit(self) -> AuditStore: ...

    @property
    def dead_letters(self) -> DeadLetterStore: ...

    @property
    def output_dead_letters(self) -> OutputDeadLetterStore: ...

    @property
    def geofences(self) -> GeofenceStore: ...

    @property
    def reviews(self) -> ReviewStore: ...

    @property
    def intel(self) -> IntelStore: ...

    @property
    def sharing(self) -> SharingStore: ...

    @property
    def retention(self) -> RetentionStore: ...

    @property
    def alert_states(self) -> AlertStateStore: ...

    @property
    def plate_reads(self) -> PlateReadStore: ...

    @property
    def private_cameras(self) -> PrivateCameraStore: ...

    @property
    def hotlists(self) -> HotlistStore: ...

    def close(self) -> None: ...
