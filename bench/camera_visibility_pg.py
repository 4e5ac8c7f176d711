"""The PostGIS peer of bench/camera_visibility.py: geography + GiST, sector test in SQL.

Runs in its own database (`rtcc_bench_cameras`, created if missing) so it never touches
anyone else's tables. Needs the PostGIS extension: on Debian
`apt-get install postgresql-15-postgis-3`; without it the bench says so and skips.
"""

from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from rich.console import Console

from rtcc.analysis.visibility import CameraView

DBNAME = "rtcc_bench_cameras"
QUERY = """
WITH q AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS g)
SELECT c.id, ST_Distance(c.geog, q.g) AS d
FROM bench_cameras c, q
WHERE ST_DWithin(c.geog, q.g, %(max_range)s)
  AND ST_DWithin(c.geog, q.g, c.range_m)
  AND (c.half >= 180 OR c.axis IS NULL OR ST_Distance(c.geog, q.g) < 0.01
       OR abs(mod((degrees(ST_Azimuth(c.geog, q.g)) - c.axis + 540)::numeric, 360) - 180)
          <= c.half)
ORDER BY d, c.id
LIMIT %(limit)s
"""


class PostgisEngine:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.max_range = 0.0

    def load(self, views: list[CameraView]) -> None:
        """A fresh table of these cameras, GiST-indexed and analysed."""
        with self.conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_cameras")
            cur.execute(
                "CREATE TABLE bench_cameras (id text PRIMARY KEY, geog geography(Point, 4326),"
                " axis float8, half float8, range_m float8)"
            )
            with cur.copy("COPY bench_cameras (id, geog, axis, half, range_m) FROM STDIN") as cp:
                for v in views:
                    cp.write_row(
                        (
                            v.camera_id,
                            f"SRID=4326;POINT({v.lon!r} {v.lat!r})",
                            v.heading_deg,
                            v.half_angle_deg,
                            v.range_m,
                        )
                    )
            cur.execute("CREATE INDEX bench_cameras_geog ON bench_cameras USING gist (geog)")
            cur.execute("ANALYZE bench_cameras")
        self.conn.commit()
        self.max_range = max(v.range_m for v in views)

    def visible(self, lat: float, lon: float, limit: int | None) -> list[str]:
        params = {"lat": lat, "lon": lon, "max_range": self.max_range, "limit": limit}
        with self.conn.cursor() as cur:
            cur.execute(QUERY, params, prepare=True)
            return [r[0] for r in cur.fetchall()]

    def close(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_cameras")
        self.conn.commit()
        self.conn.close()


def connect_postgis(dsn: str, console: Console) -> PostgisEngine | None:
    """The engine, or None with a printed reason (no server, no PostGIS)."""
    try:
        with psycopg.connect(dsn, autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DBNAME,))
            if exists.fetchone() is None:
                admin.execute(f"CREATE DATABASE {DBNAME}")
        conn = psycopg.connect(make_conninfo(dsn, dbname=DBNAME))
    except psycopg.Error as exc:
        console.print(f"[yellow]PostgreSQL not reachable ({dsn}): {exc}; PostGIS column skipped")
        return None
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.commit()
    except psycopg.Error as exc:
        conn.close()
        console.print(
            "[yellow]The PostGIS extension is not installed on this PostgreSQL server "
            f"({str(exc).strip()}). Install it (Debian: apt-get install "
            "postgresql-15-postgis-3) to compare; PostGIS column skipped."
        )
        return None
    version = conn.execute("SELECT postgis_full_version()").fetchone()
    console.print(f"PostGIS: {version[0][:80] if version else '?'}")
    return PostgisEngine(conn)
