"""One loaded playbook as a rule: match the trigger, correlate, check, act, control fatigue."""

import dataclasses
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rtcc.analysis.dfr import drone_states, recommend
from rtcc.analysis.dfr_config import DfrSettings
from rtcc.core.alerts import Alert, Severity, derived_id
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, Hops
from rtcc.core.geo import Location, haversine_m
from rtcc.pipeline.playbooks.fatigue import FatigueControl
from rtcc.pipeline.playbooks.lookups import Spot, correlate
from rtcc.pipeline.playbooks.model import FieldTest, Playbook
from rtcc.pipeline.playbooks.template import holds, render
from rtcc.storage.base import EventStore

_RANK = {"info": 0, "warning": 1, "critical": 2}
DRONE_SEARCH_M = 5_000.0  # a drone in flight this far beyond its dock still counts
GeofenceNames = Callable[[float, float, float | None], list[str]]  # point → fences it is in


class PlaybookRule:
    """Satisfies `rtcc.pipeline.rules.Rule` for event triggers; `on_alert` for alert ones."""

    def __init__(
        self, playbook: Playbook, path: Path, geofences: GeofenceNames, dfr: DfrSettings
    ) -> None:
        self.playbook = playbook
        self.path = path
        self.name = playbook.name
        self.fatigue = FatigueControl(playbook.actions)
        self._geofences = geofences
        self._dfr = dfr
        self._lock = threading.Lock()  # ingest batches run in worker threads

    def applies_to(self, event: Event) -> bool:
        trigger = self.playbook.trigger
        return self.playbook.enabled and trigger.event is not None and event.kind is trigger.event

    def applies_to_alert(self, alert: Alert) -> bool:
        return self.playbook.enabled and self.playbook.trigger.alert == alert.rule

    def evaluate(self, event: Event, store: EventStore) -> Alert | None:
        wire = event.to_wire(hops=False)
        if event.location is None or not _passes(self.playbook.trigger.where, wire):
            return None
        payload = wire["payload"]
        spot = Spot(
            event.location.lat,
            event.location.lon,
            event.occurred_at,
            event.id,
            payload.get("address") or payload.get("civic_address"),
            event.received_at,
        )
        context = {"event": wire, "payload": payload, "alert": None}
        return self._act(spot, event.location, context, store, None, event.hops)

    def on_alert(self, alert: Alert, store: EventStore) -> Alert | None:
        """A new alert of its own, or the triggering alert annotated; None when it does not fire."""
        wire = alert.to_wire()
        if alert.location is None or not _passes(self.playbook.trigger.where, wire):
            return None
        event = store.get_event(alert.event_id) or {}
        payload = event.get("payload") or {}
        spot = Spot(
            alert.location.lat,
            alert.location.lon,
            _occurred_at(event) or alert.created_at,  # event time, so windows replay alike
            alert.event_id,
            payload.get("address") or payload.get("civic_address"),
        )
        context = {"event": event or None, "payload": payload, "alert": wire}
        return self._act(spot, alert.location, context, store, alert, alert.hops)

    def _act(
        self,
        spot: Spot,
        location: Location,
        context: dict[str, Any],
        store: EventStore,
        triggering: Alert | None,
        hops: Hops | None,
    ) -> Alert | None:
        book, actions = self.playbook, self.playbook.actions
        fences: list[str] = []
        if book.trigger.inside_geofence:
            fences = self._geofences(spot.lat, spot.lon, location.accuracy_m)
            if not fences:
                return None
        found = correlate(store, spot, book.correlate)
        spec = book.correlate.same_address_calls
        if spec is not None and len(found["same_address_calls"]) < spec.min_count:
            return None
        context = {**context, "geofences": fences, **found}
        context.update({f"{name}_count": len(rows) for name, rows in found.items()})
        if book.condition is not None and not holds(book.condition, context):
            return None
        part: dict[str, Any] = {
            "playbook": book.name,
            "playbook_file": self.path.name,
            "correlated": found,
            "counts": {name: len(rows) for name, rows in found.items()},
        }
        if fences:
            part["geofences"] = fences
        if actions.dock_cameras:
            part["docked_cameras"] = [
                {"camera_id": c["camera_id"], "slew": c["slew"]}
                for c in found["cameras_that_see"]
                if c["docked"]
            ]
        if actions.suggest_drone:
            part["drone"] = self._drone(store, spot.lat, spot.lon)
            context["drone"] = part["drone"]
        title = render(actions.alert.title, context).strip()
        if triggering is not None and actions.alert.mode == "annotate":
            part["title"] = title
            return _annotated(triggering, book.name, actions.alert.severity, actions.notify, part)
        group = render(actions.group_by, context).strip() if actions.group_by else None
        with self._lock:
            admission = self.fatigue.admit(group, spot.lat, spot.lon, spot.at)
            if not admission.admitted:
                return None
            alert_id = derived_id("playbook", book.name, spot.event_id)
            self.fatigue.record(admission, group, alert_id, spot.at)
        detail = {**part, "group": group, "suppressed_since_last": admission.suppressed_since_last}
        if triggering is not None:
            detail["trigger_alert_id"] = triggering.id
        if actions.notify is not None:
            detail["notify"] = list(actions.notify)
        now = utcnow()
        return Alert(
            id=alert_id,
            rule=book.name,
            created_at=now,
            severity=actions.alert.severity,
            title=title,
            event_id=spot.event_id,
            location=location,
            detail=detail,
            hops=dataclasses.replace(hops, alerted_at=now) if hops is not None else None,
        )

    def _drone(self, store: EventStore, lat: float, lon: float) -> dict[str, Any]:
        """The DFR recommendation, over the drones within reach (not a scan of every entity):
        units within the farthest dock's distance plus DRONE_SEARCH_M of the point."""
        cfg = self._dfr
        if not cfg.docks:
            return {"recommended_dock_id": None, "summary": "no drone docks configured"}
        reach = max(haversine_m(lat, lon, d.lat, d.lon) for d in cfg.docks) + DRONE_SEARCH_M
        near = store.entities_near(lat, lon, min(reach, 200_000.0), "unit")
        result = recommend(
            lat,
            lon,
            cfg.docks,
            drone_states(n.entity for n in near),
            cfg.zones,
            cfg.weather,
            now=utcnow(),
            stale_after_s=cfg.telemetry_stale_s,
        )
        return {"recommended_dock_id": result.recommended_dock_id, "summary": result.summary}


def _annotated(
    alert: Alert, name: str, severity: Severity, notify: list[str] | None, part: dict[str, Any]
) -> Alert:
    """The built-in alert with this playbook's findings under detail.playbooks[name]."""
    detail = dict(alert.detail)
    detail["playbooks"] = {**detail.get("playbooks", {}), name: part}
    if notify is not None:
        detail["notify"] = sorted({*detail.get("notify", []), *notify})
    higher = severity if _RANK[severity] > _RANK[alert.severity] else alert.severity
    return dataclasses.replace(alert, detail=detail, severity=higher)


def _occurred_at(event: dict[str, Any]) -> datetime | None:
    text = event.get("occurred_at")
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if isinstance(text, str) else None


def _passes(tests: list[FieldTest], wire: dict[str, Any]) -> bool:
    return all(_test(t, _value(wire, t.field)) for t in tests)


def _value(wire: dict[str, Any], path: str) -> Any:
    node: Any = wire
    for step in path.split("."):
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def _test(test: FieldTest, value: Any) -> bool:
    if value is None:
        return False
    if test.equals is not None:
        return bool(value == test.equals)
    if test.in_ is not None:
        return value in test.in_
    if test.matches is not None:
        return re.search(test.matches, str(value)) is not None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if test.gte is not None:
        return bool(value >= test.gte)
    return test.lte is not None and bool(value <= test.lte)
