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
from rtcc.storage.base import LatLonBox, PlateReadRow
from rtcc.storage.sqlite.database import Database

_READ_COLUMNS = "plate_id, plate_state, occurred_at, reader_id, lat, lon, image_ref, event_id"
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
        ids = json.dumps(sorted(plate_ids))
        where = ["plate_id IN (SELECT value FROM json_each(?))"]
        params: list[object] = [ids]
        if since is not None:
            where.append("occurred_at >= ?")
            params.append(iso(since))
        if until is not None:
            where.append("occurred_at <= ?")
            params.append(iso(until))
        if box is not None:
            where.append("lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
            params.extend(box)
        sql = (
            f"SELECT {_READ_COLUMNS} FROM plate_reads WHERE {' AND '.join(where)} "
            "ORDER BY occurred_at DESC"
        )
        names_sql = "SELECT id, plate FROM plates WHERE id IN (SELECT value FROM json_each(?))"
        with self._db.reading() as conn:
            names = dict(conn.execute(names_sql, (ids,)).fetchall())
            rows = conn.execute(sql, params).fetchall()
        parse = datetime.fromisoformat
        return [
            PlateReadRow(names[pid], state, parse(at), reader, lat, lon, image, event)
            for pid, state, at, reader, lat, lon, image, event in rows
        ]

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
        plate ids are handed out here, rows go in by the 50,000, and the reader index is
        rebuilt once at the end instead of row by row."""
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
