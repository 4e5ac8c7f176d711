"""Playbooks: load errors name file and line, a broken edit keeps the last good version
running, each starter playbook passes its own tests, fatigue control counts what it holds
back, and the published schema is the model's."""

import csv
import json
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rtcc.core.bus import Bus
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.playbooks.commands import schema_text
from rtcc.pipeline.playbooks.engine import PlaybookSet
from rtcc.pipeline.playbooks.loader import (
    STARTER_DIR,
    PlaybookError,
    load_file,
    load_folder,
    playbook_files,
)
from rtcc.pipeline.playbooks.template import address_key
from rtcc.pipeline.playbooks.testing import run_playbook
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.storage.base import Storage
from tests.conftest import gunshot

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

CALLS = """\
name: calls_here
trigger:
  event: cad_incident
  where:
    - {field: payload.call_type, in: [DISTURB, NOISE]}
correlate:
  same_address_calls: {window: 24h}
condition: same_address_calls_count >= 2
actions:
  alert:
    severity: info
    title: "{{ same_address_calls_count }} calls at {{ payload.address }}"
  notify: [dispatch-slack]
  group_by: "{{ payload.address | address_key }}"
  dedupe_window: 1h
  throttle: {per: 1h, max_alerts: 3, area_max_alerts: 2, area_resolution: 9}
"""


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def call(
    n: int, address: str, minutes: float, lat: float = 39.9612, call_type: str = "DISTURB"
) -> Event:
    item = EVENT_IN_ADAPTER.validate_python(
        {
            "kind": "cad_incident",
            "id": f"call-{n}",
            "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
            "location": {"lat": lat, "lon": -82.9988},
            "payload": {
                "incident_id": f"CAD-{n}",
                "status": "created",
                "call_type": call_type,
                "address": address,
            },
        }
    )
    return event_from_wire(item, "cad", T0 + timedelta(minutes=minutes))


def engine_for(storage: Storage, folder: Path) -> tuple[IngestPipeline, PlaybookSet]:
    playbooks = PlaybookSet(folder, storage.geofences, reload_check_s=float("inf"))
    return IngestPipeline(storage, Bus(), RuleEngine(default_rules(storage), playbooks)), playbooks


def ingest(pipeline: IngestPipeline, *events: Event) -> list[Any]:
    alerts = []
    for event in events:
        wire = event.to_wire(hops=False)
        item = {k: wire[k] for k in ("kind", "occurred_at", "location", "payload")}
        item["id"] = event.source_ref
        alerts.extend(pipeline.process("cad", [item]).alerts)
    return alerts


# --- loading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (CALLS.replace("severity: info", "severity: urgent"), 11, "actions.alert.severity"),
        (CALLS.replace("event: cad_incident", "event: fax"), 3, "trigger.event"),
        (
            CALLS.replace("{field: payload.call_type, in:", "{field: x, gte: 1, in:"),
            5,
            "exactly one",
        ),
        (CALLS.replace("window: 24h", "window: a day"), 7, "duration like"),
        (CALLS.replace("{{ payload.address }}", "{{ payload.address"), 12, "template error"),
        (CALLS.replace("name: calls_here", "name: gunshot_nearby"), 1, "cannot shadow"),
        (CALLS + "surprise: 1\n", 17, "surprise: Extra inputs are not permitted"),
        ("name: [unclosed\n", 2, "not valid YAML"),
        ("- just\n- a list\n", 1, "must be a YAML mapping"),
    ],
)
def test_a_broken_playbook_is_refused_with_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(PlaybookError) as refused:
        load_file(path)
    assert refused.value.error.path == path
    assert refused.value.error.line == line, str(refused.value)
    assert reason in refused.value.error.reason
    assert str(refused.value).startswith(f"{path}:{line}: ")


def test_two_files_with_one_name_refuse_the_second(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CALLS)
    write(tmp_path, "b.yaml", "# the same playbook, copied\n" + CALLS)
    loaded, errors = load_folder(tmp_path)
    assert [p.name for p, _ in loaded] == ["a.yaml"]
    [error] = errors
    assert (error.path.name, error.line, "already used" in error.reason) == ("b.yaml", 2, True)


def test_a_broken_edit_keeps_the_running_version(tmp_path: Path, storage: Storage) -> None:
    folder = tmp_path / "books"
    path = write(folder, "calls.yaml", CALLS)
    playbooks = PlaybookSet(folder, storage.geofences, reload_check_s=0.0)
    assert [r.name for r in playbooks.rules] == ["calls_here"] and playbooks.errors == []
    path.write_text(CALLS.replace("severity: info", "severity: loud"))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    playbooks.maybe_reload()
    assert [r.name for r in playbooks.rules] == ["calls_here"]  # the last good one runs on
    assert playbooks.rules[0].playbook.actions.alert.severity == "info"
    [error] = playbooks.errors
    assert (error.path, error.line) == (path, 11) and "severity" in error.reason
    # it still fires
    pipeline = IngestPipeline(storage, Bus(), RuleEngine([], playbooks))
    alerts = ingest(pipeline, call(1, "1 Elm St", 0), call(2, "1 Elm St", 5))
    assert [a.rule for a in alerts] == ["calls_here"]
    # a fixed edit is picked up; a new file too
    path.write_text(CALLS.replace("severity: info", "severity: critical"))
    write(folder, "other.yaml", CALLS.replace("name: calls_here", "name: other_calls"))
    playbooks.reload(force=True)
    assert sorted(r.name for r in playbooks.rules) == ["calls_here", "other_calls"]
    assert (
        playbooks.errors == [] and playbooks.rules[0].playbook.actions.alert.severity == "critical"
    )


def test_an_unchanged_playbook_keeps_its_counters_across_a_reload(
    tmp_path: Path, storage: Storage
) -> None:
    folder = tmp_path / "books"
    write(folder, "calls.yaml", CALLS)
    pipeline, playbooks = engine_for(storage, folder)
    ingest(pipeline, call(1, "1 Elm St", 0), call(2, "1 Elm St", 5), call(3, "1 Elm St", 6))
    before = playbooks.rules[0]
    write(folder, "other.yaml", CALLS.replace("name: calls_here", "name: other_calls"))
    playbooks.reload(force=True)
    same = next(r for r in playbooks.rules if r.name == "calls_here")
    assert same is before and same.fatigue.suppressed["duplicate"] == 1


# --- the starter playbooks, by their own tests -------------------------------------


@pytest.mark.parametrize("path", playbook_files(STARTER_DIR), ids=lambda p: p.stem)
def test_starter_playbook_passes_its_own_tests(path: Path) -> None:
    playbook = load_file(path)
    assert playbook.tests, f"{path.name} carries no tests"
    results = run_playbook(path, playbook)
    assert all(r.passed for r in results), "\n".join(str(r) for r in results if not r.passed)


def test_a_wrong_expectation_fails_the_playbook_test(tmp_path: Path) -> None:
    """The runner can fail: the same case with a wrong count or title is reported."""
    text = (STARTER_DIR / "repeated_calls.yaml").read_text()
    path = write(
        tmp_path,
        "repeated_calls.yaml",
        text.replace("alerts: 1, suppressed: 2", "alerts: 1, suppressed: 3"),
    )
    results = run_playbook(path, load_file(path))
    [failed] = [r for r in results if not r.passed]
    assert failed.message == "expected 3 suppressed, got 2"


# --- fatigue control ----------------------------------------------------------------


def test_dedupe_merges_a_group_and_the_next_alert_says_what_was_held(
    tmp_path: Path, storage: Storage
) -> None:
    write(tmp_path / "books", "calls.yaml", CALLS)
    pipeline, playbooks = engine_for(storage, tmp_path / "books")
    first = ingest(pipeline, call(1, "1 Elm St", 0), call(2, "1 ELM ST.", 10))
    assert [a.title for a in first] == ["2 calls at 1 ELM ST."]
    assert first[0].detail["notify"] == ["dispatch-slack"]
    assert first[0].detail["group"] == "1 ELM ST" and first[0].detail["suppressed_since_last"] == {}
    again = ingest(pipeline, call(3, "1 Elm St", 20), call(4, "1 Elm St", 30))
    assert again == []  # merged into the first alert: same group within the hour
    [status] = playbooks.status()["playbooks"]
    assert status["alerts"] == 1 and status["suppressed"]["duplicate"] == 2
    assert status["groups"][0] == {**status["groups"][0], "key": "1 ELM ST", "count": 3}
    # an hour after the alert, the ongoing situation alerts again, saying what was merged
    later = ingest(pipeline, call(5, "1 Elm St", 75))
    assert playbooks.status()["playbooks"][0]["alerts"] == 2
    assert [a.title for a in later] == ["5 calls at 1 Elm St"]
    assert later[0].detail["suppressed_since_last"] == {"duplicate": 2}


def test_throttle_per_area_then_per_playbook(tmp_path: Path, storage: Storage) -> None:
    """At most 2 per H3 cell and 3 in all per hour; each refusal counted by its reason."""
    write(tmp_path / "books", "calls.yaml", CALLS)
    pipeline, playbooks = engine_for(storage, tmp_path / "books")
    raised = []
    for i, address in enumerate(["1 A St", "2 B St", "3 C St"]):  # one cell: the third held
        raised += ingest(pipeline, call(10 * i, address, i), call(10 * i + 1, address, i + 0.5))
    far = 39.9612 + 0.05  # ~5.5 km north: another cell
    for i, address in enumerate(["4 D St", "5 E St"]):  # the playbook's 3rd, then held
        raised += ingest(
            pipeline,
            call(100 + 10 * i, address, 5 + i, lat=far),
            call(101 + 10 * i, address, 5.5 + i, lat=far),
        )
    assert [a.title.split(" at ")[1] for a in raised] == ["1 A St", "2 B St", "4 D St"]
    assert raised[2].detail["suppressed_since_last"] == {"area_throttled": 1}
    rule = playbooks.rules[0]
    assert rule.fatigue.suppressed == {"duplicate": 0, "throttled": 1, "area_throttled": 1}
    # an hour on, the window has moved: a new alert, telling what was held meanwhile
    [next_alert] = ingest(pipeline, call(200, "6 F St", 70), call(201, "6 F St", 71))
    assert next_alert.detail["suppressed_since_last"] == {"throttled": 1}


def test_a_playbook_that_fails_is_counted_and_others_run(tmp_path: Path, storage: Storage) -> None:
    broken = CALLS.replace("{{ payload.address }}", "{{ payload.no_such_field }}")
    write(tmp_path / "books", "a.yaml", broken)
    write(tmp_path / "books", "b.yaml", CALLS.replace("name: calls_here", "name: other_calls"))
    pipeline, playbooks = engine_for(storage, tmp_path / "books")
    alerts = ingest(pipeline, call(1, "1 Elm St", 0), call(2, "1 Elm St", 5))
    assert [a.rule for a in alerts] == ["other_calls"]
    assert playbooks.failures == {"calls_here": 1}


def test_field_tests_filter_the_trigger(tmp_path: Path, storage: Storage) -> None:
    write(tmp_path / "books", "calls.yaml", CALLS)
    pipeline, _ = engine_for(storage, tmp_path / "books")
    quiet = ingest(
        pipeline,
        call(1, "1 Elm St", 0, call_type="THEFT"),
        call(2, "1 Elm St", 5, call_type="THEFT"),
    )
    assert quiet == []


# --- the published schema -----------------------------------------------------------


def test_the_committed_schema_is_the_models() -> None:
    committed = (REPO / "docs" / "playbooks.schema.json").read_text()
    assert committed == schema_text(), "run: rtcc playbook schema > docs/playbooks.schema.json"
    schema = json.loads(committed)
    assert "in" in schema["$defs"]["FieldTest"]["properties"]


def test_the_starter_folder_is_the_default(storage: Storage) -> None:
    playbooks = PlaybookSet(None, storage.geofences)
    assert playbooks.folder == STARTER_DIR and playbooks.errors == []
    assert sorted(r.name for r in playbooks.rules) == [
        "caller_location_to_units",
        "gunshot_response",
        "hotlist_officers_nearby",
        "repeated_calls_at_address",
    ]


# --- real data: a day of Seattle 911 calls -------------------------------------------

SEATTLE_REPEATS = """\
name: seattle_repeats
trigger:
  event: cad_incident
correlate:
  same_address_calls: {window: 24h, min_count: 3}
actions:
  alert:
    title: "{{ same_address_calls_count }} calls at {{ payload.address }}"
  group_by: "{{ payload.address | address_key }}"
  dedupe_window: 24h
"""


def test_repeated_calls_on_a_real_day_of_seattle_cad(
    shared_data: Path, tmp_path: Path, storage: Storage
) -> None:
    """One alert per hundred-block with three or more calls that day; the rest merged."""
    seattle = ZoneInfo("America/Los_Angeles")
    path = shared_data / "cad" / "seattle_spd_911_incident_response_2016-03-25.csv"
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    items = []
    for row in rows:
        cleared = datetime.strptime(row["Event Clearance Date"], "%m/%d/%Y %I:%M:%S %p")
        items.append(
            {
                "kind": "cad_incident",
                "id": row["CAD Event Number"],
                "occurred_at": cleared.replace(tzinfo=seattle).isoformat(),
                "location": {"lat": float(row["Latitude"]), "lon": float(row["Longitude"])},
                "payload": {
                    "incident_id": row["CAD Event Number"],
                    "status": "closed",
                    "call_type": row["Event Clearance Code"] or "UNKNOWN",
                    "address": row["Hundred Block Location"],
                },
            }
        )
    items.sort(key=lambda i: (datetime.fromisoformat(i["occurred_at"]), i["id"]))
    write(tmp_path / "books", "seattle.yaml", SEATTLE_REPEATS)
    pipeline, playbooks = engine_for(storage, tmp_path / "books")
    alerts = [a for item in items for a in pipeline.process("cad", [item]).alerts]
    per_address = Counter(address_key(i["payload"]["address"]) for i in items)
    repeated = {a: n for a, n in per_address.items() if n >= 3}
    assert len(repeated) >= 10  # the day has them: the check below is not vacuous
    assert sorted(a.detail["group"] for a in alerts) == sorted(repeated)
    assert all(a.title.startswith("3 calls at ") for a in alerts)
    status = playbooks.status()["playbooks"][0]
    assert status["suppressed"]["duplicate"] == sum(n - 3 for n in repeated.values())
    busiest, calls = per_address.most_common(1)[0]
    assert status["groups"][0]["key"] == busiest and status["groups"][0]["count"] == calls - 2


def test_suggest_drone_names_the_dock_that_can_launch(tmp_path: Path, storage: Storage) -> None:
    from rtcc.analysis.dfr_config import DfrSettings
    from tests.api.test_dfr import DFR, EAST, NORTH, drone

    now = datetime.now(UTC).replace(microsecond=0)
    fresh = now.isoformat().replace("+00:00", "Z")
    playbooks = PlaybookSet(STARTER_DIR, storage.geofences, DfrSettings.model_validate(DFR))
    pipeline = IngestPipeline(storage, Bus(), RuleEngine(default_rules(storage), playbooks))
    for item in (drone("uav-n", *NORTH, battery=90.0), drone("uav-e", *EAST, battery=90.0)):
        assert pipeline.process("dfr", [{**item, "occurred_at": fresh}]).stored
    shot = {**gunshot(), "occurred_at": fresh}
    [alert] = pipeline.process("sensors", [shot]).alerts
    suggested = alert.detail["playbooks"]["gunshot_response"]["drone"]
    assert suggested["recommended_dock_id"] == "north", suggested  # 1.5 km beats 2.5 km
    assert suggested["summary"].startswith("launch North")
