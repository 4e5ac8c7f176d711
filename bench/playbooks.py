"""What playbooks cost on the ingest path: events/s with the built-in rules alone, with the
starter playbooks, and with 25 more playbooks (on CAD incidents and gunshots, each with a
units lookup); and fatigue control decisions per second.

In-process (`IngestPipeline.process`, no HTTP), on a temporary SQLite store, the realistic
feed mix of bench/common.py in batches of 200. Target: the starter playbooks cost at most
25 % of ingest throughput; a fatigue decision well under 10 µs.
"""

import argparse
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from common import (
    BASE_TIME,
    load_average,
    markdown_table,
    mixed_events,
    print_table,
    record_section,
)
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rtcc.core.bus import Bus  # noqa: E402
from rtcc.pipeline.ingest import IngestPipeline  # noqa: E402
from rtcc.pipeline.playbooks.engine import PlaybookSet  # noqa: E402
from rtcc.pipeline.playbooks.fatigue import FatigueControl  # noqa: E402
from rtcc.pipeline.playbooks.loader import STARTER_DIR  # noqa: E402
from rtcc.pipeline.playbooks.model import Actions  # noqa: E402
from rtcc.pipeline.rules import RuleEngine, default_rules  # noqa: E402
from rtcc.storage.sqlite import SqliteStorage  # noqa: E402

HEADERS = ["configuration", "playbooks", "events", "events/s", "µs/event", "vs built-ins"]
EXTRA = """\
name: extra_{i}
trigger:
  event: {kind}
  where: [{{field: location.accuracy_m, lte: 50}}]
correlate:
  units: {{radius_m: 800}}
condition: units_count >= 100
actions:
  alert: {{severity: info, title: "{{{{ units_count }}}} units"}}
"""


def _folder(root: Path, name: str, extra: int) -> Path | None:
    if extra < 0:
        return None
    folder = root / name
    shutil.copytree(STARTER_DIR, folder)
    for i in range(extra):
        kind = ("cad_incident", "gunshot")[i % 2]
        (folder / f"extra_{i}.yaml").write_text(EXTRA.format(i=i, kind=kind))
    return folder


def measure(root: Path, name: str, extra: int, events: list[dict[str, Any]]) -> dict[str, Any]:
    storage = SqliteStorage(root / f"{name}.db", "NORMAL")
    folder = _folder(root, name, extra)
    playbooks = None if folder is None else PlaybookSet(folder, storage.geofences)
    engine = RuleEngine(default_rules(storage), playbooks)
    pipeline = IngestPipeline(storage, Bus(), engine)
    start = time.perf_counter()
    for i in range(0, len(events), 200):
        pipeline.process("bench", events[i : i + 200])
    elapsed = time.perf_counter() - start
    storage.close()
    return {
        "name": name,
        "playbooks": 0 if playbooks is None else len(playbooks.rules),
        "events": len(events),
        "rate": len(events) / elapsed,
    }


def fatigue_rate(n: int) -> float:
    actions = Actions.model_validate(
        {
            "alert": {"title": "x"},
            "group_by": "{{ x }}",
            "dedupe_window": "10m",
            "throttle": {"per": "10m", "max_alerts": 50, "area_max_alerts": 5},
        }
    )
    control = FatigueControl(actions)
    start = time.perf_counter()
    for i in range(n):
        at = BASE_TIME + timedelta(seconds=i)
        group = f"g{i % 500}"
        admission = control.admit(group, 39.96 + (i % 97) * 1e-3, -82.99, at)
        if admission.admitted:
            control.record(admission, group, str(i), at)
    return n / (time.perf_counter() - start)


def table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    base = results[0]["rate"]
    return [
        [
            r["name"],
            str(r["playbooks"]),
            f"{r['events']:,}",
            f"{r['rate']:,.0f}",
            f"{1e6 / r['rate']:,.0f}",
            f"{r['rate'] / base:.0%}",
        ]
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--events", type=int, default=6000, help="events per configuration")
    parser.add_argument("--rounds", type=int, default=3, help="runs per configuration (median)")
    args = parser.parse_args()
    console = Console(width=max(110, Console().width))
    load_before = load_average()
    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-playbooks-"))
    try:
        measure(root, "warm-up", 25, mixed_events(1000, "warm"))  # imports, caches, first db
        configs = (("built-ins", -1), ("+ starter", 0), ("+ starter + 25 more", 25))
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in configs}
        for round_no in range(args.rounds):  # interleaved, so a busy spell hits all alike
            for i, (name, extra) in enumerate(configs):
                events = mixed_events(args.events, f"pb{round_no}-{i}")
                runs[name].append(measure(root, f"r{round_no}-{i}", extra, events))
        results = []
        for name, _ in configs:
            best = sorted(runs[name], key=lambda r: r["rate"])[len(runs[name]) // 2]  # median
            results.append({**best, "name": name})
    finally:
        shutil.rmtree(root, ignore_errors=True)
    decisions = fatigue_rate(200_000)
    print_table(
        console,
        "Ingest with playbooks (in-process, batches of 200; higher is better)",
        HEADERS,
        table_rows(results),
    )
    console.print(f"fatigue control: {decisions:,.0f} decisions/s ({1e6 / decisions:.1f} µs each)")
    if args.record:
        body = markdown_table(HEADERS, table_rows(results)) + (
            f"\n\nFatigue control (dedupe + throttle + H3 area throttle): {decisions:,.0f} "
            f"decisions/s ({1e6 / decisions:.1f} µs each). One process, one core; "
            f"median of {args.rounds} interleaved runs per configuration."
        )
        record_section("playbooks", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
