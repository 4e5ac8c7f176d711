"""The loaded playbooks of one folder: run them, reload them without a restart.

The folder is re-scanned when a file's mtime changes (checked at most every
`reload_check_s`) or on demand (`POST /api/v1/playbooks/reload`). A file that no longer
loads is reported with its line and reason while its last good version keeps running; an
unchanged playbook keeps its fatigue counters across a reload.
"""

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rtcc.analysis.dfr_config import DfrSettings
from rtcc.analysis.geofence import GeofenceIndex
from rtcc.core.alerts import Alert
from rtcc.core.events import Event
from rtcc.pipeline.playbooks.loader import STARTER_DIR, LoadError, load_folder, playbook_files
from rtcc.pipeline.playbooks.rule import PlaybookRule
from rtcc.storage.base import EventStore, GeofenceStore, Storage

if TYPE_CHECKING:
    from rtcc.settings import Settings

log = logging.getLogger(__name__)


class PlaybookSet:
    def __init__(
        self,
        folder: Path | None = None,
        geofences: GeofenceStore | None = None,
        dfr: DfrSettings | None = None,
        reload_check_s: float = 5.0,
    ) -> None:
        self.folder = folder or STARTER_DIR
        self.reload_check_s = reload_check_s
        self.errors: list[LoadError] = []
        self.failures: dict[str, int] = {}
        self.reloads = 0
        self._geofences = geofences
        self._fence_index = GeofenceIndex([])
        self._fence_revision: tuple[int, int] | None = None
        self._dfr = dfr or DfrSettings()
        self._rules: dict[str, PlaybookRule] = {}  # by file path
        self._signature: tuple[tuple[str, int], ...] | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.reload(force=True)

    @property
    def rules(self) -> list[PlaybookRule]:
        return list(self._rules.values())

    def reload(self, force: bool = False) -> bool:
        """Re-read the folder if a file changed (or always when forced); True if it did."""
        with self._lock:
            self._checked_at = time.monotonic()
            signature = self._scan()
            if not force and signature == self._signature:
                return False
            loaded, errors = load_folder(self.folder)
            fresh: dict[str, PlaybookRule] = {}
            for path, playbook in loaded:
                old = self._rules.get(str(path))
                same = old is not None and old.playbook == playbook
                fresh[str(path)] = (
                    old if same and old else PlaybookRule(playbook, path, self._fences, self._dfr)
                )
            running = {r.name for r in fresh.values()}
            for error in errors:  # a broken edit: the last good version keeps running
                old = self._rules.get(str(error.path))
                if old is not None and old.name not in running:
                    fresh[str(error.path)] = old
                    running.add(old.name)
                log.warning("playbook refused: %s", error)
            self._rules, self.errors, self._signature = fresh, errors, signature
            self.reloads += 1
            return True

    def maybe_reload(self) -> None:
        if time.monotonic() - self._checked_at >= self.reload_check_s:
            self.reload()

    def _scan(self) -> tuple[tuple[str, int], ...]:
        if not self.folder.is_dir():
            return ()
        return tuple((str(p), p.stat().st_mtime_ns) for p in playbook_files(self.folder))

    def run(self, events: Sequence[Event], alerts: list[Alert], store: EventStore) -> list[Alert]:
        """Event playbooks on the new events, then alert playbooks on every alert so far."""
        self.maybe_reload()
        rules = self.rules
        raised: list[Alert] = []
        for event in events:
            for rule in rules:
                if rule.applies_to(event):
                    alert = self._guarded(rule, rule.evaluate, event, store)
                    if alert is not None:
                        raised.append(alert)
        return self.on_alerts([*alerts, *raised], store, rules)

    def on_alerts(
        self, alerts: list[Alert], store: EventStore, rules: list[PlaybookRule] | None = None
    ) -> list[Alert]:
        """The alerts, annotated where a playbook says so, followed by any new ones raised.

        Call this for built-in alerts raised outside ingest (a confirmed hotlist hit).
        """
        rules = self.rules if rules is None else rules
        out = list(alerts)
        for i, alert in enumerate(alerts):
            for rule in rules:
                if not rule.applies_to_alert(alert):
                    continue
                result = self._guarded(rule, rule.on_alert, out[i], store)
                if result is None:
                    continue
                if result.id == alert.id:
                    out[i] = result
                else:
                    out.append(result)
        return out

    def _guarded(self, rule: PlaybookRule, step: Any, item: Any, store: EventStore) -> Alert | None:
        try:
            result: Alert | None = step(item, store)
            return result
        except Exception:
            self.failures[rule.name] = self.failures.get(rule.name, 0) + 1
            log.exception("playbook %s failed on %s", rule.name, getattr(item, "id", item))
            return None

    def _fences(self, lat: float, lon: float, accuracy_m: float | None) -> list[str]:
        """Names of the geofences the point is in (or may be in, given its uncertainty)."""
        if self._geofences is None:
            return []
        with self._lock:
            revision = self._geofences.revision()
            if revision != self._fence_revision:
                self._fence_index = GeofenceIndex(self._geofences.list())
                self._fence_revision = revision
            index = self._fence_index
        return [hit.geofence.name for hit in index.locate(lat, lon, accuracy_m)]

    def status(self) -> dict[str, Any]:
        """What the API shows: each playbook, its counters, and every file refused."""
        return {
            "folder": str(self.folder),
            "reloads": self.reloads,
            "playbooks": [
                {
                    "name": r.name,
                    "file": r.path.name,
                    "description": r.playbook.description,
                    "enabled": r.playbook.enabled,
                    "trigger": r.playbook.trigger.model_dump(mode="json", by_alias=True),
                    "failures": self.failures.get(r.name, 0),
                    **r.fatigue.snapshot(),
                }
                for r in self.rules
            ],
            "errors": [
                {"file": str(e.path), "line": e.line, "reason": e.reason} for e in self.errors
            ],
        }


def playbooks_for(settings: "Settings", storage: Storage) -> PlaybookSet:
    """The deployment's playbooks: its folder (or the starter ones), its geofences and docks."""
    return PlaybookSet(
        settings.playbooks_dir, storage.geofences, settings.dfr, settings.playbooks_reload_s
    )
