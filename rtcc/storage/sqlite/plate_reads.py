"""Plate reads in SQLite, indexed for partial-plate search and co-travel.

The `plates` table holds each distinct plate text once under a small integer id;
`plate_reads` holds one row per read, clustered by (plate id, time) in a WITHOUT ROWID
table, so the reads of the plates a partial search found are a handful of contiguous
ranges. Both are filled by triggers on `events` (schema_plates.sql), so a read is indexed
in the same transaction that stores it and retention deletes it from both. The n-gram
index over the distinct plates lives in memory (rtcc.analysis.plate_index).
"""

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from rtcc.core.clock import iso
from rtcc.storage.lpr import Circle, LatLonBox, PlateReadRow, ReadPage, in_circle
from rtcc.storage.sqlite.database import Database

_READ_COLUMNS = (
    "r.plate_id, r.plate_state, r.occurred_at, r.reader_id, r.lat, r.lon, r.image_ref, r.event_id"
)
# Every read of the listed plates (a JSON array of distinct ids): the loop runs over the
# list and seeks each plate's range of the clustered key (CROSS JOIN fixes that order).
_MATCHING = "json_each(?) j CROSS JOIN plate_reads r ON r.plate_id = j.value"
_NEWEST = "ORDER BY r.occurred_at DESC, r.seq DESC"
# The newest `limit` (SQLite keeps a top-N sorter, not every row), then the texts of the
# page's plates only: a subquery with LIMIT is not flattened into the join.
_PAGE = (
    "SELECT p.plate, k.plate_state, k.occurred_at, k.reader_id, k.lat, k.lon, k.image_ref,"
    f" k.event_id FROM (SELECT {_READ_COLUMNS}, r.seq FROM {_MATCHING} {{where}}"
    f" {_NEWEST} LIMIT ?) k JOIN plates p ON p.id = k.plate_id"
    " ORDER BY k.occurred_at DESC, k.seq DESC"
)
_BY_KEY = (
    "SELECT p.plate, r.plate_state, r.occurred_at, r.reader_id, r.lat, r.lon, r.image_ref,"
    " r.event_id FROM json_each(?) j CROSS JOIN plate_reads r"
    " ON r.plate_id = json_extract(j.value, '$[0]')"
    " AND r.occurred_at = json_extract(j.value, '$[1]') AND r.seq = json_extract(j.value, '$[2]')"
    " JOIN plates p ON p.id = r.plate_id ORDER BY j.key"
)
#: The page is looked for first among the newest reads, about this many pages of them.
_PAGES_AFTER_CUT = 3
#: One row of `bulk_load`: plate, state, time (iso), reader, lat, lon, image_ref, event id.
BulkRead = tuple[str, str | None, str, str, float | None, float | None, str | None, str]


class SqlitePlateReadStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def plates_since(self, after_id: int) -> list[tuple[int, str]]:
        sql = "SELECT id, plate FROM plates WHERE id > ? ORDER BY id"
        with self._db.reading() as conn:
            return [(int(i), str(p)) for i, p in conn.execute(sql, (after_id,))]

    def plate_id(self, plate: str) -> int | None:
        with self._db.reading() as conn:
            row = conn.execute("SELECT id FROM plates WHERE plate = ?", (plate,)).fetchone()
        return int(row[0]) if row else None

    def plate_info(self, plate_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        sql = "SELECT id, plate, reads FROM plates WHERE id IN (SELECT value FROM json_each(?))"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (json.dumps(list(plate_ids)),)).fetchall()
        return {int(i): (str(p), int(n)) for i, p, n in rows}

    def reads_of(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
    ) -> list[PlateReadRow]:
        """One statement for all plates: SQLite walks the id list and seeks each plate's
        (plate id, time) range in the clustered key; plate texts come from one lookup."""
        if not plate_ids:
            return []
        ids = json.dumps(sorted(set(plate_ids)))
        where, params = _where(since, until, box)
        sql = f"SELECT {_READ_COLUMNS} FROM {_MATCHING} {where} {_NEWEST}"
        names_sql = "SELECT id, plate FROM plates WHERE id IN (SELECT value FROM json_each(?))"
        with self._db.reading() as conn:
            names = dict(conn.execute(names_sql, (ids,)).fetchall())
            rows = conn.execute(sql, [ids, *params]).fetchall()
        parse = datetime.fromisoformat
        return [
            PlateReadRow(names[pid], state, parse(at), reader, lat, lon, image, event)
            for pid, state, at, reader, lat, lon, image, event in rows
        ]

    def newest_reads(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
        circle: Circle | None = None,
        limit: int | None = None,
    ) -> ReadPage:
        """SQLite counts and keeps the newest `limit` (a top-N sort) while it seeks each
        plate's (plate id, time) range of the clustered key: only the page reaches Python,
        texts joined in. A circle is tested in Python on (key, lat, lon) of the box's
        reads, then only the page's rows are read in full."""
        if not plate_ids:
            return ReadPage(0, [])
        if limit is None and circle is None:  # every read: one sort, each text looked up once
            reads = self.reads_of(plate_ids, since, until, box)
            return ReadPage(len(reads), reads)
        where, params = _where(since, until, box)
        params = [json.dumps(sorted(set(plate_ids))), *params]
        with self._db.reading() as conn:
            conn.execute("BEGIN")  # one snapshot for the count and the page
            try:
                if circle is None:
                    assert limit is not None  # every read is reads_of, above
                    total, rows = _count_and_page(conn, where, params, limit)
                else:
                    total, rows = _circle_page(conn, where, params, circle, limit)
            finally:
                conn.execute("COMMIT")
        parse = datetime.fromisoformat
        reads = [
            PlateReadRow(plate, state, parse(at), reader, lat, lon, image, event)
            for plate, state, at, reader, lat, lon, image, event in rows
        ]
        return ReadPage(total, reads)

    def reads_at_reader(
        self, reader_id: str, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        sql = (
            "SELECT plate_id, occurred_at FROM plate_reads "
            "WHERE reader_id = ? AND occurred_at BETWEEN ? AND ?"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (reader_id, iso(since), iso(until))).fetchall()
        return [(int(p), datetime.fromisoformat(at)) for p, at in rows]

    def count_reads(self) -> int:
        with self._db.reading() as conn:
            return int(conn.execute("SELECT count(*) FROM plate_reads").fetchone()[0])

    def bulk_load(self, reads: Iterable[BulkRead], seq_start: int = 1) -> int:
        """Load reads straight into the index, bypassing `events` (benchmarks, re-indexing).

        Meant for an empty index or a migration (live reads arrive through the triggers):
        plate ids are handed out here, rows go in by the 50,000, the reader index is
        rebuilt once at the end instead of row by row, and the WAL is checkpointed."""
        count = 0
        with self._db.transaction() as conn:
            known: dict[str, int] = dict(conn.execute("SELECT plate, id FROM plates"))
            next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM plates").fetchone()[0])
            reads_per_plate: dict[int, int] = {}
            conn.execute("DROP INDEX IF EXISTS plate_reads_reader_time")
            batch: list[tuple[object, ...]] = []
            new_plates: list[tuple[int, str]] = []
            for plate, state, at, reader, lat, lon, image, event in reads:
                plate_id = known.get(plate)
                if plate_id is None:
                    next_id += 1
                    plate_id = known[plate] = next_id
                    new_plates.append((plate_id, plate))
                reads_per_plate[plate_id] = reads_per_plate.get(plate_id, 0) + 1
                batch.append(
                    (plate_id, at, seq_start + count, event, state, reader, lat, lon, image)
                )
                count += 1
                if len(batch) >= 50_000:
                    self._insert(conn, new_plates, batch)
                    batch, new_plates = [], []
            self._insert(conn, new_plates, batch)
            conn.executemany(
                "UPDATE plates SET reads = reads + ? WHERE id = ?",
                [(n, pid) for pid, n in reads_per_plate.items()],
            )
            conn.execute(
                "CREATE INDEX IF NOT EXISTS plate_reads_reader_time "
                "ON plate_reads (reader_id, occurred_at)"
            )
        self._db.checkpoint()  # else readers find every page loaded in a WAL as large
        return count

    @staticmethod
    def _insert(
        conn: sqlite3.Connection, plates: list[tuple[int, str]], reads: list[tuple[object, ...]]
    ) -> None:
        conn.executemany("INSERT INTO plates (id, plate) VALUES (?, ?)", plates)
        conn.executemany(
            "INSERT INTO plate_reads (plate_id, occurred_at, seq, event_id, plate_state, "
            "reader_id, lat, lon, image_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reads,
        )


def _where(
    since: datetime | None, until: datetime | None, box: LatLonBox | None
) -> tuple[str, list[object]]:
    """Window and box as the WHERE clause on `plate_reads r` (none if neither is given)."""
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        where.append("r.occurred_at >= ?")
        params.append(iso(since))
    if until is not None:
        where.append("r.occurred_at <= ?")
        params.append(iso(until))
    if box is not None:
        where.append("r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?")
        params.extend(box)
    return ("WHERE " + " AND ".join(where) if where else ""), params


Row = tuple[str, str | None, str, str, float | None, float | None, str | None, str]


def _count_and_page(
    conn: sqlite3.Connection, where: str, params: list[object], limit: int
) -> tuple[int, list[Row]]:
    """Count first, with the time span of the matching reads; then look for the page
    among the reads after a cut that, were they spread evenly, would hold a few pages:
    the top-N sort then sees hundreds of rows, not tens of thousands. Exact either way:
    with a page's worth after the cut, no read before it can be among the newest; with
    less (reads bunched in the past), the page is looked for among them all."""
    span = f"SELECT count(*), min(r.occurred_at), max(r.occurred_at) FROM {_MATCHING} {where}"
    total, first, last = conn.execute(span, params).fetchone()
    if not total or not limit:
        return int(total), []
    if total > limit:
        cut = _cut(first, last, _PAGES_AFTER_CUT * limit / total)
        recent = f"{where} AND r.occurred_at >= ?" if where else "WHERE r.occurred_at >= ?"
        page: list[Row] = conn.execute(_PAGE.format(where=recent), [*params, cut, limit]).fetchall()
        if len(page) == limit:
            return int(total), page
    return int(total), conn.execute(_PAGE.format(where=where), [*params, limit]).fetchall()


def _cut(first: str, last: str, share: float) -> str:
    """The time `share` of the way back from `last` to `first` (stored ISO strings)."""
    if share >= 1:
        return first
    start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
    return iso(end - (end - start) * share)


def _circle_page(
    conn: sqlite3.Connection,
    where: str,
    params: list[object],
    circle: Circle,
    limit: int | None,
) -> tuple[int, list[Row]]:
    """Keys and positions of the box's reads, newest first, tested exactly; then the
    page's rows are read in full by primary key, in the order of their keys."""
    keys_sql = (
        f"SELECT r.plate_id, r.occurred_at, r.seq, r.lat, r.lon FROM {_MATCHING} {where} {_NEWEST}"
    )
    inside = [k[:3] for k in conn.execute(keys_sql, params) if in_circle(circle, k[3], k[4])]
    if not inside:
        return 0, []
    keys = inside if limit is None else inside[:limit]
    rows = conn.execute(_BY_KEY, (json.dumps(keys),))
    return len(inside), rows.fetchall()
