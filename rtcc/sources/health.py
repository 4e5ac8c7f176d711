"""A feed's health: ok → degraded → unavailable → recovered → ok, announced once per change."""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rtcc.core.clock import iso

log = logging.getLogger(__name__)
HealthState = Literal["ok", "degraded", "unavailable", "recovered"]


@dataclass(slots=True)
class FeedCounters:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    dropped: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    last_message_at: datetime | None = None
    last_event_at: datetime | None = None
    lag_s: float | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "dropped": self.dropped,
            "rejected": dict(self.rejected),
            "last_message_at": iso(self.last_message_at) if self.last_message_at else None,
            "last_event_at": iso(self.last_event_at) if self.last_event_at else None,
            "lag_s": round(self.lag_s, 3) if self.lag_s is not None else None,
        }


@dataclass(frozen=True, slots=True)
class HealthChange:
    source: str
    old: HealthState
    new: HealthState
    at: datetime
    reason: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "old": self.old,
            "state": self.new,
            "at": iso(self.at),
            "reason": self.reason,
        }


class SourceHealth:
    """Judged by silence: a feed that sends nothing (not even a heartbeat) is not healthy."""

    def __init__(
        self,
        source: str,
        heartbeat_s: float,
        now: datetime,
        on_change: Callable[[HealthChange], None],
    ) -> None:
        self.source = source
        self.heartbeat_s = heartbeat_s
        self.state: HealthState = "ok"
        self.changed_at = now
        self._last_heard = now
        self._on_change = on_change

    def heard(self, now: datetime) -> None:
        self._last_heard = now
        if self.state in ("degraded", "unavailable"):
            self._move("recovered", now, "messages arriving again")

    def tick(self, now: datetime) -> None:
        silence = (now - self._last_heard).total_seconds()
        if silence > 2 * self.heartbeat_s and self.state != "unavailable":
            self._move("unavailable", now, f"silent for {silence:.0f} s")
        elif self.heartbeat_s < silence <= 2 * self.heartbeat_s and self.state in (
            "ok",
            "recovered",
        ):
            self._move("degraded", now, f"silent for {silence:.0f} s")
        elif (
            self.state == "recovered"
            and (now - self.changed_at).total_seconds() >= self.heartbeat_s
        ):
            self._move("ok", now, "steady again")

    def _move(self, new: HealthState, now: datetime, reason: str) -> None:
        change = HealthChange(self.source, self.state, new, now, reason)
        self.state, self.changed_at = new, now
        log.warning("source %s: %s → %s (%s)", self.source, change.old, new, reason)
        self._on_change(change)
