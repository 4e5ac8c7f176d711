"""Durable ingest into SQLite (persisted before ack): pipeline vs HTTP vs bare executemany.

For each synchronous mode and batch size, on a fresh database every time:
  pipeline  IngestPipeline.process(source, items) as the app wires it (validation,
            dedup, events + R*Tree, live entity state, rules)
  http      POST /api/v1/events to a real uvicorn process on 127.0.0.1 with an API key,
            one keep-alive connection, bodies encoded before the clock starts
  baseline  executemany of pre-built row tuples into the same schema (triggers included),
            one transaction per batch
Each figure is the median of --repeats runs.

    .venv/bin/python bench/ingest_sqlite.py [--record] [--repeats 3] [--scale 1.0]
"""

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from common import (
    Wire,
    busy_warning,
    load_average,
    markdown_table,
    mixed_events,
    prepare_data_dir,
    print_table,
    record_section,
    running_server,
)
from rich.console import Console

from rtcc.app import build_services
from rtcc.core.clock import iso, utcnow
from rtcc.settings import Settings
from rtcc.storage.sqlite.database import Database, Synchronous

SOURCE = "bench"
TARGET_EVENTS_PER_S = 20_000
EVENTS_PER_BATCH_SIZE = {1: 1_000, 100: 10_000, 1_000: 30_000}
MODES: tuple[Synchronous, ...] = ("FULL", "NORMAL")
INSERT = (
    "INSERT INTO events (id, dedup_key, kind, source, source_ref, occurred_at, received_at, "
    "lat, lon, accuracy_m, entity_key, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
ENTITY_FIELD = {
    "unit_position": ("unit", "unit_id"),
    "camera_status": ("camera", "camera_id"),
    "cad_incident": ("incident", "incident_id"),
}


def chunks(items: Sequence[Wire], size: int) -> list[list[Wire]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def pipeline_rate(items: list[Wire], warm: list[Wire], batch: int, mode: Synchronous) -> float:
    batches = chunks(items, batch)
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        svc = build_services(Settings(data_dir=Path(tmp), sqlite_synchronous=mode))
        try:
            svc.pipeline.process(SOURCE, warm)
            start = time.perf_counter()
            for chunk in batches:
                result = svc.pipeline.process(SOURCE, chunk)
                if result.errors or len(result.stored) != len(chunk):
                    raise RuntimeError(f"pipeline refused events: {result.to_wire()}")
            elapsed = time.perf_counter() - start
        finally:
            svc.storage.close()
    return len(items) / elapsed


def http_rate(items: list[Wire], warm: list[Wire], batch: int, mode: Synchronous) -> float:
    bodies = [json.dumps({"events": chunk}).encode() for chunk in chunks(items, batch)]
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        key = prepare_data_dir(Path(tmp))
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        with (
            running_server(Path(tmp), mode) as srv,
            httpx.Client(base_url=srv.url, headers=headers) as client,
        ):
            client.post("/api/v1/events", json={"events": warm}, timeout=60).raise_for_status()
            start = time.perf_counter()
            for body in bodies:
                response = client.post("/api/v1/events", content=body, timeout=60)
                if response.status_code != 200:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
            elapsed = time.perf_counter() - start
    return len(items) / elapsed


def _row(item: Wire, received: str) -> tuple[object, ...]:
    kind, loc, payload = item["kind"], item["location"], item["payload"]
    entity = ENTITY_FIELD.get(kind)
    occurred = iso(datetime.fromisoformat(item["occurred_at"]))
    return (
        uuid.uuid4().hex,
        f"{SOURCE}/{kind}/{item['id']}",
        kind,
        SOURCE,
        item["id"],
        occurred,
        received,
        loc["lat"],
        loc["lon"],
        loc["accuracy_m"],
        f"{entity[0]}:{payload[entity[1]]}" if entity else None,
        json.dumps(payload),
    )


def baseline_rate(items: list[Wire], warm: list[Wire], batch: int, mode: Synchronous) -> float:
    received = iso(utcnow())
    batches = [[_row(item, received) for item in chunk] for chunk in chunks(items, batch)]
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        db = Database(Path(tmp) / "baseline.db", mode)
        try:
            with db.transaction() as conn:
                conn.executemany(INSERT, [_row(item, received) for item in warm])
            start = time.perf_counter()
            for rows in batches:
                with db.transaction() as conn:
                    conn.executemany(INSERT, rows)
            elapsed = time.perf_counter() - start
        finally:
            db.close()
    return len(items) / elapsed


Measure = Callable[[list[Wire], list[Wire], int, Synchronous], float]


def median_rate(measure: Measure, batch: int, mode: Synchronous, n: int, repeats: int) -> float:
    rates = []
    for run in range(repeats):
        items = mixed_events(n, f"r{run}", seed=run)
        warm = mixed_events(min(batch, 100), f"w{run}", seed=1000 + run)
        rates.append(measure(items, warm, batch, mode))
    return statistics.median(rates)


def run(repeats: int, scale: float, console: Console) -> list[dict[str, Any]]:
    results = []
    for mode in MODES:
        for batch, base_n in EVENTS_PER_BATCH_SIZE.items():
            n = max(batch, int(base_n * scale) // batch * batch)
            console.print(f"[dim]synchronous={mode} batch={batch}: {n} events x {repeats}…")
            row: dict[str, Any] = {"mode": mode, "batch": batch, "events": n}
            for name, measure in (
                ("pipeline", pipeline_rate),
                ("http", http_rate),
                ("baseline", baseline_rate),
            ):
                row[name] = median_rate(measure, batch, mode, n, repeats)
            results.append(row)
    return results


HEADERS = (
    "synchronous",
    "batch",
    "events",
    "pipeline ev/s",
    "HTTP ev/s",
    "baseline ev/s",
    "pipeline/base",
    "HTTP/base",
)


def table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            r["mode"],
            f"{r['batch']:,}",
            f"{r['events']:,}",
            f"{r['pipeline']:,.0f}",
            f"{r['http']:,.0f}",
            f"{r['baseline']:,.0f}",
            f"{r['pipeline'] / r['baseline']:.0%}",
            f"{r['http'] / r['baseline']:.0%}",
        ]
        for r in results
    ]


def verdict(results: list[dict[str, Any]]) -> str:
    row = next(r for r in results if r["mode"] == "FULL" and r["batch"] == 1_000)
    parts = [
        f"{name} {row[key]:,.0f} ev/s ({'met' if row[key] >= TARGET_EVENTS_PER_S else 'MISSED'})"
        for name, key in (("pipeline", "pipeline"), ("HTTP", "http"))
    ]
    return f"Target ≥ {TARGET_EVENTS_PER_S:,} events/s at batch 1,000, FULL: " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the event counts")
    args = parser.parse_args()
    console = Console(width=max(110, Console().width))
    load_before = load_average()
    if warning := busy_warning():
        console.print(f"[yellow]warning: {warning}")
    results = run(args.repeats, args.scale, console)
    print_table(
        console, "Durable ingest into SQLite (higher is better)", HEADERS, table_rows(results)
    )
    console.print(verdict(results))
    if args.record:
        body = markdown_table(HEADERS, table_rows(results)) + f"\n\n{verdict(results)}"
        body += f". Median of {args.repeats} runs per figure, each on a fresh database."
        record_section("ingest_sqlite", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
