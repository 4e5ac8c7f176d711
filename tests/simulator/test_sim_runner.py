"""run_simulation against an in-test ingest endpoint (httpx.MockTransport), fake time."""

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.simulator import IngestAuthError, build_city, run_simulation
from rtcc.simulator.ingest import MAX_BATCH, BatchSender, SimStats

BASE = "http://rtcc.test"
CITY = build_city()


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 14, 0, tzinfo=UTC)
        self.start = self.now

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Server:
    """Records posted batches; `fail` decides, per request, an outage response."""

    def __init__(self, clock: FakeClock, fail: object = None) -> None:
        self.clock, self.fail = clock, fail
        self.requests: list[list[dict[str, object]]] = []
        self.seen: set[object] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url == f"{BASE}/api/v1/events"
        if request.headers["Authorization"] != "Bearer good-key":
            return httpx.Response(401, json={"detail": "bad key"})
        events = json.loads(request.content)["events"]
        assert 1 <= len(events) <= MAX_BATCH
        self.requests.append(events)
        if callable(self.fail):
            outage = self.fail(len(self.requests), self.clock)
            if isinstance(outage, Exception):
                raise outage
            if outage:
                return httpx.Response(outage)
        fresh = [e for e in events if e["id"] not in self.seen]
        self.seen.update(e["id"] for e in events)
        return httpx.Response(
            200,
            json={"accepted": len(fresh), "duplicates": len(events) - len(fresh), "rejected": []},
        )


async def run(server: Server, clock: FakeClock, key: str = "good-key", **kw: object) -> SimStats:
    return await run_simulation(
        BASE,
        key,
        transport=httpx.MockTransport(server),
        city=CITY,
        clock=clock,
        sleep=clock.sleep,
        **kw,  # type: ignore[arg-type]
    )


async def test_posts_every_event_once_in_real_time_ticks() -> None:
    clock = FakeClock()
    server = Server(clock)
    stats = await run(server, clock, duration_s=30, tick_s=1.0)
    assert stats.ticks == 30
    assert clock.now - clock.start == timedelta(seconds=30)
    sent = [e for batch in server.requests for e in batch]
    assert 25 <= len(server.requests) <= 31  # registrations, then a batch per (non-empty) tick
    assert stats.generated == stats.sent == stats.accepted == len(sent) == len(server.seen)
    assert stats.dropped == stats.rejected == stats.retries == 0
    for event in sent:
        EVENT_IN_ADAPTER.validate_python(event)
    kinds = {e["kind"] for e in server.requests[0]}
    assert kinds == {"camera_status", "unit_position"}


async def test_retries_after_503_without_losing_the_batch(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    server = Server(clock, fail=lambda n, _: 503 if n == 2 else None)
    with caplog.at_level(logging.INFO, logger="rtcc.simulator"):
        stats = await run(server, clock, duration_s=10)
    assert [e["id"] for e in server.requests[1]] == [e["id"] for e in server.requests[2]]
    assert stats.retries == 1
    assert stats.accepted == stats.generated == len(server.seen)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


async def test_outage_is_logged_once_and_missed_ticks_are_caught_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()

    def down_for_20_s(_: int, c: FakeClock) -> object:
        if c.now - c.start < timedelta(seconds=20):
            return httpx.ConnectError("connection refused")
        return None

    server = Server(clock, fail=down_for_20_s)
    with caplog.at_level(logging.INFO, logger="rtcc.simulator"):
        stats = await run(server, clock, duration_s=60)
    assert stats.retries >= 3
    assert stats.ticks == 60
    assert stats.accepted == stats.generated == len(server.seen)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ConnectError" in warnings[0].getMessage()
    assert sum("reachable again" in r.getMessage() for r in caplog.records) == 1


async def test_gives_up_at_the_end_when_the_server_never_comes_back() -> None:
    clock = FakeClock()
    server = Server(clock, fail=lambda n, _: 503)
    stats = await run(server, clock, duration_s=5)
    assert stats.accepted == 0
    assert stats.dropped == stats.generated > 0
    assert clock.now - clock.start < timedelta(seconds=60)


async def test_bad_api_key_stops_with_a_clear_error() -> None:
    clock = FakeClock()
    with pytest.raises(IngestAuthError, match="401"):
        await run(Server(clock), clock, key="wrong", duration_s=5)


async def test_partial_rejections_are_counted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        events = json.loads(request.content)["events"]
        body = {"accepted": len(events) - 1, "duplicates": 0, "rejected": [{"index": 0}]}
        return httpx.Response(422, json=body)

    clock = FakeClock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        stats = SimStats()
        sender = BatchSender(client, BASE, "k", stats, clock, clock.sleep)
        events: list[dict[str, object]] = [{"id": str(i)} for i in range(MAX_BATCH * 2 + 10)]
        assert await sender.send(events) == len(events)
    assert stats.sent == len(events)
    assert stats.rejected == 3 and stats.accepted == len(events) - 3
