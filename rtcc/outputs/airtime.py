"""Radio airtime: a budget of seconds per rolling hour and the queue that respects it.

Pure decisions over injected times, no audio and no files, so every rule in
docs/outputs/radio.md is proven here with exact numbers. The radio channel measures a
broadcast, asks `AirtimeScheduler.arrive`, airs what it is told to and calls `release`
when time has passed.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from rtcc.core.alerts import Severity

WINDOW = timedelta(hours=1)
PRIORITY: dict[Severity, int] = {"info": 1, "warning": 2, "critical": 3}

Decision = Literal["aired", "held", "dropped", "cut"]


@dataclass(slots=True)
class Broadcast:
    """One measured broadcast waiting for a decision."""

    alert_id: str
    severity: Severity
    seconds: float
    arrived_at: datetime
    payload: object = field(default=None, compare=False)  # the channel's own handle (a file)

    @property
    def priority(self) -> int:
        return PRIORITY[self.severity]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a broadcast and why, with the budget as it stood after it."""

    broadcast: Broadcast
    decision: Decision
    reason: str
    at: datetime
    used_s: float
    left_s: float


class AirtimeBudget:
    """Seconds aired in the last hour; a broadcast counts from the moment it starts."""

    def __init__(self, seconds_per_hour: float) -> None:
        if seconds_per_hour <= 0:
            raise ValueError("seconds_per_hour: must be more than 0")
        self.seconds_per_hour = seconds_per_hour
        self._aired: deque[tuple[datetime, float]] = deque()

    def record(self, at: datetime, seconds: float) -> None:
        self._aired.append((at, seconds))

    def used(self, now: datetime) -> float:
        while self._aired and self._aired[0][0] <= now - WINDOW:
            self._aired.popleft()
        return sum(seconds for _, seconds in self._aired)

    def left(self, now: datetime) -> float:
        return self.seconds_per_hour - self.used(now)

    def fits(self, seconds: float, now: datetime) -> bool:
        return seconds <= self.left(now) + 1e-9

    def wait_s(self, seconds: float, now: datetime) -> float | None:
        """Seconds until `seconds` of airtime is free, or None if it never will be."""
        if seconds > self.seconds_per_hour:
            return None
        need = seconds - self.left(now)
        if need <= 1e-9:
            return 0.0
        for at, aired in self._aired:  # oldest first: each frees its seconds an hour later
            need -= aired
            if need <= 1e-9:
                return max(0.0, (at + WINDOW - now).total_seconds())
        return None  # not reached: the budget covers `seconds`


class AirtimeScheduler:
    """Decides each broadcast: air now, hold for budget, drop, or cut for a critical one.

    Held broadcasts wait in priority order (highest first, then oldest) and air strictly
    from the head, so a long critical broadcast is never starved by short routine ones.
    """

    def __init__(
        self,
        seconds_per_hour: float,
        *,
        hold_max_s: float,
        critical_may_exceed: bool,
    ) -> None:
        self.budget = AirtimeBudget(seconds_per_hour)
        self.hold_max_s = hold_max_s
        self.critical_may_exceed = critical_may_exceed
        self.held: list[Broadcast] = []

    def arrive(self, b: Broadcast, now: datetime) -> list[Outcome]:
        """The decisions one arrival causes: its own, last, after any broadcast it cut."""
        outcomes: list[Outcome] = []
        if b.severity == "critical":
            for queued in [q for q in self.held if q.priority < b.priority]:
                self.held.remove(queued)
                why = f"pre-empted by critical alert {b.alert_id}"
                outcomes.append(self._outcome(queued, "cut", why, now))
        ahead = [q for q in self.held if q.priority >= b.priority]
        if not ahead and self.budget.fits(b.seconds, now):
            outcomes.append(self._air(b, now, "within budget"))
        elif not ahead and b.severity == "critical" and self.critical_may_exceed:
            over = b.seconds - self.budget.left(now)
            why = f"critical over budget by {over:.1f} s (critical_may_exceed_budget)"
            outcomes.append(self._air(b, now, why))
        else:
            outcomes.append(self._hold_or_drop(b, now, len(ahead)))
        return outcomes

    def release(self, now: datetime) -> list[Outcome]:
        """Drop held broadcasts that waited too long, then air from the head while it fits."""
        outcomes: list[Outcome] = []
        for queued in list(self.held):
            waited = (now - queued.arrived_at).total_seconds()
            if waited > self.hold_max_s + 1e-9:
                self.held.remove(queued)
                why = f"held {waited:.0f} s, longer than hold_max_s {self.hold_max_s:g}"
                outcomes.append(self._outcome(queued, "dropped", why, now))
        while self.held and self.budget.fits(self.held[0].seconds, now):
            head = self.held.pop(0)
            waited = (now - head.arrived_at).total_seconds()
            outcomes.append(self._air(head, now, f"released after {waited:.0f} s held"))
        return outcomes

    def next_wake_s(self, now: datetime) -> float | None:
        """Seconds until `release` may change something (a head fits or a hold expires)."""
        if not self.held:
            return None
        waits = [
            max(0.0, self.hold_max_s - (now - q.arrived_at).total_seconds()) for q in self.held
        ]
        head_wait = self.budget.wait_s(self.held[0].seconds, now)
        if head_wait is not None:
            waits.append(head_wait)
        return min(waits)

    def drop_all(self, now: datetime, reason: str) -> list[Outcome]:
        outcomes = [self._outcome(q, "dropped", reason, now) for q in self.held]
        self.held.clear()
        return outcomes

    def _hold_or_drop(self, b: Broadcast, now: datetime, ahead: int) -> Outcome:
        if b.seconds > self.budget.seconds_per_hour:
            why = f"{b.seconds:.1f} s is longer than the whole hourly budget"
            return self._outcome(b, "dropped", why, now)
        wait = self.budget.wait_s(b.seconds, now) if not ahead else 0.0
        if self.hold_max_s <= 0 or wait is None or wait > self.hold_max_s:
            if ahead:
                why = f"{ahead} broadcast(s) of equal or higher priority waiting; holding is off"
            else:
                why = f"needs {b.seconds:.1f} s, {self.budget.left(now):.1f} s left this hour"
                if wait is not None and self.hold_max_s > 0:
                    why += f"; frees in {wait:.0f} s, more than hold_max_s {self.hold_max_s:g}"
            return self._outcome(b, "dropped", why, now)
        position = next(
            (i for i, q in enumerate(self.held) if q.priority < b.priority), len(self.held)
        )
        self.held.insert(position, b)
        if ahead:
            why = f"behind {ahead} broadcast(s) of equal or higher priority"
        else:
            left = self.budget.left(now)
            why = f"needs {b.seconds:.1f} s, {left:.1f} s left; frees in {wait:.0f} s"
        return self._outcome(b, "held", why, now)

    def _air(self, b: Broadcast, now: datetime, reason: str) -> Outcome:
        self.budget.record(now, b.seconds)
        return self._outcome(b, "aired", reason, now)

    def _outcome(self, b: Broadcast, decision: Decision, reason: str, now: datetime) -> Outcome:
        used = self.budget.used(now)
        left = self.budget.seconds_per_hour - used
        return Outcome(b, decision, reason, now, round(used, 3), round(left, 3))
