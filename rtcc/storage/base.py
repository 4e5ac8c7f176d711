"""The storage interfaces every backend implements; callers depend on these only.

The core stores (events, accounts, audit, dead letters, geofences) are defined here; the
other domains' stores live beside this file (`alerting`, `cameras`, `lpr`, `oversight`)
and are re-exported, so a caller imports every storage type from this one module.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from rtcc.core.alerts import Alert
from rtcc.core.events import Event
from rtcc.storage.alerting import (
    AlertDelivery,
    AlertState,
    AlertStateStore,
    OutputDeadLetter,
    OutputDeadLetterStore,
)
from rtcc.storage.cameras import PrivateCameraStore
from rtcc.storage.lpr import HotlistStore, LatLonBox, PlateReadRow, PlateReadStore
from rtcc.storage.oversight import (
    IntelRecord,
    IntelStore,
    LegalHold,
    Partner,
    PurgedKind,
    RetentionStore,
    ReviewItem,
    ReviewStore,
    Share,
    SharingStore,
)


class AlreadyExists(Exception):
    """A row with this key is there already (another process may have just added it)."""


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

    def add_user(self, username: str, password_hash: str, role: str) -> None:
        """Raises AlreadyExists if the username is taken."""
        ...

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


__all__ = [
    "AccountStore",
    "AlertDelivery",
    "AlertState",
    "AlertStateStore",
    "AlreadyExists",
    "AppendResult",
    "AuditCheckpoint",
    "AuditRecord",
    "AuditStore",
    "DeadLetter",
    "DeadLetterStore",
    "EntityState",
    "EventStore",
    "Geofence",
    "GeofenceStore",
    "HotlistStore",
    "IntelRecord",
    "IntelStore",
    "LatLonBox",
    "LegalHold",
    "NearbyEntity",
    "NearbyEvent",
    "OutputDeadLetter",
    "OutputDeadLetterStore",
    "Partner",
    "PlateReadRow",
    "PlateReadStore",
    "PrivateCameraStore",
    "PurgedKind",
    "RejectCount",
    "Rejection",
    "RetentionStore",
    "ReviewItem",
    "ReviewStore",
    "Share",
    "SharingStore",
    "Storage",
    "User",
]
