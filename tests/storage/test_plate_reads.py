"""The plate-read index is kept by the events table itself: same transaction, same deletes."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.core.geo import bbox_around, haversine_m, offset_m
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage
from tests.conftest import gunshot

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def lpr_read(
    plate: str,
    reader: str = "LPR01",
    at: datetime = T0,
    lat: float = 39.9612,
    lon: float = -82.9988,
    state: str | None = "OH",
    image_ref: str | None = None,
    ref: str | None = None,
) -> dict[str, Any]:
    """One wire `lpr_read` event; `ref` defaults to plate+reader+time (unique per read)."""
    payload: dict[str, Any] = {"reader_id": reader, "plate": plate, "plate_state": state}
    if image_ref is not None:
        payload["image_ref"] = image_ref
    return {
        "kind": "lpr_read",
        "id": ref or f"{plate}-{reader}-{int(at.timestamp())}",
        "occurred_at": at.isoformat(),
        "location": {"lat": lat, "lon": lon},
        "payload": payload,
    }


def store_reads(storage: Storage, items: list[dict[str, Any]]) -> list[Event]:
    events = [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", T0) for i in items]
    return storage.events.append(events).stored


def marks(storage: Storage, sql: str) -> str:
    """`sql` with the backend's placeholders (written with SQLite's `?`)."""
    return sql if isinstance(storage, SqliteStorage) else sql.replace("?", "%s")


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def test_a_stored_read_is_indexed_with_everything_search_returns(storage: Storage) -> None:
    stored = store_reads(
        storage,
        [
            lpr_read("7AB123", image_ref="img/1.jpg"),
            lpr_read("7AB123", "LPR02", T0 + timedelta(minutes=5), 39.97, -83.0),
            lpr_read("XYZ999"),
            gunshot(),
        ],
    )
    assert storage.plate_reads.plates_since(0) == [(1, "7AB123"), (2, "XYZ999")]
    assert storage.plate_reads.plates_since(1) == [(2, "XYZ999")]
    assert storage.plate_reads.plate_info([1, 2]) == {1: ("7AB123", 2), 2: ("XYZ999", 1)}
    assert storage.plate_reads.count_reads() == 3
    second, first = storage.plate_reads.reads_of([1])  # newest first
    assert (first.plate, first.plate_state, first.reader_id) == ("7AB123", "OH", "LPR01")
    assert (first.occurred_at, first.image_ref, first.event_id) == (T0, "img/1.jpg", stored[0].id)
    assert (second.lat, second.lon, second.image_ref) == (39.97, -83.0, None)


def test_reads_are_filtered_by_time_and_box(storage: Storage) -> None:
    store_reads(
        storage,
        [
            lpr_read("7AB123", at=T0),
            lpr_read("7AB123", at=T0 + timedelta(hours=1), lat=40.5),
            lpr_read("7AB123", at=T0 + timedelta(hours=2)),
        ],
    )
    window = storage.plate_reads.reads_of([1], T0 + timedelta(minutes=30), T0 + timedelta(hours=3))
    assert [r.occurred_at for r in window] == [T0 + timedelta(hours=2), T0 + timedelta(hours=1)]
    boxed = storage.plate_reads.reads_of([1], box=(40.0, 41.0, -84.0, -82.0))
    assert [r.lat for r in boxed] == [40.5]
    assert storage.plate_reads.reads_of([]) == []


def test_newest_reads_counts_all_and_builds_the_newest_page(storage: Storage) -> None:
    """The page is the newest `limit` reads (ties: the later stored first), the total
    counts every read in the window, box and circle, on either engine."""
    at = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    stored = store_reads(
        storage,
        [
            lpr_read("7AB123", "R1", at[0], ref="a"),
            lpr_read("XAB129", "R2", at[1], 40.5, -83.0, ref="b"),
            lpr_read("7AB123", "R3", at[2], ref="c"),  # same time as b, stored after it
            lpr_read("XAB129", "R4", at[3], 40.5, -83.0, ref="d"),
            lpr_read("ZZZ999", "R5", at[3], ref="e"),  # another plate: never counted
        ],
    )
    ids = {f"R{i}": e.id for i, e in enumerate(stored, 1)}
    store = storage.plate_reads
    every = store.newest_reads([1, 2])
    assert every.total == 4 and [r.event_id for r in every.reads] == [
        ids["R4"],
        ids["R3"],
        ids["R2"],
        ids["R1"],
    ]
    assert every.reads == store.reads_of([1, 2])
    page = store.newest_reads([1, 2], limit=2)
    assert page.total == 4 and page.reads == every.reads[:2]
    assert store.newest_reads([2, 1], limit=0) == (4, [])
    assert store.newest_reads([1, 2], limit=10) == every
    windowed = store.newest_reads([1, 2], since=at[1], until=at[2], limit=1)
    assert windowed.total == 2 and [r.reader_id for r in windowed.reads] == ["R3"]
    boxed = store.newest_reads([1, 2], box=(40.0, 41.0, -84.0, -82.0), limit=1)
    assert boxed.total == 2 and [r.reader_id for r in boxed.reads] == ["R4"]
    assert store.newest_reads([]) == (0, [])
    assert store.newest_reads([99]) == (0, [])


def test_the_page_is_the_newest_whether_reads_are_spread_or_bunched(storage: Storage) -> None:
    """The store looks for the page among the newest reads first (a cut guessed from the
    time span): right when reads are spread evenly, and still right when most are bunched
    long ago and the cut holds less than a page."""
    even = [lpr_read("EVN100", f"R{i}", T0 + timedelta(hours=i)) for i in range(30)]
    old = [lpr_read("BNC200", f"R{i}", T0 + timedelta(seconds=i)) for i in range(28)]
    late = [lpr_read("BNC200", f"L{i}", T0 + timedelta(days=10, seconds=i)) for i in range(2)]
    store_reads(storage, [*even, *old, *late])
    store = storage.plate_reads
    for plate_id in (1, 2):
        every = store.reads_of([plate_id])
        for limit in (1, 3, 5, 29, 30, 31):
            page = store.newest_reads([plate_id], limit=limit)
            assert page == (30, every[:limit]), (plate_id, limit)
        since = T0 + timedelta(hours=3)
        assert (
            store.newest_reads([plate_id], since, limit=4).reads
            == (store.reads_of([plate_id], since)[:4])
        )


def test_newest_reads_keeps_a_circle_exact(storage: Storage) -> None:
    """Within the box, only reads within the radius by great-circle distance count; a
    read just outside the circle but inside its box is neither counted nor shown."""
    centre = (39.9612, -82.9988)
    box = bbox_around(*centre, 1_000)
    inside, corner = offset_m(*centre, 990, 0), offset_m(*centre, 800, 800)  # corner: 1,131 m
    assert haversine_m(*centre, *inside) <= 1_000 < haversine_m(*centre, *corner)
    store_reads(
        storage,
        [
            lpr_read("7AB123", "R1", T0, *centre),
            lpr_read("7AB123", "R2", T0 + timedelta(minutes=1), *inside),
            lpr_read("7AB123", "R3", T0 + timedelta(minutes=2), *corner),
            lpr_read("7AB123", "R4", T0 + timedelta(minutes=3), 41.0, -82.0),
        ],
    )
    store = storage.plate_reads
    circle = (*centre, 1_000.0)
    found = store.newest_reads([1], box=box, circle=circle)
    assert found.total == 2 and [r.reader_id for r in found.reads] == ["R2", "R1"]
    page = store.newest_reads([1], box=box, circle=circle, limit=1)
    assert page.total == 2 and page.reads == found.reads[:1]
    assert store.newest_reads([1], box=box, circle=circle, limit=0) == (2, [])
    assert store.newest_reads([1], circle=circle).total == 2  # no box: the circle alone
    late = store.newest_reads([1], T0 + timedelta(minutes=1), box=box, circle=circle)
    assert [r.reader_id for r in late.reads] == ["R2"]


def test_reads_at_a_reader_in_a_window(storage: Storage) -> None:
    store_reads(
        storage,
        [
            lpr_read("AAA111", "LPR01", T0),
            lpr_read("BBB222", "LPR01", T0 + timedelta(seconds=30)),
            lpr_read("CCC333", "LPR02", T0 + timedelta(seconds=30)),
            lpr_read("DDD444", "LPR01", T0 + timedelta(minutes=10)),
        ],
    )
    found = storage.plate_reads.reads_at_reader("LPR01", T0, T0 + timedelta(minutes=1))
    assert sorted(found) == [(1, T0), (2, T0 + timedelta(seconds=30))]


def test_a_duplicate_read_is_not_indexed_twice(storage: Storage) -> None:
    store_reads(storage, [lpr_read("7AB123", ref="same")])
    store_reads(storage, [lpr_read("7AB123", ref="same")])
    assert storage.plate_reads.count_reads() == 1
    assert storage.plate_reads.plate_info([1]) == {1: ("7AB123", 1)}


def test_a_failed_batch_leaves_no_index_rows(storage: Storage) -> None:
    """The index rows live and die with the event rows: one transaction."""
    store_reads(storage, [lpr_read("7AB123")])
    payload = '{"plate": "NEW1", "reader_id": "R"}'
    at = "2026-11-25T20:00:00.000000+00:00"
    with pytest.raises(RuntimeError), storage.db.transaction() as conn:
        conn.execute(
            marks(
                storage,
                "INSERT INTO events (id, dedup_key, kind, source, occurred_at, received_at, "
                "payload) VALUES ('x', 'k', 'lpr_read', 's', ?, ?, ?)",
            ),
            (at, at, payload),
        )
        assert conn.execute("SELECT count(*) FROM plate_reads").fetchone()[0] == 2
        raise RuntimeError("the rest of the batch failed")
    assert storage.plate_reads.plates_since(0) == [(1, "7AB123")]
    assert storage.plate_reads.count_reads() == 1


def test_retention_deletes_the_read_from_the_index(storage: Storage) -> None:
    kept, gone = store_reads(
        storage, [lpr_read("7AB123"), lpr_read("7AB123", at=T0 + timedelta(days=1))]
    )
    with storage.db.transaction() as conn:
        conn.execute(marks(storage, "DELETE FROM events WHERE id = ?"), (gone.id,))
    assert [r.event_id for r in storage.plate_reads.reads_of([1])] == [kept.id]
    assert storage.plate_reads.plate_info([1]) == {1: ("7AB123", 1)}


def test_bulk_load_fills_plates_and_counts(storage: Storage) -> None:
    at = "2026-11-25T20:00:00.000000+00:00"
    rows = [
        ("7AB123", "OH", at, "R1", 39.9, -83.0, None, "e1"),
        ("7AB123", "OH", "2026-11-25T21:00:00.000000+00:00", "R2", 39.9, -83.0, None, "e2"),
        ("ABC1234", None, at, "R1", None, None, "img", "e3"),
    ]
    assert storage.plate_reads.bulk_load(rows) == 3
    assert storage.plate_reads.plate_info([1, 2]) == {1: ("7AB123", 2), 2: ("ABC1234", 1)}
    newest, *rest = storage.plate_reads.reads_of([1, 2])
    assert newest.event_id == "e2" and {r.event_id for r in rest} == {"e1", "e3"}
    assert {r.plate for r in rest} == {"7AB123", "ABC1234"}


# PostgreSQL: several processes append reads at once --------------------------------------


def test_concurrent_appends_keep_every_read_and_count(pg_url: str) -> None:
    """Four storages (as four processes) append overlapping plates at once: every read is
    indexed once, each plate has one id and its count is its number of reads."""
    from rtcc.storage.postgres import PostgresStorage

    plates = [f"CC{i:03d}" for i in range(12)]
    writers = [PostgresStorage(pg_url, pool_size=2) for _ in range(4)]
    start, failures = threading.Barrier(len(writers)), []
    expected: Counter[str] = Counter()
    batches = []
    for w in range(len(writers)):
        mine = []
        for b in range(15):
            batch = [plates[(w * 7 + b * 5 + i) % len(plates)] for i in range(16)]
            expected.update(batch)
            mine.append([
                lpr_read(p, at=T0 + timedelta(seconds=b), ref=f"w{w}-b{b}-{i}")
                for i, p in enumerate(batch)
            ])  # fmt: skip
        batches.append(mine)

    def write(storage: Storage, mine: list[list[dict[str, Any]]]) -> None:
        try:
            start.wait()
            for items in mine:
                store_reads(storage, items)
        except Exception as exc:  # reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=write, args=(s, mine))
        for s, mine in zip(writers, batches, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert failures == []
        store = writers[0].plate_reads
        listed = store.plates_since(0)
        assert sorted(p for _, p in listed) == plates  # each plate once
        info = store.plate_info([i for i, _ in listed])
        assert {p: n for p, n in info.values()} == dict(expected)
        assert store.count_reads() == sum(expected.values())
        for plate_id, plate in listed:
            assert len(store.reads_of([plate_id])) == expected[plate]
    finally:
        for w in writers:
            w.close()


def test_plates_since_waits_for_a_plate_id_still_in_flight(pg_url: str) -> None:
    """A plate id drawn by a transaction that has not committed yet is lower than one
    committed meanwhile: `plates_since` waits for it rather than skip it for good."""
    from rtcc.storage.postgres import PostgresStorage

    storage = PostgresStorage(pg_url, pool_size=4)
    at = "2026-11-25T20:00:00.000000+00:00"
    found: list[list[tuple[int, str]]] = []
    try:
        with psycopg.connect(pg_url) as slow:  # a writer whose batch is not committed yet
            slow.execute(
                "INSERT INTO events (id, dedup_key, kind, source, occurred_at, received_at,"
                " payload) VALUES ('slow', 'slow', 'lpr_read', 's', %s, %s, %s)",
                (at, at, '{"plate": "SLOW1", "reader_id": "R"}'),
            )
            store_reads(storage, [lpr_read("FAST2")])  # draws the next id and commits
            store = storage.plate_reads
            reader = threading.Thread(target=lambda: found.append(store.plates_since(0)))
            reader.start()
            reader.join(0.5)
            assert reader.is_alive()
            slow.commit()
        reader.join(10)
        assert found == [[(1, "SLOW1"), (2, "FAST2")]]
        assert storage.plate_reads.plates_since(1) == [(2, "FAST2")]
    finally:
        storage.close()
