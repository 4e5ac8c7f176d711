"""The dispatcher: fan-out to every channel, retries with backoff, dead letters, health."""

import asyncio
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from rtcc.app import create_app
from rtcc.core.bus import Bus, BusMessage, Subscription
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.dispatcher import Dispatcher
from rtcc.outputs.metrics import percentile
from rtcc.outputs.runner import ChannelRunner, backoff_delay
from rtcc.settings import Settings
from rtcc.storage.alerting import OutputDeadLetterStore
from rtcc.storage.base import DeadLetterStore, Storage
from rtcc.storage.sql import SqlDatabase
from rtcc.storage.sql.dead_letters import SqlDeadLetterStore
from rtcc.storage.sql.output_dead_letters import SqlOutputDeadLetterStore
from tests.outputs.alerts import gunshot_alert, pending_hit_alert
from tests.outputs.receiver import Receiver, closed_port_url, receiver

SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def _hook(name: str, url: str, **extra: Any) -> ChannelConfig:
    options = {"url": url, "secret": SECRET}
    return ChannelConfig(name=name, kind="webhook", options=options, **extra)


async def _until(check: Callable[[], bool], limit_s: float = 10.0) -> None:
    """Poll state that worker tasks and receiver threads change (no event to wait on)."""
    async with asyncio.timeout(limit_s):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def _notices(sub: Subscription) -> list[dict[str, Any]]:
    found = []
    while sub.qsize():
        message = sub._queue.get_nowait()
        if isinstance(message, BusMessage) and message.type == "output_health":
            found.append(message.wire()["output_health"])
    return found


async def test_a_channel_that_is_down_retries_dead_letters_and_recovers(
    storage: Storage,
) -> None:
    bus = Bus(100)
    wall = bus.subscribe("wall")
    with receiver() as good, receiver() as flaky:
        flaky.default = (503, "maintenance")
        configs = [
            _hook("good", good.url),
            _hook("flaky", flaky.url, max_attempts=3, backoff_s=0.01),
            ChannelConfig(
                name="cad", kind="cad_note", options={"url": good.url + "/cad", "secret": SECRET}
            ),
        ]
        dispatcher = Dispatcher(configs, bus, storage.output_dead_letters, random.Random(1))
        await dispatcher.start()
        try:
            alert = gunshot_alert()
            bus.publish_alerts([alert])
            runners = dispatcher.runners
            await _until(lambda: runners["flaky"].metrics.dead_lettered == 1)
            await _until(lambda: runners["cad"].metrics.delivered == 1)
            assert len(flaky.requests) == 3  # max_attempts
            assert runners["good"].metrics.delivered == 1
            assert {r.path for r in good.requests} == {"/", "/cad"}
            flaky_metrics = runners["flaky"].metrics
            assert (flaky_metrics.failed, flaky_metrics.retried) == (3, 2)
            assert "HTTP 503" in (flaky_metrics.last_error or "")
            assert alert.hops is not None and alert.hops.delivered_at is not None

            [letter] = storage.output_dead_letters.list("flaky", 10)
            assert letter.alert["id"] == alert.id and letter.attempts == 3
            assert "HTTP 503: maintenance" in letter.reason
            outcomes = {
                d.channel: (d.outcome, d.attempts)
                for d in storage.output_dead_letters.deliveries(alert.id)
            }
            assert outcomes == {
                "good": ("delivered", 1),
                "cad": ("delivered", 1),
                "flaky": ("dead_lettered", 3),
            }
            assert [(n["channel"], n["state"]) for n in _notices(wall)] == [("flaky", "failing")]

            # The far end is fixed; the operator sends the dead letter again.
            flaky.default = (200, "ok")
            assert await dispatcher.retry_dead_letter(letter.id) == "flaky"
            await _until(lambda: runners["flaky"].metrics.delivered == 1)
            assert flaky.requests[-1].json()["id"] == alert.id
            assert storage.output_dead_letters.get(letter.id).retried_at is not None  # type: ignore[union-attr]
            [recovered] = _notices(wall)
            assert (recovered["channel"], recovered["state"]) == ("flaky", "ok")
            await _until(
                lambda: any(
                    d.outcome == "delivered"
                    for d in storage.output_dead_letters.deliveries(alert.id)
                    if d.channel == "flaky"
                )
            )
        finally:
            await dispatcher.stop()
    status = {s["name"]: s for s in dispatcher.status()}
    assert status["flaky"]["health"] == "ok"
    assert status["good"]["metrics"]["latency_ms"]["samples"] == 1


async def test_a_dead_receiver_never_delays_the_others(storage: Storage) -> None:
    bus = Bus(100)
    with receiver() as good:
        configs = [
            _hook("down", closed_port_url(), max_attempts=5, backoff_s=1.0),
            _hook("good", good.url),
        ]
        dispatcher = Dispatcher(configs, bus, storage.output_dead_letters, random.Random(2))
        await dispatcher.start()
        try:
            bus.publish_alerts([gunshot_alert(f"a{i}") for i in range(5)])
            await _until(lambda: dispatcher.runners["good"].metrics.delivered == 5)
            down = dispatcher.runners["down"]
            # All five went out on "good" while "down" is still retrying its first alert.
            assert down.metrics.dead_lettered == 0 and down.queue_depth == 4
            assert down.health == "failing" and "cannot reach" in (down.metrics.last_error or "")
        finally:
            await dispatcher.stop()
    assert [r.json()["id"] for r in good.requests] == [f"a{i}" for i in range(5)]


async def test_refused_content_is_dead_lettered_without_retrying(storage: Storage) -> None:
    with receiver() as rx:
        rx.default = (400, "bad field")
        runner = _runner(_hook("h", rx.url, max_attempts=5), storage)
        assert await runner.deliver_with_retries(gunshot_alert()) is None
    assert len(rx.requests) == 1
    assert runner.metrics.dead_lettered == 1 and runner.metrics.retried == 0


async def test_retries_back_off_exponentially_with_jitter(storage: Storage) -> None:
    slept: list[float] = []

    async def record(delay: float) -> None:
        slept.append(delay)

    with receiver() as rx:
        rx.answers = [(500, "x")] * 4
        config = _hook("h", rx.url, max_attempts=6, backoff_s=1.0)
        runner = _runner(config, storage, sleep=record)
        receipt = await runner.deliver_with_retries(gunshot_alert())
    assert receipt is not None and len(rx.requests) == 5
    assert len(slept) == 4
    for attempt, delay in enumerate(slept, start=1):
        full = 2.0 ** (attempt - 1)
        assert full / 2 <= delay <= full, (attempt, delay)


def test_backoff_is_capped_and_spread() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(1.0, 30, rng) for _ in range(50)]
    assert all(300 <= d <= 600 for d in delays)
    assert len({round(d, 3) for d in delays}) > 40  # jittered, not all the same


async def test_a_full_queue_dead_letters_its_oldest(storage: Storage) -> None:
    runner = _runner(_hook("h", closed_port_url(), queue_size=2), storage)
    for i in range(3):
        await runner.offer(gunshot_alert(f"q{i}"))
    assert runner.queue_depth == 2 and runner.metrics.dropped == 1
    [letter] = storage.output_dead_letters.list("h", 10)
    assert letter.alert_id == "q0" and "queue full" in letter.reason
    [row] = storage.output_dead_letters.deliveries("q0")
    assert row.outcome == "dropped"


async def test_alerts_for_analysts_only_stay_inside(storage: Storage) -> None:
    bus = Bus(100)
    with receiver() as rx:
        dispatcher = Dispatcher([_hook("h", rx.url)], bus, storage.output_dead_letters)
        await dispatcher.start()
        try:
            bus.publish_alerts([pending_hit_alert(), gunshot_alert("after")])
            await _until(lambda: dispatcher.runners["h"].metrics.delivered == 1)
        finally:
            await dispatcher.stop()
    assert [r.json()["id"] for r in rx.requests] == ["after"]
    assert dispatcher.skipped_for_audience == 1


async def test_disabled_channels_are_validated_but_not_run(storage: Storage) -> None:
    bus = Bus(100)
    dispatcher = Dispatcher(
        [_hook("off", closed_port_url(), enabled=False)], bus, storage.output_dead_letters
    )
    await dispatcher.start()
    assert bus.subscriber_count == 0
    await dispatcher.stop()
    assert dispatcher.status()[0]["health"] == "disabled"
    with pytest.raises(ValueError, match=r"outputs\[0\]\.options\.secret"):
        Dispatcher(
            [ChannelConfig(name="off", kind="webhook", enabled=False, options={"url": "http://x"})],
            bus,
            storage.output_dead_letters,
        )


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ([{"name": "p", "kind": "pager"}], r"outputs\[0\]\.kind: unknown output kind 'pager'"),
        (
            [{"name": "h", "kind": "webhook", "options": {"url": "http://x", "secret": SECRET}}]
            * 2,
            r"outputs\[1\]\.name: 'h' is used twice",
        ),
        (
            [{"name": "h", "kind": "webhook", "options": {"url": "nope", "secret": SECRET}}],
            r"outputs\[0\]\.options\.url: ",
        ),
    ],
)
def test_bad_output_config_stops_the_server_at_start(
    tmp_path: Path, outputs: list[dict[str, Any]], message: str
) -> None:
    settings = Settings.model_validate({"data_dir": tmp_path, "outputs": outputs})
    with pytest.raises(ValueError, match=message):
        create_app(settings)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95
    assert percentile([3.0], 95) == 3.0 and percentile([], 50) is None


def _runner(config: ChannelConfig, storage: Storage, **kwargs: Any) -> ChannelRunner:
    from rtcc.outputs.dispatcher import build_channel

    changes: list[Any] = []
    return ChannelRunner(
        config, build_channel(0, config), storage.output_dead_letters, changes.append, **kwargs
    )


_ = Receiver  # re-exported for readers of this file


async def test_a_playbook_that_names_its_channels_reaches_only_those(
    storage: Storage,
) -> None:
    bus = Bus(100)
    with receiver() as radio_room, receiver() as everyone:
        configs = [_hook("radio-room", radio_room.url), _hook("everyone", everyone.url)]
        dispatcher = Dispatcher(configs, bus, storage.output_dead_letters, random.Random(3))
        await dispatcher.start()
        try:
            named = gunshot_alert("named")
            named.detail["notify"] = ["radio-room"]
            bus.publish_alerts([named, gunshot_alert("unnamed")])
            await _until(lambda: dispatcher.runners["radio-room"].metrics.delivered == 2)
            await _until(lambda: dispatcher.runners["everyone"].metrics.delivered == 1)
        finally:
            await dispatcher.stop()
    assert [r.json()["id"] for r in radio_room.requests] == ["named", "unnamed"]
    assert [r.json()["id"] for r in everyone.requests] == ["unnamed"]


def _capped_stores(storage: Storage, cap: int) -> tuple[OutputDeadLetterStore, DeadLetterStore]:
    """The two dead-letter stores over the backend's database, with a small cap."""
    sql: SqlDatabase = storage.sql  # type: ignore[attr-defined]  # both backends have it
    return (
        SqlOutputDeadLetterStore(sql, per_channel_cap=cap),
        SqlDeadLetterStore(sql, per_source_cap=cap),
    )


def test_dead_letters_written_at_once_stay_within_the_cap(storage: Storage) -> None:
    """Several writers (API, workers) dead-lettering on one channel and one source at
    once: nobody ever sees more than `cap` letters of either (the cap is kept as each
    letter is added, not caught up later), the newest are the ones kept, and other
    channels and sources are untouched."""
    cap, writers, each = 10, 6, 15
    outputs, sources = _capped_stores(storage, cap)
    outputs.add("other", gunshot_alert("kept").to_wire(), 1, "down")
    sources.add("other-feed", "payload", "bad", "kept", b"{}")
    start = threading.Barrier(writers)
    seen: list[tuple[int, int]] = []
    added: list[int] = []

    def write(writer: int) -> None:
        start.wait()
        for i in range(each):
            added.append(outputs.add("busy", gunshot_alert(f"w{writer}-{i}").to_wire(), 1, "x"))
            sources.add("busy-feed", "payload", "bad", f"w{writer}-{i}", b"{}")
            seen.append((len(outputs.list("busy", 1000)), len(sources.list("busy-feed", 1000))))

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))
    assert max(n for n, _ in seen) == cap and max(n for _, n in seen) == cap
    letters = outputs.list("busy", 1000)
    assert len(letters) == cap
    assert [x.id for x in letters] == sorted(added, reverse=True)[:cap]
    assert [x.alert_id for x in outputs.list("other", 10)] == ["kept"]
    refused = sources.list("busy-feed", 1000)
    assert len(refused) == cap
    assert [x.message for x in sources.list("other-feed", 10)] == ["kept"]
    assert all(x.raw == b"{}" and x.replayed_at is None for x in refused)
    sources.mark_replayed(refused[0].id)
    replayed = sources.get(refused[0].id)
    assert replayed is not None and replayed.replayed_at is not None
