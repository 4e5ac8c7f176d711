"""Pulled and subscribed feeds: HTTP polling, following a file, an MQTT subscription."""

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import aiomqtt
import httpx
import pytest

from rtcc.api.services import Services
from rtcc.app import build_services
from rtcc.settings import Settings
from rtcc.sources import registry
from rtcc.sources.config import SourceConfig
from rtcc.sources.mqtt import subscribe_mqtt
from rtcc.sources.pollers import follow_file, poll_http
from rtcc.sources.transports import QueuedFeed
from tests.sources.test_feeds import FAKE, fix


@pytest.fixture(autouse=True)
def fake_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "fake_jsonl", FAKE)


def _services(tmp_path: Path, config: SourceConfig) -> Services:
    settings = Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL", sources=[config])
    return build_services(settings)


@contextlib.asynccontextmanager
async def running(
    queued: QueuedFeed, source: Callable[[QueuedFeed], Awaitable[None]]
) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(queued.run()), asyncio.create_task(source(queued))]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_http_poll_uses_etags_and_backs_off(tmp_path: Path) -> None:
    config = SourceConfig(
        name="cad-api",
        adapter="fake_jsonl",
        transport="poll",
        url="http://cad.test/feed",
        poll_s=0.05,
    )
    svc = _services(tmp_path, config)
    calls: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("if-none-match"))
        if len(calls) == 2:
            return httpx.Response(503)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(
            200, content=fix("P1", 1) + b"\n" + fix("P2", 2), headers={"ETag": '"v1"'}
        )

    queued = QueuedFeed(svc.sources.feeds["cad-api"], 100)
    mock = httpx.MockTransport(answer)
    async with running(queued, lambda q: poll_http(q, transport=mock)):
        await until(lambda: len(calls) >= 4)
    assert svc.storage.events.count_events() == 2
    assert calls[0] is None and calls[-1] == '"v1"'  # later polls are conditional
    assert svc.sources.feeds["cad-api"].health.state == "ok"


async def test_file_follow_reads_appends_and_survives_rotation(tmp_path: Path) -> None:
    log = tmp_path / "avl.log"
    log.write_bytes(fix("P1", 1) + b"\n" + fix("P1", 2)[:20])  # a half-written last line
    config = SourceConfig(
        name="avl-log", adapter="fake_jsonl", transport="file", path=str(log), poll_s=0.02
    )
    svc = _services(tmp_path, config)
    store = svc.storage.events
    queued = QueuedFeed(svc.sources.feeds["avl-log"], 100)
    async with running(queued, follow_file):
        await until(lambda: store.count_events() == 1)
        with log.open("ab") as f:
            f.write(fix("P1", 2)[20:] + b"\n")
        await until(lambda: store.count_events() == 2)
        log.rename(tmp_path / "avl.log.1")  # logrotate
        log.write_bytes(fix("P3", 3) + b"\n")
        await until(lambda: store.count_events() == 3)
    assert svc.sources.feeds["avl-log"].counters.rejected == {}


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[int]:
    """A private broker on a free port (the system one may not exist on a user's machine)."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    broker = subprocess.Popen(
        [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(200):  # up to ~10 s for the broker to listen
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"mosquitto did not start listening on port {port}")
        yield port
    finally:
        broker.terminate()
        broker.wait(timeout=10)


async def test_mqtt_subscription(tmp_path: Path, mosquitto: int) -> None:
    config = SourceConfig(
        name="avl-mqtt", adapter="fake_jsonl", transport="mqtt", port=mosquitto, topic="avl/+/fix"
    )
    svc = _services(tmp_path, config)
    feed = svc.sources.feeds["avl-mqtt"]
    queued = QueuedFeed(feed, 100)
    async with (
        running(queued, subscribe_mqtt),
        aiomqtt.Client("127.0.0.1", mosquitto) as publisher,
    ):
        for _ in range(100):  # until the subscription is in place
            await publisher.publish("avl/p1/fix", fix("P1", 1), qos=1)
            if feed.counters.accepted:
                break
            await asyncio.sleep(0.05)
        await publisher.publish("avl/p2/fix", fix("P2", 2), qos=1)
        await publisher.publish("other/topic", fix("X9", 9), qos=1)
        await until(lambda: svc.storage.events.count_events() == 2)
    assert {s.key for s in svc.storage.events.entities()} == {"unit:P1", "unit:P2"}


def test_pulled_transports_need_their_settings() -> None:
    for transport, missing in (("poll", "url"), ("file", "path"), ("mqtt", "topic")):
        with pytest.raises(ValueError, match=f"needs a {missing}"):
            SourceConfig(name="x", adapter="fake_jsonl", transport=transport)
