"""Alert fatigue control: deduplicate a group, throttle a playbook and an area, count why.

Per playbook: an occurrence whose group key alerted less than `dedupe_window` before is
merged into that alert (its count goes up, no new alert; an ongoing situation so alerts
again once per window, with the count); beyond `max_alerts` per `per`
the playbook is throttled; beyond `area_max_alerts` in one H3 cell it is throttled for
that area. Every held-back occurrence is counted by reason, and the next alert that does
go out says how many were held back since the previous one (`suppressed_since_last`).
Windows run on the trigger's own time (event time), so a replay behaves like live.
"""

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import h3  # type: ignore[import-untyped]

from rtcc.core.clock import iso
from rtcc.pipeline.playbooks.model import Actions

MAX_GROUPS = 5_000  # remembered group keys per playbook, least recently used dropped first
REASONS = ("duplicate", "throttled", "area_throttled")


@dataclass(slots=True)
class Group:
    alert_id: str
    first_at: datetime
    last_at: datetime
    count: int = 1


@dataclass(frozen=True, slots=True)
class Admission:
    """The verdict on one occurrence; when admitted, what the alert should say about it."""

    admitted: bool
    reason: str | None = None
    suppressed_since_last: dict[str, int] = field(default_factory=dict)
    cell: str | None = None


class FatigueControl:
    """The state of one playbook's dedupe groups and throttle windows."""

    def __init__(self, actions: Actions) -> None:
        self.actions = actions
        self.suppressed: dict[str, int] = dict.fromkeys(REASONS, 0)
        self.alerts = 0
        self._since_last: dict[str, int] = dict.fromkeys(REASONS, 0)
        self._groups: OrderedDict[str, Group] = OrderedDict()
        self._sent: deque[datetime] = deque()
        self._sent_in_cell: dict[str, deque[datetime]] = {}

    def admit(
        self, group: str | None, lat: float | None, lon: float | None, at: datetime
    ) -> Admission:
        """Decide whether this occurrence becomes an alert; count it either way."""
        dedupe, throttle = self.actions.dedupe_window, self.actions.throttle
        known = self._groups.get(group) if group is not None else None
        if dedupe is not None and known is not None and abs(at - known.first_at) < dedupe:
            known.count += 1
            known.last_at = max(known.last_at, at)
            self._groups.move_to_end(str(group))
            return self._hold("duplicate")
        cell = None
        if throttle is not None:
            _expire(self._sent, at - throttle.per)
            if len(self._sent) >= throttle.max_alerts:
                return self._hold("throttled")
            if throttle.area_max_alerts is not None and lat is not None and lon is not None:
                cell = str(h3.latlng_to_cell(lat, lon, throttle.area_resolution))
                sent = self._sent_in_cell.setdefault(cell, deque())
                _expire(sent, at - throttle.per)
                if len(sent) >= throttle.area_max_alerts:
                    return self._hold("area_throttled")
        since = {k: v for k, v in self._since_last.items() if v}
        self._since_last = dict.fromkeys(REASONS, 0)
        return Admission(True, None, since, cell)

    def record(self, admission: Admission, group: str | None, alert_id: str, at: datetime) -> None:
        """An admitted occurrence became this alert: start its group and fill the windows."""
        self.alerts += 1
        self._sent.append(at)
        if admission.cell is not None:
            self._sent_in_cell[admission.cell].append(at)
        if group is not None:
            self._groups[group] = Group(alert_id, at, at)
            self._groups.move_to_end(group)
            while len(self._groups) > MAX_GROUPS:
                self._groups.popitem(last=False)

    def group(self, key: str) -> Group | None:
        return self._groups.get(key)

    def _hold(self, reason: str) -> Admission:
        self.suppressed[reason] += 1
        self._since_last[reason] += 1
        return Admission(False, reason)

    def snapshot(self, groups: int = 20) -> dict[str, Any]:
        """Counters for the API: alerts raised, held back by reason, the busiest groups."""
        busiest = sorted(self._groups.items(), key=lambda kv: kv[1].count, reverse=True)
        return {
            "alerts": self.alerts,
            "suppressed": dict(self.suppressed),
            "suppressed_total": sum(self.suppressed.values()),
            "groups": [
                {
                    "key": key,
                    "alert_id": g.alert_id,
                    "count": g.count,
                    "first_at": iso(g.first_at),
                    "last_at": iso(g.last_at),
                }
                for key, g in busiest[:groups]
            ],
        }


def _expire(times: deque[datetime], cutoff: datetime) -> None:
    """Drop times before the cutoff (times arrive roughly in order; stragglers age out)."""
    while times and times[0] <= cutoff:
        times.popleft()
