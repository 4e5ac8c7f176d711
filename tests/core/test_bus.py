"""A slow subscriber never stalls publishing and never grows without bound."""

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
