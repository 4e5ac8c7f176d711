"""An OpenRTCC deployment of real processes: one `rtcc serve`, N `rtcc worker`."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rtcc.governance.bootstrap import create_source_key
from rtcc.settings import Settings
from rtcc.storage.base import Storage
from rtcc.storage.open import open_storage
from tests.distributed.processes import Process, free_port, rtcc, wait_for_port


@dataclass
class Cluster:
    api: Process
    workers: list[Process]
    port: int
    key: str  # a machine source's API key
    storage: Storage  # the test's own view of the same database

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1/events"

    @property
    def processes(self) -> list[Process]:
        return [self.api, *self.workers]


@contextmanager
def cluster(folder: Path, database_url: str, bus_url: str, workers: int) -> Iterator[Cluster]:
    port = free_port()
    env = {
        "RTCC_DATA_DIR": str(folder / "var"),
        "RTCC_DATABASE_URL": database_url,
        "RTCC_BUS_URL": bus_url,
        "RTCC_BUS_PARTITIONS": "4",
        "RTCC_PORT": str(port),
        "RTCC_MFA_REQUIRED": "false",
    }
    storage = open_storage(Settings(data_dir=folder / "var", database_url=database_url))
    key = create_source_key(storage.accounts, "loadgen")
    of = str(workers)
    running = Cluster(
        rtcc("api", ["serve"], folder, env).start(),
        [
            rtcc(f"worker{i}", ["worker", "--index", str(i), "--of", of], folder, env).start()
            for i in range(workers)
        ],
        port,
        key,
        storage,
    )
    try:
        wait_for_port(port, 30, "rtcc serve")
        yield running
    finally:
        for process in running.processes:
            process.stop()
        storage.close()
