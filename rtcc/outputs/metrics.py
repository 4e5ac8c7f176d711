"""Per-channel delivery counters, latency percentiles and health, as the API and wall see them.

Latency is alert created → delivered by that channel, so it includes queueing and retries:
the figure a dispatcher owes the people waiting for the alert.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rtcc.core.clock import iso

HealthState = Literal["ok", "failing"]
LATENCY_SAMPLES = 1000  # the most recent deliveries the percentiles are taken over


@dataclass(frozen=True, slots=True)
class OutputHealthChange:
    """Published on the bus as `output_health` when a channel starts failing or recovers."""

    channel: str
    kind: str
    state: HealthState
    reason: str
    at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "kind": self.kind,
            "state": self.state,
            "reason": self.reason,
            "at": iso(self.at),
        }


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of unsorted values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n·q/100), at least the first
    return ordered[int(rank) - 1]


@dataclass(slots=True)
class ChannelMetrics:
    delivered: int = 0
    failed: int = 0  # failed attempts, retried or not
    retried: int = 0
    dead_lettered: int = 0
    dropped: int = 0  # pushed out of a full queue (and dead-lettered)
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_delivered_at: datetime | None = None
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))

    def record_delivery(self, created_at: datetime, delivered_at: datetime) -> None:
        self.delivered += 1
        self.last_delivered_at = delivered_at
        self.latencies_ms.append((delivered_at - created_at).total_seconds() * 1000)

    def record_failure(self, reason: str, at: datetime) -> None:
        self.failed += 1
        self.last_error = reason
        self.last_error_at = at

    def to_wire(self, queue_depth: int) -> dict[str, Any]:
        samples = list(self.latencies_ms)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        return {
            "delivered": self.delivered,
            "failed": self.failed,
            "retried": self.retried,
            "dead_lettered": self.dead_lettered,
            "dropped": self.dropped,
            "queue_depth": queue_depth,
            "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at) if self.last_error_at else None,
            "last_delivered_at": iso(self.last_delivered_at) if self.last_delivered_at else None,
            "latency_ms": {
                "p50": round(p50, 1) if p50 is not None else None,
                "p95": round(p95, 1) if p95 is not None else None,
                "samples": len(samples),
            },
        }
