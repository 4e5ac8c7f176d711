"""Stores of what happens to alerts: their lifecycle, their deliveries, failed deliveries."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


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
