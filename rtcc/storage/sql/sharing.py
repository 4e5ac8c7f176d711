"""Partners, shares and used request signatures in PostgreSQL.

A replayed request is refused by the signature's primary key: of two processes that see
the same signature at once, exactly one inserts it (`ON CONFLICT DO NOTHING`).
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import Partner, Share
from rtcc.storage.postgres.database import Database

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


class PostgresSharingStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_partner(self, partner_id: str, name: str, public_key_pem: str) -> Partner:
        partner = Partner(partner_id, name, public_key_pem, iso(utcnow()))
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO partners (id, name, public_key_pem, created_at) "
                "VALUES (%s, %s, %s, %s)",
                (partner.id, name, public_key_pem, partner.created_at),
            )
        return partner

    def partner(self, partner_id: str) -> Partner | None:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT id, name, public_key_pem, created_at FROM partners WHERE id = %s",
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
                f"created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {_SHARE}",
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
        with self._db.reading() as conn:
            if partner_id:
                rows = conn.execute(
                    f"SELECT {_SHARE} FROM shares WHERE partner_id = %s ORDER BY id",
                    (partner_id,),
                )
            else:
                rows = conn.execute(f"SELECT {_SHARE} FROM shares ORDER BY id")
            return [_share(row) for row in rows.fetchall()]

    def revoke_share(self, share_id: int, at: datetime) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE shares SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
                (iso(at), share_id),
            )
            return cursor.rowcount == 1

    def first_use_of_signature(self, signature: str, at: datetime) -> bool:
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM partner_signatures WHERE seen_at < %s", (iso(at - SIGNATURES_KEPT),)
            )
            cursor = conn.execute(
                "INSERT INTO partner_signatures (signature, seen_at) VALUES (%s, %s) "
                "ON CONFLICT (signature) DO NOTHING",
                (signature, iso(at)),
            )
            return cursor.rowcount == 1
