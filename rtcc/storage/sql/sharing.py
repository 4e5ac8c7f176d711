"""Partners, shares and used request signatures (both backends).

A replayed request is refused by the signature's primary key: of two processes that see
the same signature at once, exactly one inserts it (`ON CONFLICT DO NOTHING`).
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import Partner, Share
from rtcc.storage.sql import SqlDatabase

SIGNATURES_KEPT = timedelta(hours=1)  # well past the 5-minute window a request is valid in
_SHARE = "id, partner_id, kinds, area, purposes, until, created_by, created_at, revoked_at"


def _share(row: tuple[Any, ...]) -> Share:
    return Share(
        id=int(row[0]),
        partner_id=row[1],
        kinds=json.loads(row[2]),
        area=json.loads(row[3]),
        purposes=json.loads(row[4]),
        until=datetime.fromisoformat(row[5]),
        created_by=row[6],
        created_at=row[7],
        revoked_at=row[8],
    )


class SqlSharingStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add_partner(self, partner_id: str, name: str, public_key_pem: str) -> Partner:
        partner = Partner(partner_id, name, public_key_pem, iso(utcnow()))
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO partners (id, name, public_key_pem, created_at) VALUES (?, ?, ?, ?)",
                (partner.id, name, public_key_pem, partner.created_at),
            )
        return partner

    def partner(self, partner_id: str) -> Partner | None:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT id, name, public_key_pem, created_at FROM partners WHERE id = ?",
                (partner_id,),
            ).fetchone()
        return Partner(*row) if row else None

    def partners(self) -> list[Partner]:
        with self._db.reading() as conn:
            rows = conn.execute("SELECT id, name, public_key_pem, created_at FROM partners")
            return [Partner(*row) for row in rows.fetchall()]

    def add_share(
        self,
        partner_id: str,
        kinds: Sequence[str],
        area: dict[str, Any],
        purposes: Sequence[str],
        until: datetime,
        created_by: str,
    ) -> Share:
        with self._db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO shares (partner_id, kinds, area, purposes, until, created_by, "
                f"created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_SHARE}",
                (
                    partner_id,
                    json.dumps(list(kinds)),
                    json.dumps(area),
                    json.dumps(list(purposes)),
                    iso(until),
                    created_by,
                    iso(utcnow()),
                ),
            ).fetchone()
        assert row is not None  # INSERT … RETURNING always returns the row
        return _share(row)

    def shares(self, partner_id: str | None = None) -> list[Share]:
        where, args = ("WHERE partner_id = ?", (partner_id,)) if partner_id else ("", ())
        with self._db.reading() as conn:
            rows = conn.execute(f"SELECT {_SHARE} FROM shares {where} ORDER BY id", args)
            return [_share(row) for row in rows.fetchall()]

    def revoke_share(self, share_id: int, at: datetime) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (iso(at), share_id),
            )
            return cursor.rowcount == 1

    def first_use_of_signature(self, signature: str, at: datetime) -> bool:
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM partner_signatures WHERE seen_at < ?", (iso(at - SIGNATURES_KEPT),)
            )
            cursor = conn.execute(
                "INSERT INTO partner_signatures (signature, seen_at) VALUES (?, ?) "
                "ON CONFLICT (signature) DO NOTHING",
                (signature, iso(at)),
            )
            return cursor.rowcount == 1
