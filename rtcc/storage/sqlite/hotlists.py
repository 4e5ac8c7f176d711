"""Hotlists, their entries, hits and suppressed-hit counts in SQLite (schema_hotlists.sql).

The row readers are shared with the PostgreSQL store (rtcc.storage.sql.hotlist_rows).
"""

import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from datetime import datetime

from rtcc.analysis.hotlists.approval import check_entry_decision, check_hit_decision
from rtcc.analysis.hotlists.models import (
    Hit,
    Hotlist,
    HotlistEntry,
    HotlistError,
    ListSource,
    NewEntry,
    SuppressedCount,
)
from rtcc.core.clock import iso
from rtcc.storage.sql.hotlist_rows import ENTRY_COLUMNS, HIT_COLUMNS, entry_from_row, hit_from_row
from rtcc.storage.sqlite.database import Database


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE hotlist_revision SET revision = revision + 1 WHERE id = 1")


REVISION_TTL_S = 1.0  # how stale a change made by another process may be seen


class SqliteHotlistStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        # The matcher asks for the revision on every plate read; it is read from the
        # database when this store changed the lists, else at most once a second.
        self._stale = True
        self._revision = 0
        self._checked_at = 0.0

    # lists -----------------------------------------------------------------------------

    def create_list(self, name: str, source: ListSource, at: datetime) -> Hotlist:
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM hotlists WHERE name = ?", (name,)).fetchone():
                raise HotlistError("name", f"a list named {name!r} exists")
            conn.execute(
                "INSERT INTO hotlists (name, source, created_at, refreshed_at) VALUES (?,?,?,?)",
                (name, source, iso(at), iso(at)),
            )
            _bump(conn)
            self._stale = True
        return Hotlist(name, source, at, at)

    def lists(self) -> list[Hotlist]:
        sql = "SELECT name, source, created_at, refreshed_at FROM hotlists ORDER BY name"
        with self._db.reading() as conn:
            rows = conn.execute(sql).fetchall()
        return [
            Hotlist(r[0], r[1], datetime.fromisoformat(r[2]), datetime.fromisoformat(r[3]))
            for r in rows
        ]

    def get_list(self, name: str) -> Hotlist | None:
        return next((hotlist for hotlist in self.lists() if hotlist.name == name), None)

    def refresh_list(
        self, name: str, entries: Sequence[NewEntry], by: str, at: datetime
    ) -> tuple[int, int]:
        """Make an imported list hold exactly `entries`: present ones are re-confirmed (seen
        at `at`), new ones added, the rest deleted; the list's refresh time becomes `at`.
        Returns (loaded, removed). One transaction: a reader never sees half a refresh."""
        stamp = iso(at)
        with self._db.transaction() as conn:
            row = conn.execute("SELECT source FROM hotlists WHERE name = ?", (name,)).fetchone()
            if row and row[0] != "ncic":
                raise HotlistError(
                    "list", f"{name!r} is a custom list; files import into ncic lists"
                )
            if row is None:
                conn.execute(
                    "INSERT INTO hotlists (name, source, created_at, refreshed_at)"
                    " VALUES (?, 'ncic', ?, ?)",
                    (name, stamp, stamp),
                )
            conn.execute("UPDATE hotlists SET refreshed_at = ? WHERE name = ?", (stamp, name))
            existing = {
                (r[1], r[2] or "", r[3]): r[0]
                for r in conn.execute(
                    "SELECT id, plate, state, list_type FROM hotlist_entries WHERE list_name = ?",
                    (name,),
                )
            }
            for e in entries:
                fields = (e.reason, e.case_number, e.owner, e.vehicle, stamp, iso(e.expires_at))
                found = existing.get((e.plate, e.state or "", e.list_type))
                if found:
                    conn.execute(
                        "UPDATE hotlist_entries SET reason = ?, case_number = ?, owner = ?,"
                        " vehicle = ?, seen_at = ?, expires_at = ? WHERE id = ?",
                        (*fields, found),
                    )
                    continue
                conn.execute(
                    f"INSERT INTO hotlist_entries ({ENTRY_COLUMNS}) VALUES"
                    " (?,?,?,?,?,?,?,?,?,?,?,?,?,'approved',?,?,NULL)",
                    (uuid.uuid4().hex, name, e.plate, e.state, e.list_type, e.reason,
                     e.case_number, e.owner, e.vehicle, by, stamp, stamp, iso(e.expires_at),
                     e.owner, stamp),
                )  # fmt: skip
            removed = conn.execute(
                "DELETE FROM hotlist_entries WHERE list_name = ? AND seen_at < ?", (name, stamp)
            ).rowcount
            _bump(conn)
            self._stale = True
        return len(entries), removed

    def revision(self) -> int:
        now = time.monotonic()
        if self._stale or now - self._checked_at > REVISION_TTL_S:
            self._stale = False
            with self._db.reading() as conn:
                row = conn.execute("SELECT revision FROM hotlist_revision").fetchone()
            self._revision, self._checked_at = int(row[0]), now
        return self._revision

    # entries ---------------------------------------------------------------------------

    def entries(
        self, list_name: str | None = None, status: str | None = None
    ) -> list[HotlistEntry]:
        where, args = [], []
        if list_name is not None:
            where.append("list_name = ?")
            args.append(list_name)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries {clause} ORDER BY list_name, plate"
        with self._db.reading() as conn:
            return [entry_from_row(row) for row in conn.execute(sql, args)]

    def approved_entries(self) -> list[HotlistEntry]:
        return self.entries(status="approved")

    def get_entry(self, entry_id: str) -> HotlistEntry | None:
        with self._db.reading() as conn:
            sql = f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries WHERE id = ?"
            row = conn.execute(sql, (entry_id,)).fetchone()
        return entry_from_row(row) if row else None

    def add_entry(self, list_name: str, new: NewEntry, added_by: str, at: datetime) -> HotlistEntry:
        """A custom entry, pending until a second person approves it."""
        entry = HotlistEntry(
            uuid.uuid4().hex, list_name, new.plate, new.state, new.list_type, new.reason,
            new.case_number, new.owner, new.vehicle, added_by, at, at, new.expires_at,
            "pending",
        )  # fmt: skip
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT source FROM hotlists WHERE name = ?", (list_name,)
            ).fetchone()
            if row is None:
                raise HotlistError("list", f"no list named {list_name!r}")
            if row[0] != "custom":
                raise HotlistError(
                    "list", f"{list_name!r} is refreshed from files; add to a custom list"
                )
            try:
                conn.execute(
                    f"INSERT INTO hotlist_entries ({ENTRY_COLUMNS}) VALUES"
                    " (?,?,?,?,?,?,?,?,?,?,?,?,?,'pending',NULL,NULL,NULL)",
                    (entry.id, list_name, new.plate, new.state, new.list_type, new.reason,
                     new.case_number, new.owner, new.vehicle, added_by, iso(at), iso(at),
                     iso(new.expires_at)),
                )  # fmt: skip
            except sqlite3.IntegrityError as exc:
                raise HotlistError("plate", f"{new.plate} is already on {list_name!r}") from exc
            _bump(conn)
            self._stale = True
        return entry

    def decide_entry(
        self, entry_id: str, approve: bool, by: str, at: datetime, reason: str | None = None
    ) -> HotlistEntry | None:
        """Approve or reject a pending entry (not by its adder); None if there is no such entry."""
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries WHERE id = ?", (entry_id,)
            )
            found = row.fetchone()
            if found is None:
                return None
            check_entry_decision(entry_from_row(found), by, approve, reason)
            conn.execute(
                "UPDATE hotlist_entries SET status = ?, decided_by = ?, decided_at = ?,"
                " reject_reason = ? WHERE id = ?",
                ("approved" if approve else "rejected", by, iso(at), reason, entry_id),
            )
            _bump(conn)
            self._stale = True
        return self.get_entry(entry_id)

    # hits ------------------------------------------------------------------------------

    def add_hits(self, hits: Sequence[Hit]) -> None:
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT OR IGNORE INTO hotlist_hits ({HIT_COLUMNS})"
                f" VALUES ({', '.join('?' * 19)})",
                [
                    (h.id, h.event_id, h.list_name, json.dumps(h.entry), h.plate_read,
                     h.state_read, int(h.lookalike), json.dumps(list(h.positions)), h.image_ref,
                     h.reader_id, h.lat, h.lon, iso(h.read_at), iso(h.created_at), h.origin,
                     h.status, h.decided_by, iso(h.decided_at) if h.decided_at else None,
                     h.dismiss_reason)
                    for h in hits
                ],
            )  # fmt: skip

    def hits(self, status: str | None = None, limit: int = 200) -> list[Hit]:
        """Newest first."""
        clause, args = ("WHERE status = ?", [status]) if status else ("", [])
        sql = f"SELECT {HIT_COLUMNS} FROM hotlist_hits {clause} ORDER BY seq DESC LIMIT ?"
        with self._db.reading() as conn:
            return [hit_from_row(row) for row in conn.execute(sql, [*args, limit])]

    def get_hit(self, hit_id: str) -> Hit | None:
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT {HIT_COLUMNS} FROM hotlist_hits WHERE id = ?", (hit_id,)
            ).fetchone()
        return hit_from_row(row) if row else None

    def decide_hit(
        self, hit_id: str, confirm: bool, by: str, at: datetime, reason: str | None = None
    ) -> Hit | None:
        """Confirm or dismiss a pending hit, recording who and when; None if unknown."""
        with self._db.transaction() as conn:
            found = conn.execute(f"SELECT {HIT_COLUMNS} FROM hotlist_hits WHERE id = ?", (hit_id,))
            row = found.fetchone()
            if row is None:
                return None
            check_hit_decision(hit_from_row(row), confirm, reason)
            conn.execute(
                "UPDATE hotlist_hits SET status = ?, decided_by = ?, decided_at = ?,"
                " dismiss_reason = ? WHERE id = ?",
                ("confirmed" if confirm else "dismissed", by, iso(at), reason, hit_id),
            )
        return self.get_hit(hit_id)

    def count_suppressed(self, list_name: str, reason: str, message: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO hotlist_suppressed (list_name, reason, count, last_at, last_message)"
                " VALUES (?, ?, 1, ?, ?) ON CONFLICT (list_name, reason) DO UPDATE SET"
                " count = count + 1, last_at = excluded.last_at,"
                " last_message = excluded.last_message",
                (list_name, reason, iso(at), message),
            )

    def suppressed(self) -> list[SuppressedCount]:
        sql = (
            "SELECT list_name, reason, count, last_at, last_message FROM hotlist_suppressed"
            " ORDER BY list_name, reason"
        )
        with self._db.reading() as conn:
            return [SuppressedCount(*row) for row in conn.execute(sql)]
