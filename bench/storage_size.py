"""Bytes on disk per stored event, per kind and backend: what sizing a city starts from.

For each kind (and the realistic mix of bench/common.py), N events go through the
store's own `append` in batches of 500 — indexes, spatial index, live entity state and
plate index included — into a fresh SQLite file and a fresh PostgreSQL + PostGIS
database. SQLite: file size after a WAL checkpoint. PostgreSQL: database size after
VACUUM, minus the size of the same database migrated but empty (PostGIS's own tables).

    .venv/bin/python bench/storage_size.py [--record] [--events 30000]
"""

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from common import build_event, load_average, markdown_table, mixed_events, record_section
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire  # noqa: E402
from rtcc.storage.postgres import PostgresStorage  # noqa: E402
from rtcc.storage.sqlite import SqliteStorage  # noqa: E402
from tests import pg  # noqa: E402

KINDS = ("lpr_read", "unit_position", "camera_status", "cad_incident")
BATCH = 500


def _events(kind: str, n: int) -> list[Event]:
    import random

    rng = random.Random(11)
    wires = mixed_events(n, "mix") if kind == "mix" else [
        build_event(kind, i, "size", rng) for i in range(n)
    ]  # fmt: skip
    now = datetime.now(UTC)
    return [event_from_wire(EVENT_IN_ADAPTER.validate_python(w), "bench", now) for w in wires]


def sqlite_bytes(events: list[Event], folder: Path) -> float:
    path = folder / f"size-{len(os.listdir(folder))}.db"
    storage = SqliteStorage(path, "NORMAL")
    empty = path.stat().st_size
    for i in range(0, len(events), BATCH):
        storage.events.append(events[i : i + BATCH])
    storage.db.checkpoint()
    storage.close()
    return (path.stat().st_size - empty) / len(events)


def postgres_bytes(events: list[Event], template: str) -> float:
    with pg.database(template) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            empty = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        storage = PostgresStorage(url, pool_size=2)
        for i in range(0, len(events), BATCH):
            storage.events.append(events[i : i + BATCH])
        storage.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            full = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    assert empty is not None and full is not None
    return (int(full[0]) - int(empty[0])) / len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    load_before = load_average()
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="rtcc-size-"))
    with pg.template() as template:
        for kind in (*KINDS, "mix"):
            events = _events(kind, args.events)
            lite = sqlite_bytes(events, folder)
            post = postgres_bytes(_events(kind, args.events), template)
            label = "mix (bench/common.py KIND_MIX)" if kind == "mix" else kind
            rows.append([label, f"{args.events:,}", f"{lite:,.0f}", f"{post:,.0f}"])
    headers = ["kind", "events", "SQLite bytes/event", "PostgreSQL bytes/event"]
    table = markdown_table(headers, rows)
    Console().print(table)
    if args.record:
        note = (
            f"{args.events:,} events per row through each store's `append` (batches of "
            f"{BATCH}); sizes include every index, the live entity state and the plate index."
        )
        record_section("storage_size", f"{table}\n\n{note}", folder, load_before)


if __name__ == "__main__":
    main()
