"""API → JetStream → worker → storage → live relay, in one process against a real nats-server."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from rtcc.analysis.camera_live import LiveCameras
from rtcc.core.bus import Bus, BusMessage
from rtcc.distributed.queued_ingest import QueuedIngest
from rtcc.distributed.worker import Worker, partitions_of
from rtcc.pipeline.ingest import IngestUnavailable
from rtcc.settings import Settings
from rtcc.storage.base import Storage
from tests.conftest import camera, gunshot, unit
from tests.distributed.processes import NatsServer


async def until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def _settings(tmp_path: Path, nats: NatsServer) -> Settings:
    return Settings(data_dir=tmp_path, bus_url=nats.url, bus_partitions=4)


async def test_queued_batch_is_stored_judged_and_relayed(
    tmp_path: Path, nats_server: NatsServer, backend: Storage
) -> None:
    settings = _settings(tmp_path, nats_server)
    api_bus = Bus()
    wall = api_bus.subscribe("wall")
    queued = QueuedIngest(backend.events, LiveCameras(), settings.bus_partitions)
    worker = Worker(settings, backend)
    ready = asyncio.Event()
    async with asyncio.TaskGroup() as tasks:
        api = tasks.create_task(queued.run(settings.bus_url, api_bus, settings.bus_max_bytes))
        work = tasks.create_task(worker.run(ready))
        await ready.wait()
        await until(lambda: queued._js is not None)
        items = [
            camera("CAM-1", 39.9615, -82.9990, 180.0),
            unit("U1", 39.9620, -82.9980),
            gunshot(),
        ]
        result = await queued.ingest("feed", items)
        assert result.queued and len(result.stored) == 3 and not result.errors
        await until(lambda: backend.events.count_events() == 3)
        await until(lambda: len(backend.events.recent_alerts(10)) >= 1)
        # The same batch re-sent: JetStream's duplicate window drops it.
        again = await queued.ingest("feed", items)
        assert len(again.duplicates) == 3 and not again.stored
        seen: list[str] = []

        def relayed() -> bool:
            while (message := wall.get_nowait()) is not None:
                if isinstance(message, BusMessage):
                    seen.append(message.type)
            return "alert" in seen and seen.count("event") >= 3

        await until(relayed)
        # The relay kept the API's camera index current for the camera routes.
        assert queued.cameras.within(39.9612, -82.9988, 500)
        api.cancel()
        work.cancel()
    assert backend.events.count_events() == 3
    assert worker.stats.stored == 3 and worker.stats.refused == 0


async def test_queue_unreachable_answers_unavailable(tmp_path: Path, backend: Storage) -> None:
    queued = QueuedIngest(backend.events, LiveCameras(), 4)
    with pytest.raises(IngestUnavailable, match="not connected"):
        await queued.ingest("feed", [gunshot()])


def test_partitions_are_shared_without_overlap() -> None:
    owned = [partitions_of(i, 3, 8) for i in range(3)]
    assert sorted(p for part in owned for p in part) == list(range(8))
    with pytest.raises(ValueError, match=r"0\.\.2"):
        partitions_of(3, 3, 8)
