"""A flood while storage is slow: past `ingest_max_inflight` batches, ingest answers 503
with Retry-After before reading the body, so memory stays under a ceiling set by that
limit, and every batch it did accept is stored."""

import asyncio
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from rtcc.app import create_app
from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from tests.conftest import unit

LIMIT = 8
PER_BATCH = 1000
FLOOD = 120  # concurrent batches, 15 times the limit
# What one admitted 1,000-event batch may hold while it waits (body, parsed items, events),
# generously; the ceiling the flood must stay under is LIMIT of them plus a fixed margin.
BATCH_BUDGET = 6 * 1024 * 1024
CEILING = LIMIT * BATCH_BUDGET + 16 * 1024 * 1024


def _body(n: int) -> bytes:
    items: list[dict[str, Any]] = [
        {**unit(f"F{i % 40}", 39.96, -83.0), "id": f"flood-{n}-{i}"} for i in range(PER_BATCH)
    ]
    return orjson.dumps({"events": items})


async def test_flood_on_slow_storage_is_refused_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(
        Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", ingest_max_inflight=LIMIT)
    )
    storage = app.state.services.storage
    key = create_source_key(storage.accounts, "flood")
    append = storage.events.append
    most = 0

    def slow_append(events: Any) -> Any:  # storage that takes 300 ms per batch
        nonlocal most
        most = max(most, app.state.services.ingest_gate.inflight)
        time.sleep(0.3)
        return append(events)

    monkeypatch.setattr(storage.events, "append", slow_append)
    bodies = [_body(n) for n in range(FLOOD)]  # built before measuring: they are the client's
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    async with httpx.AsyncClient(transport=transport, base_url="http://rtcc") as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/events", content=body, headers=headers) for body in bodies)
        )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    refused = [r for r in responses if r.status_code == 503]
    accepted = [r for r in responses if r.status_code == 200]
    assert len(refused) + len(accepted) == FLOOD
    assert len(refused) >= FLOOD - 2 * LIMIT and most <= LIMIT
    assert all(r.headers["Retry-After"] == "1" for r in refused)
    assert refused[0].json()["error"]["field"] == "events"
    assert storage.events.count_events() == len(accepted) * PER_BATCH  # none half-stored
    assert peak - base < CEILING, f"peak {(peak - base) / 2**20:.0f} MiB"
    assert app.state.services.ingest_gate.refused == len(refused)
