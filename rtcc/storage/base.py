"""The storage interfaces every backend implements; callers depend on these only."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from rtcc.core.alerts import Alert
from rtcc.core.events import Event


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

    def entities_near(
        self, lat: float, lon: float, radius_m: float, entity_type: str
    ) -> list[NearbyEntity]: ...

    def add_alerts(self, alerts: Sequence[Alert]) -> None: ...

    def recent_alerts(self, limit: int) -> list[dict[str, Any]]: ...

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


class AuditStore(Protocol):
    """The tamper-evident audit chain."""

    def append(self, record: AuditRecord) -> None: ...

    def recent(self, limit: int) -> list[dict[str, Any]]: ...

    def verify(self) -> tuple[bool, int, str]:
        """(intact, rows checked, first problem or 'ok')."""
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
    def geofences(self) -> GeofenceStore: ...

    def close(self) -> None: ...
