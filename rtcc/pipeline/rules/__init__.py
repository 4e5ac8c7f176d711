"""Rules turn a persisted event into an alert; the playbook engine will generalise them."""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from rtcc.core.alerts import Alert
from rtcc.core.events import Event
from rtcc.pipeline.rules.batch_reads import batch_reads
from rtcc.storage.base import EventStore, Storage

if TYPE_CHECKING:
    from rtcc.pipeline.playbooks.engine import PlaybookSet

log = logging.getLogger(__name__)


class Rule(Protocol):
    """One correlation: decide cheaply whether it applies, then build the alert."""

    name: str

    def applies_to(self, event: Event) -> bool: ...

    def evaluate(self, event: Event, store: EventStore) -> Alert | None: ...


class RuleEngine:
    """Runs every rule on every new event; a failing rule is logged and counted, never fatal.

    Then the playbooks (YAML, `rtcc.pipeline.playbooks`), if given: on the new events, and
    on the built-in rules' alerts (which they may annotate or follow with their own).
    """

    def __init__(self, rules: Sequence[Rule], playbooks: "PlaybookSet | None" = None) -> None:
        self.rules = list(rules)
        self.failures: dict[str, int] = {}
        self.playbooks = playbooks

    def run(self, events: Sequence[Event], store: EventStore) -> list[Alert]:
        store = batch_reads(store)  # one read per distinct question in this batch
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
        if self.playbooks is not None:
            alerts = self.playbooks.run(events, alerts, store)
        return alerts


def default_rules(storage: Storage) -> list[Rule]:
    from rtcc.analysis.hotlists.matching import LiveIndex
    from rtcc.pipeline.rules.geofence import CallerInGeofenceRule
    from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
    from rtcc.pipeline.rules.hotlist_match import HotlistMatchRule
    from rtcc.pipeline.rules.lpr_hotlist import LprHotlistRule

    # One index of the current hotlists, shared by server-side and on-device matching.
    hotlists = LiveIndex(storage.hotlists)
    return [
        GunshotNearbyRule(),
        HotlistMatchRule(storage.hotlists, hotlists),
        LprHotlistRule(storage.hotlists, hotlists),
        CallerInGeofenceRule(storage.geofences),
    ]
