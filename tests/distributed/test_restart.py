"""Restart NATS and PostgreSQL (kill -9, then start) while a source is ingesting: the API
answers 503 meanwhile, the worker backs off, and once both are back the backlog drains
with every acknowledged event stored once.

Both servers are the test's own (a private nats-server and a private PostgreSQL), so
killing them touches nothing else on the machine.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.distributed.cluster import Cluster, cluster
from tests.distributed.load import BATCHES, EXPECTED_EVENTS, Source, wait_until
from tests.distributed.processes import NatsServer, PrivatePostgres


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    try:
        server = PrivatePostgres().start()
    except (FileNotFoundError, OSError) as exc:
        pytest.skip(f"a private PostgreSQL cannot be started here: {exc}")
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE rtcc")
        yield server
    finally:
        server.remove()


@pytest.fixture
def one_worker(
    tmp_path: Path, nats_server: NatsServer, private_postgres: PrivatePostgres
) -> Iterator[Cluster]:
    with cluster(tmp_path, private_postgres.url("rtcc"), nats_server.url, workers=1) as running:
        yield running


def test_nats_and_postgres_restart_during_ingest(
    one_worker: Cluster, nats_server: NatsServer, private_postgres: PrivatePostgres
) -> None:
    source = Source(one_worker.events_url, one_worker.key)
    source.start()
    logs = [*one_worker.processes, nats_server, private_postgres]
    wait_until(lambda: source.acked >= BATCHES // 3, 60, "a third of the batches", logs)
    nats_server.kill()
    time.sleep(1.0)
    nats_server.start()
    wait_until(lambda: source.acked >= 2 * BATCHES // 3, 90, "two thirds of the batches", logs)
    private_postgres.kill()
    time.sleep(1.0)
    private_postgres.start()
    source.join(timeout=180)
    assert source.error is None, source.error
    assert source.acked == BATCHES

    def count() -> int:
        try:
            return one_worker.storage.events.count_events()
        except psycopg.Error:
            return -1  # the test's own pool reconnecting

    wait_until(lambda: count() == EXPECTED_EVENTS, 90, f"{EXPECTED_EVENTS} events", logs)
    time.sleep(1.0)
    assert count() == EXPECTED_EVENTS
    assert source.retries > 0, source.statuses  # the outages were felt, and ridden out
    assert set(source.statuses) <= {202, 503}, source.statuses  # refused politely, never 500
