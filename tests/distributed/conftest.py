"""A private nats-server with JetStream per test (skipped, so failed in CI, without one)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.distributed.processes import NATS_BINARY, NatsServer


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    if not Path(NATS_BINARY).exists():
        pytest.skip("nats-server is not installed (apt-get install nats-server)")
    server = NatsServer(tmp_path / "nats").start()
    try:
        yield server
    finally:
        server.stop()
