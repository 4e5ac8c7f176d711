"""Hotlists, their entries, hits and suppressed-hit counts in PostgreSQL (0031_hotlists.sql).

Rows and results are those of the SQLite store (the row readers are shared, in
rtcc.storage.sql.hotlist_rows). Several processes may change lists at once: every change
bumps the one `hotlist_revision` row in its own transaction, last, so each process's
matcher sees the change once it is committed, and rows that are read and then changed are
locked first (FOR UPDATE).
"""

import json
import time
import uuid
from collections.abc import Sequence
from datetime import datetime

from psycopg import errors

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
from rtcc.storage.postgres.database import Connection, Database
from rtcc.storage.sql.hotlist_rows import ENTRY_COLUMNS, HIT_COLUMNS, entry_from_row, hit_from_row

REVISION_TTL_S = 1.0  # how stale a change made by another process may be seen
_ENTRY_VALUES = ", ".join(["%s"] * 13)


def _bump(conn: Connection) -> None:
    """Last in a transaction: the row stays locked until commit, so changes serialise."""
    conn.execute("UPDATE hotlist_revision SET revision = revision + 1 WHERE id = 1")


class PostgresHotlistStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        # The matcher asks for the revision on every plate read; it is read from the
        # database after this store changed the lists, else at most once a second.
        self._stale = True
        self._revision = 0
        self._checked_at = 0.0

    def _changed(self) -> None:
        self._stale = True  # after commit: a read before it would cache the old revision

    # lists -----------------------------------------------------------------------------

    def create_list(self, name: str, source: ListSource, at: datetime) -> Hotlist:
        with self._db.transaction() as conn:
            created = conn.execute(
                "INSERT INTO hotlists (name, source, created_at, refreshed_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING RETURNING name",
                (name, source, iso(at), iso(at)),
            ).fetchone()
            if created is None:
                raise HotlistError("name", f"a list named {name!r} exists")
            _bump(conn)
        self._changed()
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
        Returns (loaded, removed). One transaction, the list row locked: a reader never
        sees half a refresh and two refreshes of one list run one after the other."""
        stamp = iso(at)
        with self._db.transaction() as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO hotlists (name, source, created_at, refreshed_at)"
                " VALUES (%s, 'ncic', %s, %s) ON CONFLICT (name) DO NOTHING",
                (name, stamp, stamp),
            )
            row = cur.execute(
                "SELECT source FROM hotlists WHERE name = %s FOR UPDATE", (name,)
            ).fetchone()
            if row and row[0] != "ncic":
                raise HotlistError(
                    "list", f"{name!r} is a custom list; files import into ncic lists"
                )
            cur.execute("UPDATE hotlists SET refreshed_at = %s WHERE name = %s", (stamp, name))
            existing = {
                (r[1], r[2] or "", r[3]): r[0]
                for r in cur.execute(
                    "SELECT id, plate, state, list_type FROM hotlist_entries WHERE list_name = %s",
                    (name,),
                ).fetchall()
            }
            updates, inserts = [], []
            for e in entries:
                fields = (e.reason, e.case_number, e.owner, e.vehicle, stamp, iso(e.expires_at))
                found = existing.get((e.plate, e.state or "", e.list_type))
                if found:
                    updates.append((*fields, found))
                    continue
                inserts.append(
                    (uuid.uuid4().hex, name, e.plate, e.state, e.list_type, e.reason,
                     e.case_number, e.owner, e.vehicle, by, stamp, stamp, iso(e.expires_at),
                     e.owner, stamp)
                )  # fmt: skip
            if updates:
                cur.executemany(
                    "UPDATE hotlist_entries SET reason = %s, case_number = %s, owner = %s,"
                    " vehicle = %s, seen_at = %s, expires_at = %s WHERE id = %s",
                    updates,
                )
            if inserts:
                cur.executemany(
                    f"INSERT INTO hotlist_entries ({ENTRY_COLUMNS}) VALUES"
                    f" ({_ENTRY_VALUES}, 'approved', %s, %s, NULL)",
                    inserts,
                )
            removed = cur.execute(
                "DELETE FROM hotlist_entries WHERE list_name = %s AND seen_at < %s",
                (name, stamp),
            ).rowcount
            _bump(conn)
        self._changed()
        return len(entries), removed

    def revision(self) -> int:
        now = time.monotonic()
        if self._stale or now - self._checked_at > REVISION_TTL_S:
            self._stale = False
            with self._db.reading() as conn:
                row = conn.execute("SELECT revision FROM hotlist_revision").fetchone()
            self._revision, self._checked_at = int(row[0]) if row else 0, now
        return self._revision

    # entries ---------------------------------------------------------------------------

    def entries(
        self, list_name: str | None = None, status: str | None = None
    ) -> list[HotlistEntry]:
        where, args = [], []
        if list_name is not None:
            where.append("list_name = %s")
            args.append(list_name)
        if status is not None:
            where.append("status = %s")
            args.append(status)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries {clause} ORDER BY list_name, plate"
        with self._db.reading() as conn:
            return [entry_from_row(row) for row in conn.execute(sql, args).fetchall()]

    def approved_entries(self) -> list[HotlistEntry]:
        return self.entries(status="approved")

    def get_entry(self, entry_id: str) -> HotlistEntry | None:
        with self._db.reading() as conn:
            sql = f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries WHERE id = %s"
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
                "SELECT source FROM hotlists WHERE name = %s", (list_name,)
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
                    f" ({_ENTRY_VALUES}, 'pending', NULL, NULL, NULL)",
                    (entry.id, list_name, new.plate, new.state, new.list_type, new.reason,
                     new.case_number, new.owner, new.vehicle, added_by, iso(at), iso(at),
                     iso(new.expires_at)),
                )  # fmt: skip
            except errors.UniqueViolation as exc:
                raise HotlistError("plate", f"{new.plate} is already on {list_name!r}") from exc
            _bump(conn)
        self._changed()
        return entry

    def decide_entry(
        self, entry_id: str, approve: bool, by: str, at: datetime, reason: str | None = None
    ) -> HotlistEntry | None:
        """Approve or reject a pending entry (not by its adder); None if there is no such
        entry. The entry is locked while deciding: two reviewers cannot both decide it."""
        with self._db.transaction() as conn:
            found = conn.execute(
                f"SELECT {ENTRY_COLUMNS} FROM hotlist_entries WHERE id = %s FOR UPDATE", (entry_id,)
            ).fetchone()
            if found is None:
                return None
            check_entry_decision(entry_from_row(found), by, approve, reason)
            conn.execute(
                "UPDATE hotlist_entries SET status = %s, decided_by = %s, decided_at = %s,"
                " reject_reason = %s WHERE id = %s",
                ("approved" if approve else "rejected", by, iso(at), reason, entry_id),
            )
            _bump(conn)
        self._changed()
        return self.get_entry(entry_id)

    # hits ------------------------------------------------------------------------------

    def add_hits(self, hits: Sequence[Hit]) -> None:
        """A hit already stored (same id: the same read matched again) is skipped."""
        with self._db.transaction() as conn, conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO hotlist_hits ({HIT_COLUMNS}) VALUES ({', '.join(['%s'] * 19)})"
                " ON CONFLICT (id) DO NOTHING",
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
        clause, args = ("WHERE status = %s", [status]) if status else ("", [])
        sql = f"SELECT {HIT_COLUMNS} FROM hotlist_hits {clause} ORDER BY seq DESC LIMIT %s"
        with self._db.reading() as conn:
            return [hit_from_row(row) for row in conn.execute(sql, [*args, limit]).fetchall()]

    def get_hit(self, hit_id: str) -> Hit | None:
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT {HIT_COLUMNS} FROM hotlist_hits WHERE id = %s", (hit_id,)
            ).fetchone()
        return hit_from_row(row) if row else None

    def decide_hit(
        self, hit_id: str, confirm: bool, by: str, at: datetime, reason: str | None = None
    ) -> Hit | None:
        """Confirm or dismiss a pending hit, recording who and when; None if unknown.
        Locked while deciding, so a second analyst sees the first one's decision."""
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {HIT_COLUMNS} FROM hotlist_hits WHERE id = %s FOR UPDATE", (hit_id,)
            ).fetchone()
            if row is None:
                return None
            check_hit_decision(hit_from_row(row), confirm, reason)
            conn.execute(
                "UPDATE hotlist_hits SET status = %s, decided_by = %s, decided_at = %s,"
                " dismiss_reason = %s WHERE id = %s",
                ("confirmed" if confirm else "dismissed", by, iso(at), reason, hit_id),
            )
        return self.get_hit(hit_id)

    def count_suppressed(self, list_name: str, reason: str, message: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO hotlist_suppressed (list_name, reason, count, last_at, last_message)"
                " VALUES (%s, %s, 1, %s, %s) ON CONFLICT (list_name, reason) DO UPDATE SET"
                " count = hotlist_suppressed.count + 1, last_at = excluded.last_at,"
                " last_message = excluded.last_message",
                (list_name, reason, iso(at), message),
            )

    def suppressed(self) -> list[SuppressedCount]:
        sql = (
            "SELECT list_name, reason, count, last_at, last_message FROM hotlist_suppressed"
            " ORDER BY list_name, reason"
        )
        with self._db.reading() as conn:
            return [SuppressedCount(*row) for row in conn.execute(sql).fetchall()]
