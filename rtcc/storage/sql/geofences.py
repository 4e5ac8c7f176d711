"""Geofences (both backends): the GeoJSON text, its bounding box, who owns it.

The revision is (count, a counter row a trigger moves on every change), read in one
statement: unlike a max(seq), it cannot stay put when another process's insert commits
late (0032_geofences.sql; schema.sql keeps the same row on SQLite).
"""

import json
import uuid
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.storage.base import Geofence
from rtcc.storage.sql import SqlDatabase

_COLUMNS = "id, name, owner, geometry, min_lon, min_lat, max_lon, max_lat, created_at"


def _row(row: tuple[Any, ...]) -> Geofence:
    bbox = (float(row[4]), float(row[5]), float(row[6]), float(row[7]))
    return Geofence(row[0], row[1], row[2], json.loads(row[3]), bbox, row[8])


class SqlGeofenceStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def add(
        self, name: str, owner: str, geometry: dict[str, Any], bbox: tuple[float, ...]
    ) -> Geofence:
        min_lon, min_lat, max_lon, max_lat = bbox
        fence = Geofence(
            id=uuid.uuid4().hex,
            name=name,
            owner=owner,
            geometry=geometry,
            bbox=(min_lon, min_lat, max_lon, max_lat),
            created_at=iso(utcnow()),
        )
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO geofences ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (fence.id, name, owner, json.dumps(geometry), *fence.bbox, fence.created_at),
            )
        return fence

    def list(self, owner: str | None = None) -> list[Geofence]:
        where, args = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        sql = f"SELECT {_COLUMNS} FROM geofences {where} ORDER BY seq"
        with self._db.reading() as conn:
            return [_row(row) for row in conn.execute(sql, args).fetchall()]

    def get(self, geofence_id: str) -> Geofence | None:
        with self._db.reading() as conn:
            sql = f"SELECT {_COLUMNS} FROM geofences WHERE id = ?"
            row = conn.execute(sql, (geofence_id,)).fetchone()
        return _row(row) if row else None

    def delete(self, geofence_id: str) -> bool:
        with self._db.transaction() as conn:
            cursor = conn.execute("DELETE FROM geofences WHERE id = ?", (geofence_id,))
        return cursor.rowcount > 0

    def revision(self) -> tuple[int, int]:
        sql = "SELECT (SELECT count(*) FROM geofences), revision FROM geofence_revision"
        with self._db.reading() as conn:
            row = conn.execute(sql).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
