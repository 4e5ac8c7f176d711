"""Duplicated and out-of-order events (some late by minutes) give the same live state
as the same events delivered once, in order, on either backend."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rtcc.core.bus import Bus
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.live_state import snapshot
from rtcc.pipeline.rules import RuleEngine
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage
from tests.conftest import camera

START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def _history() -> list[dict[str, Any]]:
    """Ten units, three incidents and two cameras, each changing over 30 minutes."""
    rng = random.Random(7)
    items: list[dict[str, Any]] = []
    for minute in range(30):
        at = (START + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")
        for u in range(10):
            items.append(
                {
                    "kind": "unit_position",
                    "id": f"U{u}-{minute}",
                    "occurred_at": at,
                    "location": {"lat": 39.96 + rng.uniform(-0.02, 0.02), "lon": -83.0},
                    "payload": {"unit_id": f"U{u}", "status": rng.choice(["available", "busy"])},
                }
            )
        if minute % 5 == 0:
            for n in range(3):
                items.append(
                    {
                        "kind": "cad_incident",
                        "id": f"I{n}-{minute}",
                        "occurred_at": at,
                        "location": {"lat": 39.95 + n * 0.01, "lon": -83.01},
                        "payload": {
                            "incident_id": f"I{n}",
                            "call_type": "disturbance",
                            "priority": 1 + minute % 3,
                            "status": "closed" if n == 0 and minute >= 25 else "dispatched",
                        },
                    }
                )
            for c in range(2):
                status = {**camera(f"C{c}", 39.961, -83.0 + c * 1e-3, float(minute * 10))}
                status["id"] = f"C{c}-{minute}"
                status["occurred_at"] = at
                items.append(status)
    return items


def _live(storage: Storage, items: list[dict[str, Any]], batches: list[list[int]]) -> Any:
    pipeline = IngestPipeline(storage, Bus(), RuleEngine([]))
    for batch in batches:
        result = pipeline.process("feed", [items[i] for i in batch])
        assert not result.errors, result.errors[0]
    state = snapshot(storage.events)
    live = {
        kind: sorted((e["source_ref"], e["occurred_at"]) for e in state[kind])
        for kind in ("units", "cameras", "incidents")
    }
    live["all"] = sorted((s.key, s.event["source_ref"]) for s in storage.events.entities())
    return live


def test_shuffled_duplicated_and_late_events_give_the_ordered_live_state(
    backend: Storage, tmp_path: Path
) -> None:
    items = _history()
    in_order = [list(range(i, min(i + 50, len(items)))) for i in range(0, len(items), 50)]
    reference = SqliteStorage(tmp_path / "ordered.db", "NORMAL")
    expected = _live(reference, items, in_order)
    reference.close()

    rng = random.Random(11)
    order = list(range(len(items)))
    rng.shuffle(order)
    late = [i for i in range(len(items)) if i % 7 == 0]  # ~15 % arrive minutes late, at the end
    on_time = [i for i in order if i not in set(late)]
    resent = rng.sample(range(len(items)), len(items) // 4)  # a quarter sent twice
    sequence = on_time + resent + late
    messy = [sequence[i : i + 37] for i in range(0, len(sequence), 37)]
    assert _live(backend, items, messy) == expected
    assert backend.events.count_events() == len(items)
    assert len(expected["units"]) == 10 and len(expected["cameras"]) == 2
    assert len(expected["incidents"]) == 2 and len(expected["all"]) == 15  # I0 closed
