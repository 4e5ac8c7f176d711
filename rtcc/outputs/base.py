"""The one small interface every output channel meets.

A channel turns an `Alert` into its wire format and sends it: a Slack message, a
signed webhook, a CAP document, a CoT event, a radio broadcast. It never decides who
should get the alert (playbooks do) and never retries by itself: the dispatcher owns
retries with backoff, the dead-letter store and the per-channel metrics, so every
channel behaves the same when its far end is down.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from rtcc.core.alerts import Alert


class DeliveryError(Exception):
    """A delivery that failed: `retryable` when trying again later may work (timeouts,
    5xx, connection refused), not when the far end refused the content (4xx, invalid)."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the far end said: when it was delivered and anything worth keeping (ids, sizes)."""

    channel: str
    alert_id: str
    delivered_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    """One configured output, made as `cls(name, options)` where `options` is an instance
    of the class's `options_model` (validated at start, so bad configuration stops the
    server with the setting's name and the reason)."""

    kind: ClassVar[str]
    options_model: ClassVar[type[BaseModel]]
    name: str

    async def deliver(self, alert: Alert) -> Receipt:
        """Send one alert; raise `DeliveryError` on failure."""
        ...

    async def close(self) -> None:
        """Release connections (called once at shutdown)."""
        ...
