"""A slow subscriber never stalls publishing and never grows without bound."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from rtcc.core.bus import RESYNC, Bus, BusMessage
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from tests.conftest import unit


def _events(n: int) -> list[Event]:
    now = datetime.now(UTC)
    return [
        event_from_wire(EVENT_IN_ADAPTER.validate_python(unit(f"U{i}", 39.9, -83.0)), "t", now)
        for i in range(n)
    ]


async def test_slow_subscriber_is_told_to_resync_and_counted() -> None:
    bus = Bus(queue_size=10)
    slow = bus.subscribe("slow")
    fast = bus.subscribe("fast")
    received = []
    for event in _events(25):
        bus.publish_events([event])
        received.append(await fast.get())
    assert len(received) == 25
    assert slow.qsize() <= 10
    assert bus.stats.overflows >= 1 and bus.stats.discarded >= 10
    messages = [await slow.get() for _ in range(slow.qsize())]
    assert RESYNC in messages


async def test_publish_sets_hop_and_renders_json_once() -> None:
    bus = Bus()
    sub = bus.subscribe("a")
    other = bus.subscribe("b")
    [event] = _events(1)
    bus.publish_events([event])
    first, second = await sub.get(), await other.get()
    assert isinstance(first, BusMessage) and first is second
    assert event.hops.published_at is not None
    assert first.json() is first.json()
    assert '"type": "event"' in first.json()


async def test_subscribers_are_woken_in_subscription_order() -> None:
    """The server's own readers subscribe at start-up, so they hear of an alert before walls."""
    bus = Bus()
    woken: list[str] = []

    async def reader(name: str) -> None:
        sub = bus.subscribe(name)
        await sub.get()
        woken.append(name)

    names = [f"s{i}" for i in (3, 1, 4, 15, 9, 2, 6)]
    tasks = [asyncio.create_task(reader(name)) for name in names]
    await asyncio.sleep(0)  # each task subscribes and waits
    bus.unsubscribe(bus.subscribe("gone"))
    bus.publish_events(_events(1))
    await asyncio.gather(*tasks)
    assert woken == names


def test_frame_for_renders_once_per_audience() -> None:
    [event] = _events(1)
    message = BusMessage("event", event)
    calls: list[str] = []

    def render(who: str) -> Callable[[BusMessage], str | None]:
        def inner(m: BusMessage) -> str | None:
            calls.append(who)
            return None if who == "nobody" else m.json()

        return inner

    for _ in range(3):
        assert message.frame_for("all", render("all")) is message.json()
        assert message.frame_for("nobody", render("nobody")) is None
    assert calls == ["all", "nobody"]
