"""The event store: the same answers on both backends, and safe with several writers.

The equivalence test feeds the same events, alerts and refusals to SQLite and to
PostgreSQL and compares every read; the concurrency tests run two PostgreSQL storages
(two pools, as two processes would have) against one database.
"""

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rtcc.core.alerts import Alert
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.core.geo import Location, offset_m
from rtcc.storage.base import NearbyEvent, Rejection, Storage
from rtcc.storage.postgres import PostgresStorage
from rtcc.storage.sqlite import SqliteStorage
from tests import pg
from tests.conftest import camera, gunshot, unit

CENTER = (39.9612, -82.9988)
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# (radius_m, limit, nearest) of the events_near calls compared across backends.
SHAPES = ((800.0, 500, None), (2000.0, 7, None), (2000.0, 500, 5), (3000.0, 9, 3))


def _event(item: dict[str, Any], source: str = "t") -> Event:
    return event_from_wire(EVENT_IN_ADAPTER.validate_python(item), source, datetime.now(UTC))


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _place(rng: random.Random, spread_m: float = 2500.0) -> tuple[float, float]:
    return offset_m(*CENTER, rng.uniform(-spread_m, spread_m), rng.uniform(-spread_m, spread_m))


def _item(rng: random.Random, n: int) -> dict[str, Any]:
    """One of every kind, at a random place and time over two days; some share a dedup key."""
    lat, lon = _place(rng)
    at = _at(rng.uniform(0, 2 * 24 * 60))
    kind = n % 6
    if kind == 0:
        item = gunshot(lat, lon, ref=f"g{n}") | {"occurred_at": at}
    elif kind == 1:
        item = unit(f"P{n % 7}", lat, lon, at=at)
    elif kind == 2:
        item = camera(f"CAM-{n % 5}", lat, lon, rng.choice([None, 90.0])) | {"id": f"c{n}"}
        item["occurred_at"] = at
    elif kind == 3:
        status = rng.choice(["created", "dispatched", "closed"])
        item = {
            "kind": "cad_incident",
            "id": f"i{n}",
            "occurred_at": at,
            "location": {"lat": lat, "lon": lon},
            "payload": {"incident_id": f"INC-{n % 4}", "status": status, "call_type": "SHOTS"},
        }
    elif kind == 4:
        item = {
            "kind": "caller_location",
            "id": f"call{n}",
            "occurred_at": at,
            "location": {"lat": lat, "lon": lon, "accuracy_m": rng.choice([None, 12.5])},
            "payload": {"call_id": f"CALL-{n % 3}"},
        }
    else:
        item = {
            "kind": "lpr_read",
            "id": f"r{n}",
            "occurred_at": at,
            "payload": {"reader_id": "R-1", "plate": f"ABC{n}", "plate_state": "OH"},
        }
        if n % 4:
            item["location"] = {"lat": lat, "lon": lon}
    if n % 11 == 0:  # resent later with other content: a duplicate by its key
        item["dedup_key"] = f"k{n % 5}"
    return item


@pytest.fixture
def both(tmp_path: Path, pg_template: str) -> Iterator[tuple[SqliteStorage, PostgresStorage]]:
    with pg.database(pg_template) as url:
        sqlite = SqliteStorage(tmp_path / "t.db", "NORMAL")
        postgres = PostgresStorage(url, pool_size=2)
        try:
            yield sqlite, postgres
        finally:
            sqlite.close()
            postgres.close()


def _close(a: list[NearbyEvent], b: list[NearbyEvent]) -> None:
    assert [n.event for n in a] == [n.event for n in b]
    assert [n.distance_m for n in a] == pytest.approx([n.distance_m for n in b], rel=1e-6)


def test_both_backends_give_the_same_answers(
    both: tuple[SqliteStorage, PostgresStorage],
) -> None:
    sqlite, postgres = both
    rng = random.Random(7)
    events = [_event(_item(rng, n)) for n in range(600)]
    for start in range(0, len(events), 97):
        batch = events[start : start + 97]
        stored = [[e.id for e in s.events.append(batch).stored] for s in (sqlite, postgres)]
        assert stored[0] == stored[1]
    a, b = sqlite.events, postgres.events

    assert a.count_events() == b.count_events() < len(events)
    for e in [*events, None]:
        event_id = e.id if e else "no-such-event"
        assert a.get_event(event_id) == b.get_event(event_id)
    for kinds, limit in ((["lpr_read"], 30), (["gunshot", "cad_incident"], 500), ([], 5)):
        assert a.recent_events(kinds, limit) == b.recent_events(kinds, limit)
    assert a.entities() == b.entities() and len(a.entities()) > 10
    for key in [s.key for s in a.entities()] + ["unit:NOBODY"]:
        assert a.entity(key) == b.entity(key)
    for etype in ("unit", "camera", "incident", "call"):
        for radius in (300.0, 1500.0, 5000.0):
            near_a = a.entities_near(*CENTER, radius, etype)
            near_b = b.entities_near(*CENTER, radius, etype)
            assert [n.entity for n in near_a] == [n.entity for n in near_b]
            distances = [n.distance_m for n in near_b]
            assert [n.distance_m for n in near_a] == pytest.approx(distances, rel=1e-6)

    every = ["gunshot", "lpr_read", "cad_incident", "caller_location", "camera_status"]
    for kinds in (["gunshot"], every, [*every, "unit_position"], ["unit_position"]):
        for hours in (3, 6, 30):  # short windows go by kind and time, long ones by place
            for start in (0.0, 20 * 60.0):
                since = T0 + timedelta(minutes=start)
                until = since + timedelta(hours=hours)
                for radius, limit, nearest in SHAPES:
                    args = (*CENTER, radius, kinds, since, until, limit, nearest)
                    _close(a.events_near(*args), b.events_near(*args))
    assert a.events_near(*CENTER, 9e6, [], T0, T0 + timedelta(days=9)) == []


def test_same_alerts_and_refusal_counts(both: tuple[SqliteStorage, PostgresStorage]) -> None:
    sqlite, postgres = both
    same_time = T0 + timedelta(minutes=5)
    alerts = [
        Alert(f"a{i}", "gunshot_nearby", when, "critical", f"alert {i}", f"e{i}", where, detail)
        for i, (when, where, detail) in enumerate(
            [
                (T0, Location(lat=39.96, lon=-83.0), {"units": [{"unit_id": "P1"}]}),
                (same_time, None, {}),
                (same_time, Location(lat=39.97, lon=-83.1, accuracy_m=5.0), {"n": 1.5}),
                (T0 + timedelta(minutes=1), None, {"text": "é ✓"}),
            ]
        )
    ]
    refusals = [
        Rejection("feed-b", "payload.plate", "pattern", "bad plate"),
        Rejection("feed-a", "location", "missing", "no location"),
        Rejection("feed-a", "occurred_at", "format", "x" * 600),
        Rejection("feed-a", "location", "missing", "no location, again"),
        Rejection("feed-a", "kind", "unknown", "what is this"),
        Rejection("feed-a", "id", "length", "too long"),
    ]
    for storage in both:
        storage.events.add_alerts(alerts[:2])
        storage.events.add_alerts(alerts[2:])
        storage.events.add_alerts([alerts[1]])  # redelivered: kept once
        storage.events.add_alerts([])
        storage.events.record_rejections(refusals[:3])
        storage.events.record_rejections(refusals[3:])
    assert sqlite.events.recent_alerts(10) == postgres.events.recent_alerts(10)
    assert len(postgres.events.recent_alerts(10)) == 4
    assert [x["id"] for x in postgres.events.recent_alerts(3)] == ["a2", "a1", "a3"]
    for alert_id in ("a0", "a2", "nope"):
        assert sqlite.events.get_alert(alert_id) == postgres.events.get_alert(alert_id)

    def counts(storage: Storage) -> list[tuple[object, ...]]:  # last_at is the clock's
        return [
            (c.source, c.field, c.reason, c.count, c.last_message)
            for c in storage.events.reject_counts()
        ]

    assert counts(sqlite) == counts(postgres)
    assert counts(postgres)[0] == ("feed-a", "location", "missing", 2, "no location, again")
    assert [len(c[4]) for c in counts(postgres) if c[2] == "format"] == [500]


def test_events_near_window_limit_nearest_and_kinds(backend: Storage) -> None:
    """Oldest first within [since, until] (both ends included); `limit` keeps the oldest;
    `nearest` then keeps the closest of those, closest first."""
    spots = [(300.0, "20:00"), (100.0, "20:01"), (200.0, "20:02"), (50.0, "20:03")]
    events = [
        _event(
            gunshot(*offset_m(*CENTER, north, 0.0), ref=f"s{i}")
            | {"occurred_at": f"2026-11-25T{t}:00Z"}
        )
        for i, (north, t) in enumerate(spots)
    ]
    far = _event(gunshot(*offset_m(*CENTER, 900.0, 0.0), ref="far"))
    backend.events.append([*events, far, _event(unit("P1", *offset_m(*CENTER, 10.0, 0.0)))])
    since = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    until = since + timedelta(minutes=3)
    near = backend.events.events_near

    def refs(found: list[NearbyEvent]) -> list[str]:
        return [n.event["source_ref"] for n in found]

    assert refs(near(*CENTER, 500.0, ["gunshot"], since, until)) == ["s0", "s1", "s2", "s3"]
    assert refs(near(*CENTER, 500.0, ["gunshot"], since, until, limit=2)) == ["s0", "s1"]
    closest = near(*CENTER, 500.0, ["gunshot"], since, until, limit=3, nearest=2)
    assert refs(closest) == ["s1", "s2"]
    assert [n.distance_m for n in closest] == pytest.approx([100.0, 200.0], abs=0.5)
    later = since + timedelta(minutes=1)
    assert refs(near(*CENTER, 500.0, ["gunshot"], later, until)) == ["s1", "s2", "s3"]
    assert refs(near(*CENTER, 250.0, ["gunshot"], since, until)) == ["s1", "s2", "s3"]
    assert near(*CENTER, 500.0, ["lpr_read"], since, until) == []
    assert near(*CENTER, 500.0, [], since, until) == []
    # AVL fixes are found in a short window only: the spatial index leaves them out.
    fix_at = datetime(2026, 11, 25, 20, 14, tzinfo=UTC)
    short = near(*CENTER, 50.0, ["unit_position"], fix_at - timedelta(hours=1), fix_at)
    assert refs(short) == ["P1-2026-11-25T20:14:00Z"]
    assert near(*CENTER, 50.0, ["unit_position"], fix_at - timedelta(days=2), fix_at) == []


def test_entity_state_is_the_newest_stored_event(backend: Storage) -> None:
    """Out of order within a batch and across batches; on a tie the later one wins; when
    the newest of a batch is a duplicate, the newest one actually stored counts."""
    first, tie = (
        _event(unit("P1", lat, -83.0, at="2026-11-25T20:10:00Z") | {"id": f"fix{lat}"})
        for lat in (39.9, 39.91)
    )
    older = _event(unit("P1", 39.80, -83.0, at="2026-11-25T20:00:00Z"))
    backend.events.append([first, older, tie])
    state = backend.events.entity("unit:P1")
    assert state is not None and state.lat == 39.91 and state.event["id"] == tie.id
    assert state.event["first_occurred_at"] == "2026-11-25T20:10:00.000000+00:00"

    taken = _event(gunshot(ref="g") | {"dedup_key": "shared"})
    backend.events.append([taken])
    newer = _event(unit("P2", 39.95, -83.0, at="2026-11-25T20:20:00Z"))
    newest_but_known = _event(
        unit("P2", 39.99, -83.0, at="2026-11-25T20:30:00Z") | {"dedup_key": "shared"}
    )
    result = backend.events.append([newer, newest_but_known])
    assert result.stored == [newer] and result.duplicates == [newest_but_known]
    moved = backend.events.entity("unit:P2")
    assert moved is not None and moved.lat == 39.95 and moved.event["id"] == newer.id
    assert backend.events.entity("unit:P1") == state


def test_two_writers_store_each_event_once_and_end_at_the_newest(pg_template: str) -> None:
    """Two storages (as an API process and a worker would be) append the same feed in
    different orders at once: every dedup key stored once, no deadlock, newest state."""
    rng = random.Random(3)
    items = [
        unit(f"P{n % 12}", *_place(rng), at=_at(rng.uniform(0, 600))) | {"id": f"fix{n}"}
        for n in range(1500)
    ]
    newest: dict[str, dict[str, Any]] = {}
    for item in items:
        key = item["payload"]["unit_id"]
        if key not in newest or item["occurred_at"] > newest[key]["occurred_at"]:
            newest[key] = item
    with pg.database(pg_template) as url:
        writers = [PostgresStorage(url, pool_size=2) for _ in range(2)]
        try:
            feeds = [[_event(i, "avl") for i in items] for _ in writers]
            random.Random(1).shuffle(feeds[1])
            stored: list[list[Event]] = [[], []]
            errors: list[BaseException] = []
            start = threading.Barrier(2)

            def write(n: int) -> None:
                try:
                    start.wait()
                    for i in range(0, len(items), 50):
                        stored[n] += writers[n].events.append(feeds[n][i : i + 50]).stored
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=write, args=(n,)) for n in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
            assert len(stored[0]) + len(stored[1]) == len(items)
            assert len({e.dedup_key for e in stored[0] + stored[1]}) == len(items)
            reader = writers[0].events
            assert reader.count_events() == len(items)
            for unit_id, item in newest.items():
                state = reader.entity(f"unit:{unit_id}")
                assert state is not None
                assert state.event["source_ref"] == item["id"]
        finally:
            for w in writers:
                w.close()


def test_one_dedup_key_raced_by_two_writers_is_stored_once(pg_template: str) -> None:
    with pg.database(pg_template) as url:
        writers = [PostgresStorage(url, pool_size=1) for _ in range(2)]
        try:
            for round_ in range(20):
                # The same report reaching both processes: two events, one dedup key.
                copies = [_event(gunshot(ref=f"race{round_}")) for _ in writers]
                results: list[int] = []
                start = threading.Barrier(2)
                threads = [
                    threading.Thread(target=_append_one, args=(w, c, start, results))
                    for w, c in zip(writers, copies, strict=True)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(results) == [0, 1]
            assert writers[1].events.count_events() == 20
        finally:
            for w in writers:
                w.close()


def _append_one(
    storage: Storage, event: Event, start: threading.Barrier, results: list[int]
) -> None:
    start.wait()
    results.append(len(storage.events.append([event]).stored))
