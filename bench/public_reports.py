"""Cost of the public reports as the audit trail grows, on the real Chicago areas.

The transparency report counts searches by reading the audit trail (the newest rows up
to `AUDIT_SCAN`), so its cost grows with the trail; the fairness figures are a
point-in-polygon pass over sensors and alerts (shapely STRtree). Audit rows are written
through the real hash-chained store; cameras are the 296 Chicago red-light camera sites
and alerts are spread over the city's bounding box.
"""

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from common import REPO, load_average, markdown_table, record_section
from rich.console import Console
from rich.table import Table

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.core.events import Event, EventKind
from rtcc.core.geo import Location
from rtcc.core.payloads import CameraStatus
from rtcc.governance.fairness import ProposedCamera, compute_fairness, observe, what_if
from rtcc.governance.fairness_areas import AreaSet, FairnessSettings, load_areas
from rtcc.governance.transparency import transparency_report
from rtcc.storage.base import AuditRecord
from rtcc.storage.sqlite import SqliteStorage

DATA = REPO.parent / "shared" / "data"
AREAS = DATA / "boundaries" / "chicago_community_areas_acs2014.geojson"
CAMERAS = DATA / "cameras" / "chicago_red_light_camera_violations_by_camera_2014_2020.geojson"
PURPOSES = ["criminal_investigation", "crime_in_progress", "stolen_vehicle", "missing_person"]
HEADERS = ("Audit rows", "Alerts", "Transparency JSON (ms)", "Fairness (ms)", "What-if 50 (ms)")
REPEAT = 5


def fill(storage: SqliteStorage, rows: int, alerts: int, rng: random.Random) -> None:
    now = utcnow()
    for i in range(rows):
        purpose = rng.choice(PURPOSES)
        storage.audit.append(
            AuditRecord(
                at=now - timedelta(minutes=rows - i),
                actor=f"user{rng.randrange(40)}",
                actor_kind="user",
                role="analyst",
                action="lpr.search" if rng.random() < 0.7 else "wall.view",
                resource="GET /api/v1/lpr/search?pattern=ABC*",
                outcome="allow" if rng.random() < 0.95 else "deny",
                reason="bench",
                purpose=purpose,
                case_number="2026-000001",
            )
        )
    features = json.loads(CAMERAS.read_text())["features"]

    cams = [
        Event(
            id=f"cam{i}",
            kind=EventKind.CAMERA_STATUS,
            source="bench",
            occurred_at=now,
            received_at=now,
            payload=CameraStatus(camera_id=f"rlc{i}"),
            dedup_key=f"rlc{i}",
            location=Location(
                lat=f["geometry"]["coordinates"][1], lon=f["geometry"]["coordinates"][0]
            ),
        )
        for i, f in enumerate(features)
    ]
    storage.events.append(cams)
    storage.events.add_alerts(
        [
            Alert(
                f"a{i}",
                "gunshot_nearby",
                now - timedelta(minutes=i),
                "critical",
                "Shots",
                f"e{i}",
                Location(lat=rng.uniform(41.65, 42.02), lon=rng.uniform(-87.85, -87.53)),
                {},
            )
            for i in range(alerts)
        ]
    )


def measure(
    storage: SqliteStorage, areas: AreaSet, proposed: list[ProposedCamera]
) -> tuple[float, float, float]:
    """Median ms of: the whole transparency report, the fairness figures, a what-if."""
    now = utcnow()
    report_ms = median_ms(lambda: transparency_report(storage, now, PURPOSES, areas=areas))

    def fairness() -> object:
        seen = observe(storage.events, None, now)
        return compute_fairness(areas, seen.sensors, seen.alerts)

    seen = observe(storage.events, None, now)
    what_ms = median_ms(lambda: what_if(areas, seen.sensors, seen.alerts, proposed))
    return report_ms, median_ms(fairness), what_ms


def median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="audit rows per run")
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--record", action="store_true", help="write docs/PERFORMANCE.md")
    args = parser.parse_args()
    load_before = load_average()
    settings = FairnessSettings(
        areas_path=AREAS,
        name_field="community",
        population_field="Pop2014",
        groups={"Black": "Blk14", "White": "Wht14", "Hispanic": "Hisp14", "Asian": "AS14"},
    )
    areas = load_areas(settings)
    assert areas is not None
    rng = random.Random(7)
    proposed = [
        ProposedCamera(lat=rng.uniform(41.7, 41.95), lon=rng.uniform(-87.75, -87.6))
        for _ in range(50)
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            storage = SqliteStorage(Path(tmp) / f"bench-{n}.db", "NORMAL")
            fill(storage, n, args.alerts, rng)
            report_ms, fair_ms, what_ms = measure(storage, areas, proposed)
            rows.append(
                [
                    f"{n:,}",
                    f"{args.alerts:,}",
                    f"{report_ms:,.0f}",
                    f"{fair_ms:,.0f}",
                    f"{what_ms:,.0f}",
                ]
            )
            storage.close()
    table = Table(*HEADERS)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    if args.record:
        note = (
            f"Median of {REPEAT} runs, one process. Transparency includes the whole report "
            "(audit scan, sensors by neighbourhood, alerts, checkpoint); fairness reads the "
            "sensors and alerts from the store and counts them per area; what-if computes "
            "before and after with 50 proposed cameras."
        )
        record_section(
            "public_reports", markdown_table(HEADERS, rows) + "\n\n" + note, Path(tmp), load_before
        )


if __name__ == "__main__":
    main()
