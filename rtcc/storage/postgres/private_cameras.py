"""Private cameras in PostgreSQL: registrations, grants, footage segments and the access log.

Same rows as the SQLite store (the row readers are shared); the access log is append-only
by a trigger (0033_private_cameras.sql).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.core.clock import iso
from rtcc.governance.camera_grants import (
    CameraAccess,
    CameraGrant,
    FootageSegment,
    PrivateCamera,
    SharingMode,
)
from rtcc.storage.postgres.database import Database
from rtcc.storage.sqlite.private_cameras import (
    _ACCESS,
    _CAMERA,
    _GRANT,
    _SEGMENT,
    _access,
    _camera,
    _grant,
    _segment,
)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


class PostgresPrivateCameraStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._db.reading() as conn:
            return conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._db.reading() as conn:
            return conn.execute(sql, args).fetchall()

    def add_camera(self, camera: PrivateCamera, token_hash: str) -> None:
        c = camera
        values = (
            c.id, c.kind, c.sharing, c.label, c.owner_name, c.email, c.phone, c.address,
            c.lat, c.lon, c.heading_deg, c.fov_deg, c.range_m, c.stream_url,
            iso(c.created_at), iso(c.withdrawn_at) if c.withdrawn_at else None,
        )  # fmt: skip
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO private_cameras ({_CAMERA}, token_hash) VALUES ({_marks(17)})",
                (*values, token_hash),
            )

    def camera(self, camera_id: str) -> PrivateCamera | None:
        row = self._one(f"SELECT {_CAMERA} FROM private_cameras WHERE id = %s", (camera_id,))
        return _camera(row) if row else None

    def camera_by_token(self, token_hash: str) -> PrivateCamera | None:
        sql = f"SELECT {_CAMERA} FROM private_cameras WHERE token_hash = %s"
        row = self._one(sql, (token_hash,))
        return _camera(row) if row else None

    def list_cameras(self) -> list[PrivateCamera]:
        return [
            _camera(r) for r in self._all(f"SELECT {_CAMERA} FROM private_cameras ORDER BY seq")
        ]

    def set_sharing(self, camera_id: str, sharing: SharingMode) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE private_cameras SET sharing = %s WHERE id = %s AND kind = 'integrated'",
                (sharing, camera_id),
            )

    def withdraw(self, camera_id: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE private_cameras SET withdrawn_at = %s"
                " WHERE id = %s AND withdrawn_at IS NULL",
                (iso(at), camera_id),
            )

    def add_grant(self, grant: CameraGrant) -> None:
        g = grant
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO private_camera_grants ({_GRANT}) VALUES ({_marks(8)})",
                (
                    g.id, g.camera_id, g.case_number, g.granted_by, g.agency,
                    iso(g.starts_at), iso(g.ends_at), iso(g.created_at),
                ),
            )  # fmt: skip

    def grants(self, camera_id: str) -> list[CameraGrant]:
        sql = f"SELECT {_GRANT} FROM private_camera_grants WHERE camera_id = %s ORDER BY seq DESC"
        return [_grant(r) for r in self._all(sql, (camera_id,))]

    def add_segments(self, segments: Sequence[FootageSegment]) -> int:
        """One statement for the batch; known segments (and repeats within it) are skipped,
        and the row count says how many were new."""
        if not segments:
            return 0
        columns = list(
            zip(
                *(
                    (s.camera_id, iso(s.starts_at), iso(s.ends_at), s.clip_url, iso(s.reported_at))
                    for s in segments
                ),
                strict=True,
            )
        )
        sql = (
            f"INSERT INTO private_camera_segments ({_SEGMENT}) SELECT * FROM"
            " unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
            " ON CONFLICT DO NOTHING"
        )
        with self._db.transaction() as conn:
            return conn.execute(sql, [list(c) for c in columns]).rowcount

    def segments(self, camera_id: str, since: datetime, until: datetime) -> list[FootageSegment]:
        sql = (
            f"SELECT {_SEGMENT} FROM private_camera_segments "
            "WHERE camera_id = %s AND starts_at < %s AND ends_at > %s ORDER BY starts_at, clip_url"
        )
        return [_segment(r) for r in self._all(sql, (camera_id, iso(until), iso(since)))]

    def log_access(self, entry: CameraAccess) -> None:
        e = entry
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO private_camera_access ({_ACCESS}) VALUES ({_marks(13)})",
                (
                    e.camera_id, iso(e.at), e.actor, e.role, e.agency, e.case_number,
                    e.purpose, iso(e.range_start), iso(e.range_end), e.outcome, e.rule,
                    e.reason, e.grant_id,
                ),
            )  # fmt: skip

    def access_log(self, camera_id: str, limit: int = 1000) -> list[CameraAccess]:
        sql = (
            f"SELECT {_ACCESS} FROM private_camera_access WHERE camera_id = %s "
            "ORDER BY seq DESC LIMIT %s"
        )
        return [_access(r) for r in self._all(sql, (camera_id, limit))]
