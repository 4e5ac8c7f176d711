"""The latency book: hop durations per feed, rule and channel, rolling windows, lost samples."""

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from rtcc.core.alerts import Alert
from rtcc.core.bus import RESYNC, Bus
from rtcc.core.clock import iso
from rtcc.core.events import Event, Hops
from rtcc.outputs.dispatcher import alert_from_wire
from rtcc.pipeline.latency import ChannelSamples, LatencyBook, Window, summarize
from rtcc.pipeline.validate import validate_items
from rtcc.storage.alerting import AlertState
from tests.conftest import gunshot

T0 = datetime(2026, 11, 25, 20, 14, 3, tzinfo=UTC)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shot(source: str = "shotspotter", sensor_s: float = 1.5, ref: str = "g1") -> Event:
    """A gunshot that occurred at T0, received `sensor_s` later, persisted 20 ms and
    published 3 ms after that."""
    received = T0 + timedelta(seconds=sensor_s)
    [event], errors = validate_items([gunshot(ref=ref)], source, received)
    assert not errors
    event.hops.persisted_at = received + timedelta(milliseconds=20)
    event.hops.published_at = received + timedelta(milliseconds=23)
    return event


def alert(
    alert_id: str = "a1", rule: str = "gunshot_nearby", hops: bool = True, **detail: Any
) -> Alert:
    received = T0 + timedelta(seconds=1)
    fired = received + timedelta(milliseconds=40)
    return Alert(
        id=alert_id,
        rule=rule,
        created_at=fired,
        severity="critical",
        title="Gunshot",
        event_id="e1",
        location=None,
        detail=detail,
        hops=Hops(received_at=received, alerted_at=fired) if hops else None,
    )


def row(snapshot: dict[str, Any], table: str, name: str) -> dict[str, Any]:
    [found] = [r for r in snapshot[table] if r["name"] == name]
    hops: dict[str, Any] = found["hops"]
    return hops


def test_summarize_is_nearest_rank() -> None:
    assert summarize([]) == {"n": 0, "p50": None, "p95": None, "p99": None}
    values = [float(v) for v in range(100, 0, -1)]  # 100 … 1, unsorted
    assert summarize(values) == {"n": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert summarize([7.25]) == {"n": 1, "p50": 7.2, "p95": 7.2, "p99": 7.2}


def test_feed_hops_per_source_keep_a_negative_sensor_skew() -> None:
    book = LatencyBook(clock=Clock())
    book.on_event(shot("shotspotter", sensor_s=1.5))
    book.on_event(shot("shotspotter", sensor_s=2.5, ref="g2"))
    book.on_event(shot("fast-clock", sensor_s=-0.25))  # the sensor's clock runs ahead
    snap = book.snapshot()
    feed = row(snap, "feeds", "shotspotter")
    assert feed["sensor_to_received"] == {"n": 2, "p50": 1500.0, "p95": 2500.0, "p99": 2500.0}
    assert feed["received_to_persisted"]["p50"] == 20.0
    assert feed["persisted_to_published"]["p50"] == 3.0
    assert row(snap, "feeds", "fast-clock")["sensor_to_received"]["p50"] == -250.0
    assert [h["key"] for h in snap["hops"]["feeds"]] == [
        "sensor_to_received",
        "received_to_persisted",
        "persisted_to_published",
    ]


def test_an_unpersisted_event_gives_only_the_sensor_hop() -> None:
    book = LatencyBook(clock=Clock())
    event = shot()
    event.hops.persisted_at = None
    book.on_event(event)
    feed = row(book.snapshot(), "feeds", "shotspotter")
    assert feed["sensor_to_received"]["n"] == 1 and feed["received_to_persisted"]["n"] == 0


def test_rule_hops_fired_delivered_and_acknowledged() -> None:
    book = LatencyBook(clock=Clock())
    a = alert()
    book.on_alert(a)
    snap = book.snapshot()
    rule = row(snap, "rules", "gunshot_nearby")
    assert rule["received_to_fired"] == {"n": 1, "p50": 40.0, "p95": 40.0, "p99": 40.0}
    assert rule["fired_to_delivered"]["n"] == 0
    assert snap["awaiting_delivery"] == 1 and snap["awaiting_acknowledgement"] == 1

    assert a.hops is not None
    a.hops.delivered_at = a.created_at + timedelta(milliseconds=180)  # a channel delivered it
    book.on_alert_state(AlertState(a.id, "new").to_wire())  # not an acknowledgement
    acked_at = a.created_at + timedelta(seconds=12)
    ack = AlertState(a.id, "acknowledged", acknowledged_by="ana", acknowledged_at=iso(acked_at))
    book.on_alert_state(ack.to_wire())
    book.on_alert_state(dataclasses.replace(ack, status="closed").to_wire())  # counted once
    book.on_alert_state(
        AlertState("unknown", "acknowledged", acknowledged_at=iso(acked_at)).to_wire()
    )
    snap = book.snapshot()
    rule = row(snap, "rules", "gunshot_nearby")
    assert rule["fired_to_delivered"]["p50"] == 180.0
    assert rule["created_to_acknowledged"] == {
        "n": 1,
        "p50": 12000.0,
        "p95": 12000.0,
        "p99": 12000.0,
    }
    assert snap["awaiting_delivery"] == 0 and snap["awaiting_acknowledgement"] == 0


def test_an_alert_published_again_is_not_counted_twice() -> None:
    book = LatencyBook(clock=Clock())
    book.on_alert(alert())
    book.on_alert(alert())
    assert row(book.snapshot(), "rules", "gunshot_nearby")["received_to_fired"]["n"] == 1


def test_alerts_that_cannot_be_seen_delivered_are_not_waited_for() -> None:
    book = LatencyBook(clock=Clock())
    book.on_alert(alert("inside", audience="lpr.hits.confirm"))  # never leaves the RTCC
    book.on_alert(alert("no-hops", hops=False))  # no hops for a channel to stamp
    assert book.snapshot()["awaiting_delivery"] == 0
    assert "no-hops" not in str(row(book.snapshot(), "rules", "gunshot_nearby"))
    elsewhere = LatencyBook(track_deliveries=False, clock=Clock())  # no channels here
    elsewhere.on_alert(alert())
    assert elsewhere.snapshot()["awaiting_delivery"] == 0


def test_an_undelivered_alert_is_forgotten_after_an_hour() -> None:
    clock = Clock()
    book = LatencyBook(clock=clock)
    book.on_alert(alert())
    clock.now += 3601
    assert book.snapshot()["awaiting_delivery"] == 0


def test_samples_leave_the_window_by_age_and_by_count() -> None:
    clock = Clock()
    book = LatencyBook(window_s=60, max_samples=3, clock=clock)
    book.on_event(shot(sensor_s=9.0))
    clock.now += 61
    for i in range(4):
        book.on_event(shot(sensor_s=float(i), ref=f"g{i}"))
    feed = row(book.snapshot(), "feeds", "shotspotter")
    assert feed["sensor_to_received"] == {"n": 3, "p50": 2000.0, "p95": 3000.0, "p99": 3000.0}
    window = Window(10)
    window.add(0.0, 1.0)
    window.add(50.0, 2.0)
    assert window.values(100.0, 60.0) == [2.0]


def test_channel_rows_come_from_the_channels_own_samples() -> None:
    book = LatencyBook(clock=Clock())
    snap = book.snapshot(
        [ChannelSamples("slack", "slack", [120.0, 80.0]), ChannelSamples("cot", "cot", [])]
    )
    assert snap["channels"] == [
        {
            "name": "slack",
            "kind": "slack",
            "hops": {"created_to_delivered": {"n": 2, "p50": 80.0, "p95": 120.0, "p99": 120.0}},
        },
        {
            "name": "cot",
            "kind": "cot",
            "hops": {"created_to_delivered": {"n": 0, "p50": None, "p95": None, "p99": None}},
        },
    ]


def test_the_bus_subscriber_reads_everything_and_counts_what_it_lost() -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        bus = Bus()
        book = LatencyBook(queue_size=5, clock=Clock())
        task = asyncio.create_task(book.run(bus))
        await asyncio.sleep(0)  # subscribed
        bus.publish_events([shot()])
        bus.publish_alerts([alert()])
        await asyncio.sleep(0.01)
        first = book.snapshot()
        # 12 events at once, nothing read in between: the queue of 5 overflows twice.
        bus.publish_events([shot(ref=f"b{i}") for i in range(12)])
        await asyncio.sleep(0.01)
        second = book.snapshot()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert bus.subscriber_count == 0
        return first, second

    first, second = asyncio.run(scenario())
    assert first["messages"] == 2 and first["lost_messages"] == 0
    assert row(first, "feeds", "shotspotter")["persisted_to_published"]["n"] == 1
    assert row(first, "rules", "gunshot_nearby")["received_to_fired"]["n"] == 1
    # Every message is either read or counted lost; none is silently missing.
    assert second["lost_messages"] > 0
    assert second["messages"] - first["messages"] + second["lost_messages"] == 12


def test_a_bus_subscription_counts_its_own_losses() -> None:
    async def scenario() -> tuple[int, list[object]]:
        bus = Bus(queue_size=2)
        sub = bus.subscribe("slow")
        bus.publish_events([shot(ref=f"n{i}") for i in range(5)])  # never read
        return sub.lost, [sub.get_nowait(), sub.get_nowait()]

    lost, left = asyncio.run(scenario())
    assert lost == 5  # two overflows: every one of the five, and no resync marker counted
    assert left == [RESYNC, None]


def test_a_relayed_alert_keeps_its_hops_for_the_book() -> None:
    """Scale-out: the API process rebuilds a worker's alert from its wire form."""
    original = alert()
    assert original.hops is not None
    original.hops.persisted_at = original.hops.received_at + timedelta(milliseconds=5)
    relayed = alert_from_wire(json.loads(json.dumps(original.to_wire())))
    assert relayed.hops == original.hops
    book = LatencyBook(clock=Clock())
    book.on_alert(relayed)
    assert row(book.snapshot(), "rules", "gunshot_nearby")["received_to_fired"]["p50"] == 40.0
    assert alert_from_wire({**original.to_wire(), "hops": None}).hops is None
