"""kill -9 the API and the workers in the middle of ingesting, restart them: every
acknowledged event is stored exactly once and every shot still gets its one alert.

Real processes (`rtcc serve`, two `rtcc worker`), a private nats-server, loopback only.
The load generator behaves like a real source: it re-sends a batch until it gets a 2xx.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.distributed.cluster import Cluster, cluster
from tests.distributed.load import BATCHES, EXPECTED_EVENTS, SHOT_EVERY, Source, wait_until
from tests.distributed.processes import NatsServer


@pytest.fixture
def two_workers(tmp_path: Path, nats_server: NatsServer, pg_url: str) -> Iterator[Cluster]:
    with cluster(tmp_path, pg_url, nats_server.url, workers=2) as running:
        yield running


def test_kill_9_api_and_workers_mid_ingest(two_workers: Cluster) -> None:
    api, workers, storage = two_workers.api, two_workers.workers, two_workers.storage
    source = Source(two_workers.events_url, two_workers.key)
    source.start()
    logs = two_workers.processes
    wait_until(lambda: source.acked >= BATCHES // 3, 60, "a third of the batches", logs)
    api.kill()  # SIGKILL: no shutdown code runs
    workers[0].kill()
    time.sleep(0.3)
    api.start()
    workers[0].start()
    wait_until(lambda: source.acked >= 2 * BATCHES // 3, 90, "two thirds of the batches", logs)
    workers[1].kill()
    time.sleep(0.3)
    workers[1].start()
    source.join(timeout=180)
    assert source.error is None, source.error
    assert source.acked == BATCHES
    shots = len(range(0, BATCHES, SHOT_EVERY))
    expected = EXPECTED_EVENTS
    wait_until(lambda: storage.events.count_events() == expected, 90, f"{expected} events", logs)
    time.sleep(1.0)  # anything still in flight would show up as a surplus now
    assert storage.events.count_events() == expected  # 0 lost, 0 stored twice
    alerts = [a for a in storage.events.recent_alerts(1000) if a["rule"] == "gunshot_nearby"]
    assert len(alerts) == shots and len({a["event_id"] for a in alerts}) == shots
    assert 202 in source.statuses
