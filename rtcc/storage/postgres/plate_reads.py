"""Plate reads in PostgreSQL, indexed for partial-plate search and co-travel.

The same two tables as SQLite: `plates` (each distinct plate text once, under a small
integer id, with its read count) and `plate_reads` (one row per read, keyed by plate id
and time). Both are kept by statement-level triggers on `events` (0030_plates.sql), so
a batch of reads is indexed by the statement that stores it and retention deletes it.
The n-gram index over the distinct plates lives in memory (rtcc.analysis.plate_index).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from rtcc.core.clock import iso
from rtcc.storage.lpr import Circle, LatLonBox, PlateReadRow, ReadPage, in_circle
from rtcc.storage.postgres.database import Connection, Database

#: One row of `bulk_load`: plate, state, time (iso), reader, lat, lon, image_ref, event id.
BulkRead = tuple[str, str | None, str, str, float | None, float | None, str | None, str]

# Writers drawing new plate ids hold this lock shared until they commit (see the trigger);
# taken exclusively, it waits until no id is drawn but not yet visible.
_PLATE_IDS_LOCK = "1920232560, 0"  # 0x72746C70 "rtlp", as in 0030_plates.sql
_BATCH = 50_000
_COLUMNS = (
    "p.plate, r.plate_state, r.occurred_at, r.reader_id, r.lat, r.lon, r.image_ref, r.event_id"
)
_NEWEST = "ORDER BY occurred_at DESC, seq DESC"
_READS_OF = (
    f"SELECT {_COLUMNS} FROM plate_reads r JOIN plates p ON p.id = r.plate_id WHERE {{where}}"
    " ORDER BY r.occurred_at DESC, r.seq DESC"
)
# The page's keys from the primary key (index only), then those rows and their plates.
_PAGE = (
    f"SELECT {_COLUMNS} FROM (SELECT plate_id, occurred_at, seq FROM plate_reads"
    f" WHERE {{where}} {_NEWEST} LIMIT %s) k"
    " JOIN plate_reads r USING (plate_id, occurred_at, seq) JOIN plates p ON p.id = r.plate_id"
    " ORDER BY r.occurred_at DESC, r.seq DESC"
)
_BY_KEY = (
    f"SELECT {_COLUMNS} FROM unnest(%s::bigint[], %s::text[], %s::bigint[])"
    " WITH ORDINALITY AS k (plate_id, occurred_at, seq, i)"
    " JOIN plate_reads r USING (plate_id, occurred_at, seq) JOIN plates p ON p.id = r.plate_id"
    " ORDER BY k.i"
)


class PostgresPlateReadStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def plates_since(self, after_id: int) -> list[tuple[int, str]]:
        """Ids are drawn before their transaction commits, so a lower one can appear after
        a higher one; waiting for the writers drawing ids makes `after_id` a safe mark."""
        with self._db.transaction() as conn:
            conn.execute(f"SELECT pg_advisory_xact_lock({_PLATE_IDS_LOCK})")
            rows = conn.execute(
                "SELECT id, plate FROM plates WHERE id > %s ORDER BY id", (after_id,)
            ).fetchall()
        return [(int(i), str(p)) for i, p in rows]

    def plate_id(self, plate: str) -> int | None:
        with self._db.reading() as conn:
            row = conn.execute("SELECT id FROM plates WHERE plate = %s", (plate,)).fetchone()
        return int(row[0]) if row else None

    def plate_info(self, plate_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        sql = "SELECT id, plate, reads FROM plates WHERE id = ANY(%s::bigint[])"
        with self._db.reading() as conn:
            rows = conn.execute(sql, (list(plate_ids),)).fetchall()
        return {int(i): (str(p), int(n)) for i, p, n in rows}

    def reads_of(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
    ) -> list[PlateReadRow]:
        """One statement for all plates: each plate's (plate id, time) range of the
        primary key, with the plate text joined in."""
        if not plate_ids:
            return []
        ids = sorted(plate_ids)  # on both sides of the join: each goes by its index
        where, params = _where("r.", since, until, box)
        where = f"p.id = ANY(%s::bigint[]) AND {where}"
        with self._db.reading() as conn:
            rows = conn.execute(_READS_OF.format(where=where), [ids, ids, *params]).fetchall()
        return [_read(row) for row in rows]

    def newest_reads(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
        circle: Circle | None = None,
        limit: int | None = None,
    ) -> ReadPage:
        """The page's keys and the count come from the primary key alone (it carries lat
        and lon: an index-only scan), so only the page's rows are read from the table. A
        circle is tested in Python on (key, lat, lon) of the box's reads."""
        if not plate_ids:
            return ReadPage(0, [])
        if limit is None and circle is None:  # every read: one sort, each text looked up once
            reads = self.reads_of(plate_ids, since, until, box)
            return ReadPage(len(reads), reads)
        where, params = _where("", since, until, box)
        params = [sorted(plate_ids), *params]
        with self._db.reading() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            if circle is None:
                assert limit is not None  # every read is reads_of, above
                total, rows = _count_and_page(conn, where, params, limit)
            else:
                total, rows = _circle_page(conn, where, params, circle, limit)
        return ReadPage(total, [_read(row) for row in rows])

    def reads_at_reader(
        self, reader_id: str, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        sql = (
            "SELECT plate_id, occurred_at FROM plate_reads "
            "WHERE reader_id = %s AND occurred_at BETWEEN %s AND %s"
        )
        with self._db.reading() as conn:
            rows = conn.execute(sql, (reader_id, iso(since), iso(until))).fetchall()
        return [(int(p), datetime.fromisoformat(at)) for p, at in rows]

    def count_reads(self) -> int:
        with self._db.reading() as conn:
            row = conn.execute("SELECT count(*) FROM plate_reads").fetchone()
        return int(row[0]) if row else 0

    def bulk_load(self, reads: Iterable[BulkRead], seq_start: int = 1) -> int:
        """Load reads straight into the index, bypassing `events` (benchmarks, re-indexing).

        Meant for an empty index or a migration (live reads arrive through the triggers):
        new plates get ids in order of first appearance, reads go in by COPY in batches
        of 50,000, and the counts are added once at the end."""
        count = 0
        with self._db.transaction() as conn:
            conn.execute(f"SELECT pg_advisory_xact_lock_shared({_PLATE_IDS_LOCK})")
            known: dict[str, int] = {
                p: int(i) for p, i in conn.execute("SELECT plate, id FROM plates")
            }
            reads_per_plate: dict[int, int] = {}
            batch: list[tuple[object, ...]] = []
            for plate, state, at, reader, lat, lon, image, event in reads:
                batch.append((plate, at, seq_start + count, event, state, reader, lat, lon, image))
                count += 1
                if len(batch) >= _BATCH:
                    _insert(conn, known, reads_per_plate, batch)
                    batch = []
            _insert(conn, known, reads_per_plate, batch)
            counted = sorted(reads_per_plate.items())
            conn.execute(
                "UPDATE plates p SET reads = p.reads + u.n"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS u (id, n) WHERE p.id = u.id",
                ([i for i, _ in counted], [n for _, n in counted]),
            )
        return count


def _insert(
    conn: Connection,
    known: dict[str, int],
    reads_per_plate: dict[int, int],
    batch: list[tuple[object, ...]],
) -> None:
    """Give this batch's new plates their ids, then COPY its reads in by plate id."""
    fresh = list(dict.fromkeys(str(row[0]) for row in batch if row[0] not in known))
    if fresh:
        rows = conn.execute(
            "INSERT INTO plates AS p (plate) SELECT u.plate"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS u (plate, i) ORDER BY u.i"
            " ON CONFLICT (plate) DO UPDATE SET reads = p.reads RETURNING p.plate, p.id",
            (fresh,),
        ).fetchall()
        known.update((str(p), int(i)) for p, i in rows)
    columns = "plate_id, occurred_at, seq, event_id, plate_state, reader_id, lat, lon, image_ref"
    with conn.cursor() as cur, cur.copy(f"COPY plate_reads ({columns}) FROM STDIN") as copy:
        for plate, *rest in batch:
            plate_id = known[str(plate)]
            reads_per_plate[plate_id] = reads_per_plate.get(plate_id, 0) + 1
            copy.write_row((plate_id, *rest))


Row = tuple[str, str | None, str, str, float | None, float | None, str | None, str]


def _read(row: Row) -> PlateReadRow:
    plate, state, at, reader, lat, lon, image, event = row
    return PlateReadRow(plate, state, datetime.fromisoformat(at), reader, lat, lon, image, event)


def _where(
    alias: str, since: datetime | None, until: datetime | None, box: LatLonBox | None
) -> tuple[str, list[object]]:
    """Plates (one bigint[] parameter, first), window and box as a WHERE clause."""
    where = [f"{alias}plate_id = ANY(%s::bigint[])"]
    params: list[object] = []
    if since is not None:
        where.append(f"{alias}occurred_at >= %s")
        params.append(iso(since))
    if until is not None:
        where.append(f"{alias}occurred_at <= %s")
        params.append(iso(until))
    if box is not None:
        where.append(f"{alias}lat BETWEEN %s AND %s AND {alias}lon BETWEEN %s AND %s")
        params.extend(box)
    return " AND ".join(where), params


def _count_and_page(
    conn: Connection, where: str, params: list[object], limit: int
) -> tuple[int, list[Row]]:
    """The page first: when it is not full it is everything, and no count is needed."""
    page: list[Row] = conn.execute(_PAGE.format(where=where), [*params, limit]).fetchall()
    if len(page) < limit:
        return len(page), page
    row = conn.execute(f"SELECT count(*) FROM plate_reads WHERE {where}", params).fetchone()
    return (int(row[0]) if row else 0), page


def _circle_page(
    conn: Connection, where: str, params: list[object], circle: Circle, limit: int | None
) -> tuple[int, list[Row]]:
    """Keys and positions of the box's reads, newest first, tested exactly; then the
    page's rows are read by primary key, in the order of their keys."""
    keys_sql = (
        f"SELECT plate_id, occurred_at, seq, lat, lon FROM plate_reads WHERE {where} {_NEWEST}"
    )
    inside = [k[:3] for k in conn.execute(keys_sql, params) if in_circle(circle, k[3], k[4])]
    keys = inside if limit is None else inside[:limit]
    columns = [[k[i] for k in keys] for i in range(3)]
    rows: list[Row] = conn.execute(_BY_KEY, columns).fetchall() if keys else []
    return len(inside), rows
