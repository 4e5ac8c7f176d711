"""Run the test cases a playbook file carries, each against its own temporary SQLite store.

A case ingests its events one batch each through the real pipeline (built-in rules and
this playbook), then hands its built-in alerts (e.g. a confirmed hotlist hit, raised
outside ingest) to the playbook, and compares what this playbook produced with `expect`.
"""

import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rtcc.analysis.geofence import validate_polygon
from rtcc.core.alerts import Alert
from rtcc.core.bus import Bus
from rtcc.core.clock import utcnow
from rtcc.core.geo import Location
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.playbooks.engine import PlaybookSet
from rtcc.pipeline.playbooks.loader import PlaybookError, load_file, playbook_files
from rtcc.pipeline.playbooks.model import Playbook, PlaybookTest
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.storage.sqlite import SqliteStorage


@dataclass(frozen=True, slots=True)
class CaseResult:
    file: Path
    playbook: str
    case: str
    passed: bool
    message: str

    def __str__(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return f"{mark} {self.file.name} :: {self.case}" + (
            "" if self.passed else f": {self.message}"
        )


def run_folder(folder: Path) -> list[CaseResult]:
    """Every case of every playbook file; a file that does not load is one failed result."""
    results: list[CaseResult] = []
    for path in playbook_files(folder):
        try:
            playbook = load_file(path)
        except PlaybookError as exc:
            results.append(CaseResult(path, path.stem, "(load)", False, str(exc)))
            continue
        results.extend(run_playbook(path, playbook))
    return results


def run_playbook(path: Path, playbook: Playbook) -> list[CaseResult]:
    if not playbook.tests:
        return [CaseResult(path, playbook.name, "(tests)", False, "the playbook has no tests")]
    return [run_case(path, playbook, case) for case in playbook.tests]


def run_case(path: Path, playbook: Playbook, case: PlaybookTest) -> CaseResult:
    work = Path(tempfile.mkdtemp(prefix="rtcc-playbook-"))
    try:
        folder = work / "playbooks"
        folder.mkdir()
        shutil.copy(path, folder / path.name)
        storage = SqliteStorage(work / "test.db", "NORMAL")
        try:
            return _run(path, playbook, case, storage, folder)
        finally:
            storage.close()
    except Exception as exc:  # a case that cannot run is a failed case, not a crash
        return CaseResult(path, playbook.name, case.name, False, f"{type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(
    path: Path, playbook: Playbook, case: PlaybookTest, storage: SqliteStorage, folder: Path
) -> CaseResult:
    for fence in case.geofences:
        valid = validate_polygon(fence["geometry"])
        storage.geofences.add(fence["name"], fence.get("owner", "test"), valid.geojson, valid.bbox)
    playbooks = PlaybookSet(folder, storage.geofences, reload_check_s=float("inf"))
    if playbooks.errors:
        return CaseResult(path, playbook.name, case.name, False, str(playbooks.errors[0]))
    pipeline = IngestPipeline(storage, Bus(), RuleEngine(default_rules(storage), playbooks))
    produced: list[Alert] = []
    for i, item in enumerate(case.events):
        result = pipeline.process("playbook-test", [item])
        if result.errors:
            e = result.errors[0]
            return CaseResult(
                path, playbook.name, case.name, False, f"events[{i}].{e.field}: {e.message}"
            )
        produced.extend(result.alerts)
    given = [_alert(a) for a in case.alerts]
    if given:
        produced.extend(playbooks.on_alerts(given, storage.events))
    ours = [_part(a, playbook.name) for a in produced if _part(a, playbook.name) is not None]
    suppressed = sum(r.fatigue.snapshot()["suppressed_total"] for r in playbooks.rules)
    problem = _compare(case, [o for o in ours if o is not None], suppressed)
    return CaseResult(path, playbook.name, case.name, problem is None, problem or "")


def _alert(data: dict[str, Any]) -> Alert:
    loc = data.get("location")
    return Alert(
        id=str(data.get("id") or uuid.uuid4().hex),
        rule=str(data["rule"]),
        created_at=utcnow(),
        severity=data.get("severity", "warning"),
        title=str(data.get("title", data["rule"])),
        event_id=str(data.get("event_id", "test-event")),
        location=Location.model_validate(loc) if loc is not None else None,
        detail=dict(data.get("detail") or {}),
    )


def _part(alert: Alert, name: str) -> dict[str, Any] | None:
    """What this playbook produced in the alert: its own alert, or its annotation."""
    if alert.rule == name:
        return {"severity": alert.severity, "title": alert.title, "detail": alert.detail}
    part = alert.detail.get("playbooks", {}).get(name)
    if part is None:
        return None
    return {"severity": alert.severity, "title": part.get("title", ""), "detail": part}


def _compare(case: PlaybookTest, ours: list[dict[str, Any]], suppressed: int) -> str | None:
    want = case.expect
    if len(ours) != want.alerts:
        return f"expected {want.alerts} alert(s), got {len(ours)}"
    if want.suppressed is not None and suppressed != want.suppressed:
        return f"expected {want.suppressed} suppressed, got {suppressed}"
    if not ours:
        return None
    last = ours[-1]
    if want.severity is not None and last["severity"] != want.severity:
        return f"expected severity {want.severity}, got {last['severity']}"
    if want.title_contains is not None and want.title_contains not in last["title"]:
        return f"title {last['title']!r} does not contain {want.title_contains!r}"
    for path, expected in want.detail.items():
        node: Any = last["detail"]
        for step in path.split("."):
            if isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                node = node.get(step) if isinstance(node, dict) else None
        if node != expected:
            return f"detail.{path} is {node!r}, expected {expected!r}"
    return None
