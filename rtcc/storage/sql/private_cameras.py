"""Private cameras (both backends): registrations, grants, footage segments and the access log.

The access log is append-only by a trigger (schema_private_cameras.sql, 0033_private_cameras.sql).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from rtcc.core.clock import iso
from rtcc.governance.camera_grants import (
    CameraAccess,
    CameraGrant,
    FootageSegment,
    PrivateCamera,
    SharingMode,
)
from rtcc.storage.sql import SqlDatabase

_CAMERA = (
    "id, kind, sharing, label, owner_name, email, phone, address, lat, lon, heading_deg, "
    "fov_deg, range_m, stream_url, created_at, withdrawn_at"
)
_GRANT = "id, camera_id, case_number, granted_by, agency, starts_at, ends_at, created_at"
_SEGMENT = "camera_id, starts_at, ends_at, clip_url, reported_at"
_SEGMENTS_PER_INSERT = 1000  # 5 parameters a row: well under either engine's limit
_ACCESS = (
    "camera_id, at, actor, role, agency, case_number, purpose, range_start, range_end, "
    "outcome, rule, reason, grant_id"
)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _camera(row: tuple[Any, ...]) -> PrivateCamera:
    return PrivateCamera(
        id=row[0],
        kind=row[1],
        sharing=row[2],
        label=row[3],
        owner_name=row[4],
        email=row[5],
        phone=row[6],
        address=row[7],
        lat=row[8],
        lon=row[9],
        heading_deg=row[10],
        fov_deg=row[11],
        range_m=row[12],
        stream_url=row[13],
        created_at=_time(row[14]),
        withdrawn_at=_time(row[15]) if row[15] else None,
    )


def _grant(row: tuple[Any, ...]) -> CameraGrant:
    g_id, camera_id, case_number, granted_by, agency, starts, ends, created = row
    return CameraGrant(
        g_id, camera_id, case_number, granted_by, agency, _time(starts), _time(ends), _time(created)
    )


def _segment(row: tuple[Any, ...]) -> FootageSegment:
    return FootageSegment(row[0], _time(row[1]), _time(row[2]), row[3], _time(row[4]))


def _access(row: tuple[Any, ...]) -> CameraAccess:
    camera_id, at, actor, role, agency, case, purpose, start, end, outcome, rule, why, grant = row
    return CameraAccess(
        camera_id=camera_id,
        at=_time(at),
        actor=actor,
        role=role,
        agency=agency,
        case_number=case,
        purpose=purpose,
        range_start=_time(start),
        range_end=_time(end),
        outcome=outcome,
        rule=rule,
        reason=why,
        grant_id=grant,
    )


class SqlPrivateCameraStore:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._db.reading() as conn:
            return cast(tuple[Any, ...] | None, conn.execute(sql, args).fetchone())

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
                f"INSERT INTO private_cameras ({_CAMERA}, token_hash) "
                f"VALUES ({', '.join('?' * 17)})",
                (*values, token_hash),
            )

    def camera(self, camera_id: str) -> PrivateCamera | None:
        row = self._one(f"SELECT {_CAMERA} FROM private_cameras WHERE id = ?", (camera_id,))
        return _camera(row) if row else None

    def camera_by_token(self, token_hash: str) -> PrivateCamera | None:
        sql = f"SELECT {_CAMERA} FROM private_cameras WHERE token_hash = ?"
        row = self._one(sql, (token_hash,))
        return _camera(row) if row else None

    def list_cameras(self) -> list[PrivateCamera]:
        return [
            _camera(r) for r in self._all(f"SELECT {_CAMERA} FROM private_cameras ORDER BY seq")
        ]

    def set_sharing(self, camera_id: str, sharing: SharingMode) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE private_cameras SET sharing = ? WHERE id = ? AND kind = 'integrated'",
                (sharing, camera_id),
            )

    def withdraw(self, camera_id: str, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE private_cameras SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
                (iso(at), camera_id),
            )

    def add_grant(self, grant: CameraGrant) -> None:
        g = grant
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO private_camera_grants ({_GRANT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    g.id, g.camera_id, g.case_number, g.granted_by, g.agency,
                    iso(g.starts_at), iso(g.ends_at), iso(g.created_at),
                ),
            )  # fmt: skip

    def grants(self, camera_id: str) -> list[CameraGrant]:
        sql = f"SELECT {_GRANT} FROM private_camera_grants WHERE camera_id = ? ORDER BY seq DESC"
        return [_grant(r) for r in self._all(sql, (camera_id,))]

    def add_segments(self, segments: Sequence[FootageSegment]) -> int:
        """One statement for the batch (a request holds at most 500); known segments (and
        repeats within it) are skipped, and the row count says how many were new."""
        rows = [
            (s.camera_id, iso(s.starts_at), iso(s.ends_at), s.clip_url, iso(s.reported_at))
            for s in segments
        ]
        added = 0
        with self._db.transaction() as conn:
            for at in range(0, len(rows), _SEGMENTS_PER_INSERT):
                chunk = rows[at : at + _SEGMENTS_PER_INSERT]
                values = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
                added += conn.execute(
                    f"INSERT INTO private_camera_segments ({_SEGMENT}) VALUES {values}"
                    " ON CONFLICT DO NOTHING",
                    [value for row in chunk for value in row],
                ).rowcount
        return added

    def segments(self, camera_id: str, since: datetime, until: datetime) -> list[FootageSegment]:
        sql = (
            f"SELECT {_SEGMENT} FROM private_camera_segments "
            "WHERE camera_id = ? AND starts_at < ? AND ends_at > ? ORDER BY starts_at, clip_url"
        )
        return [_segment(r) for r in self._all(sql, (camera_id, iso(until), iso(since)))]

    def log_access(self, entry: CameraAccess) -> None:
        e = entry
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO private_camera_access ({_ACCESS}) "
                f"VALUES ({', '.join('?' * 13)})",
                (
                    e.camera_id, iso(e.at), e.actor, e.role, e.agency, e.case_number,
                    e.purpose, iso(e.range_start), iso(e.range_end), e.outcome, e.rule,
                    e.reason, e.grant_id,
                ),
            )  # fmt: skip

    def access_log(self, camera_id: str, limit: int = 1000) -> list[CameraAccess]:
        sql = (
            f"SELECT {_ACCESS} FROM private_camera_access WHERE camera_id = ? "
            "ORDER BY seq DESC LIMIT ?"
        )
        return [_access(r) for r in self._all(sql, (camera_id, limit))]
