"""Rules turn a persisted event into an alert; the playbook engine will generalise them."""

import logging
from collections.abc import Sequence
from typing import Protocol

from rtcc.core.alerts import Alert
from rtcc.core.events import Event
from rtcc.storage.base import EventStore, Storage

log = logging.getLogger(__name__)


class Rule(Protocol):
    """One correlation: decide cheaply whether it applies, then build the alert."""

    name: str

    def applies_to(self, event: Event) -> bool: ...

    def evaluate(self, event: Event, store: EventStore) -> Alert | None: ...


class RuleEngine:
    """Runs every rule on every new event; a failing rule is logged and counted, never fatal."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.failures: dict[str, int] = {}

    def run(self, events: Sequence[Event], store: EventStore) -> list[Alert]:
        alerts: list[Alert] = []
        for event in events:
            for rule in self.rules:
                if not rule.applies_to(event):
                    continue
                try:
                    alert = rule.evaluate(event, store)
                except Exception:
                    self.failures[rule.name] = self.failures.get(rule.name, 0) + 1
                    log.exception("rule %s failed on event %s", rule.name, event.id)
                    continue
                if alert is not None:
                    alerts.append(alert)
        return alerts


def default_rules(storage: Storage) -> list[Rule]:
    from rtcc.pipeline.rules.geofence import CallerInGeofenceRule
    from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
    from rtcc.pipeline.rules.lpr_hotlist import LprHotlistRule

    return [GunshotNearbyRule(), LprHotlistRule(), CallerInGeofenceRule(storage.geofences)]
