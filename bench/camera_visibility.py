"""Cameras that can see a point: grid index vs shapely STRtree vs PostGIS, same run.

Synthetic cameras over a city-sized area (30 km x 30 km around the Chicago Loop): 75 %
fixed street cameras (fov 60-120°, 80-300 m), 10 % ALPR (fov 30°, 40-80 m), 12 % PTZ
(360° pan, 150-400 m), 3 % without a heading. Queries: half within 200 m of a random
camera, half anywhere in the area. Per query, the 10 best-ranked cameras that see it.

  grid     rtcc.analysis.camera_index.CameraIndex.visible (cells + exact geodesic test)
  strtree  shapely STRtree of the cameras' view-circle boxes, then the same exact test
  postgis  geography column + GiST; ST_DWithin (largest range, indexed) + per-row
           ST_DWithin(range) + ST_Azimuth sector test, ORDER BY distance, LIMIT 10,
           prepared, over TCP to 127.0.0.1:5432 (psycopg 3)

Correctness: the grid's full answers on --check queries against the geodesic reference
(pyproj Geod WGS84 on every camera in a safe box of twice the largest range, no grid),
and against PostGIS's full answers; also how often a sphere (haversine) shortcut errs.

    .venv/bin/python bench/camera_visibility.py [--record] [--sizes 50000,500000]
        [--queries 2000] [--check 1000] [--dsn "host=127.0.0.1 user=postgres"]
"""

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from camera_visibility_pg import PostgisEngine, connect_postgis
from common import (
    busy_warning,
    load_average,
    markdown_table,
    percentile,
    print_table,
    record_section,
)
from rich.console import Console

from rtcc.analysis.camera_index import M_PER_DEG, CameraIndex
from rtcc.analysis.visibility import GEOD, CameraView, VisibleCamera, geodesic_sees, rank

CENTRE = (41.8781, -87.6298)
HALF_SIDE_M = 15_000.0
LIMIT = 10
HEADERS = ["cameras", "engine", "build s", "p50 ms", "p95 ms", "p99 ms", "max ms"]


def synthetic_cameras(n: int, seed: int) -> list[CameraView]:
    rnd = random.Random(seed)
    views = []
    for i in range(n):
        north, east = rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M), rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M)
        lat = CENTRE[0] + north / M_PER_DEG
        lon = CENTRE[1] + east / (M_PER_DEG * np.cos(np.radians(CENTRE[0])))
        kind = rnd.random()
        heading: float | None = rnd.uniform(0, 359.99)
        if kind < 0.75:
            cam = ("fixed", rnd.choice([60.0, 90.0, 120.0]), rnd.uniform(80, 300))
        elif kind < 0.85:
            cam = ("fixed", 30.0, rnd.uniform(40, 80))
        elif kind < 0.97:
            cam = ("ptz", 60.0, rnd.uniform(150, 400))
        else:
            cam, heading = ("fixed", 90.0, rnd.uniform(50, 150)), None
        views.append(CameraView(f"c{i}", lat, float(lon), heading, cam[1], cam[2], cam[0]))
    return views


def query_points(views: list[CameraView], n: int, seed: int) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    points = []
    for i in range(n):
        if i % 2 == 0:
            cam = rnd.choice(views)
            lon, lat, _ = GEOD.fwd(cam.lon, cam.lat, rnd.uniform(0, 360), rnd.uniform(0, 200))
        else:
            north = rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M)
            east = rnd.uniform(-HALF_SIDE_M, HALF_SIDE_M)
            lat = CENTRE[0] + north / M_PER_DEG
            lon = CENTRE[1] + east / (M_PER_DEG * np.cos(np.radians(CENTRE[0])))
        points.append((float(lat), float(lon)))
    return points


def edge_points(views: list[CameraView], n: int, seed: int) -> list[tuple[float, float]]:
    """Points a hair (0.001-0.01 %) inside or outside a random camera's range."""
    rnd = random.Random(seed)
    points = []
    for _ in range(n):
        cam = rnd.choice(views)
        factor = 1.0 + rnd.choice([-1, 1]) * rnd.uniform(1e-5, 1e-4)
        heading = cam.heading_deg or 0.0
        bearing = heading + rnd.uniform(-cam.half_angle_deg, cam.half_angle_deg)
        lon, lat, _ = GEOD.fwd(cam.lon, cam.lat, bearing % 360.0, cam.range_m * factor)
        points.append((float(lat), float(lon)))
    return points


def columns(views: list[CameraView]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array(
        [
            (
                v.lat,
                v.lon,
                np.nan if v.heading_deg is None else v.heading_deg,
                v.half_angle_deg,
                v.range_m,
            )
            for v in views
        ]
    )


class StrTreeEngine:
    """The peer: an STRtree over each camera's view-circle box, then the same exact test."""

    def __init__(self, views: list[CameraView]) -> None:
        self.views = views
        self.cols = columns(views)
        reach = self.cols[:, 4] * 1.01 + 1.0
        dlat = reach / M_PER_DEG
        dlon = reach / (M_PER_DEG * np.cos(np.radians(np.abs(self.cols[:, 0]) + dlat)))
        lat, lon = self.cols[:, 0], self.cols[:, 1]
        self.tree = shapely.STRtree(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat))

    def visible(self, lat: float, lon: float, limit: int | None) -> list[VisibleCamera]:
        cand = self.tree.query(shapely.Point(lon, lat))
        c = self.cols[cand]
        sees, dist, az, off = geodesic_sees(c[:, 0], c[:, 1], c[:, 2], c[:, 3], c[:, 4], lat, lon)
        found = [
            VisibleCamera(self.views[cand[i]], float(dist[i]), float(az[i]), float(off[i]))
            for i in np.flatnonzero(sees)
        ]
        return rank(found)[:limit]


class Reference:
    """Every camera in a box of twice the largest range (plainly safe), exact geodesic test."""

    def __init__(self, views: list[CameraView]) -> None:
        self.views = views
        self.cols = columns(views)
        self.reach = float(self.cols[:, 4].max()) * 2.0

    def visible(self, lat: float, lon: float) -> tuple[list[str], int]:
        """(ids seen, geodesic order) and how many a haversine shortcut would get wrong."""
        dlat = self.reach / M_PER_DEG
        dlon = self.reach / (M_PER_DEG * np.cos(np.radians(abs(lat) + dlat)))
        c = self.cols
        box = np.flatnonzero((np.abs(c[:, 0] - lat) <= dlat) & (np.abs(c[:, 1] - lon) <= dlon))
        b = c[box]
        sees, dist, az, off = geodesic_sees(b[:, 0], b[:, 1], b[:, 2], b[:, 3], b[:, 4], lat, lon)
        found = rank(
            VisibleCamera(self.views[box[i]], float(dist[i]), float(az[i]), float(off[i]))
            for i in np.flatnonzero(sees)
        )
        p1, p2 = np.radians(b[:, 0]), np.radians(lat)
        h = (
            np.sin((p2 - p1) / 2) ** 2
            + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - b[:, 1]) / 2) ** 2
        )
        sphere = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
        wrong = int(np.count_nonzero((sphere <= b[:, 4]) != (dist <= b[:, 4])))
        return [f.camera.camera_id for f in found], wrong


def timed(
    engines: list[Callable[[float, float], object]], points: list[tuple[float, float]]
) -> list[list[float]]:
    """Per engine, per query, milliseconds. Engines take turns on each query, so a burst
    of other work on the machine lands on all of them alike."""
    for fn in engines:
        for lat, lon in points[:50]:
            fn(lat, lon)  # warm caches and prepared statements
    out: list[list[float]] = [[] for _ in engines]
    for lat, lon in points:
        for fn, times in zip(engines, out, strict=True):
            start = time.perf_counter_ns()
            fn(lat, lon)
            times.append((time.perf_counter_ns() - start) / 1e6)
    return out


def row(n: int, engine: str, build_s: float, times: list[float]) -> list[str]:
    return [
        f"{n:,}",
        engine,
        f"{build_s:.1f}",
        *(f"{percentile(times, q):.3f}" for q in (50, 95, 99)),
        f"{max(times):.3f}",
    ]


def run_size(
    n: int, queries: int, check: int, postgis: PostgisEngine | None, console: Console
) -> tuple[list[list[str]], list[str]]:
    views = synthetic_cameras(n, seed=n)
    points = query_points(views, queries, seed=n + 1)
    rows, notes = [], []

    start = time.perf_counter()
    grid = CameraIndex()
    grid.bulk_load(views)
    builds = {"grid (rtcc)": time.perf_counter() - start}
    start = time.perf_counter()
    tree = StrTreeEngine(views)
    builds["shapely STRtree"] = time.perf_counter() - start
    engines: list[Callable[[float, float], object]] = [
        lambda la, lo: grid.visible(la, lo, LIMIT),
        lambda la, lo: tree.visible(la, lo, LIMIT),
    ]
    if postgis is not None:
        start = time.perf_counter()
        postgis.load(views)
        builds["PostGIS GiST"] = time.perf_counter() - start
        engines.append(lambda la, lo: postgis.visible(la, lo, LIMIT))
    for (name, build_s), times in zip(builds.items(), timed(engines, points), strict=True):
        rows.append(row(n, name, build_s, times))

    ref = Reference(views)
    diffs = order_diffs = sphere_wrong = seen = 0
    checked = points[: check - check // 2] + edge_points(views, check // 2, seed=n + 2)
    answers = []
    for lat, lon in checked:
        expected, wrong = ref.visible(lat, lon)
        got = [v.camera.camera_id for v in grid.visible(lat, lon)]
        diffs += set(got) != set(expected)
        order_diffs += got != expected
        sphere_wrong += wrong
        seen += len(expected)
        answers.append(set(got))
    notes.append(
        f"{n:,} cameras: grid vs geodesic reference on {len(checked):,} queries, half of them "
        "at the edge of a camera's range "
        f"({seen:,} camera-sees-point answers): {diffs} differing sets, {order_diffs} "
        f"differing rankings; a haversine (sphere) range test would misjudge {sphere_wrong} "
        "camera/point pairs near the edge of range."
    )
    if postgis is not None:
        pg_diff = [(i, postgis.visible(*checked[i], None)) for i in range(len(checked))]
        bad = [(i, ids) for i, ids in pg_diff if set(ids) != answers[i]]
        notes.append(
            f"{n:,} cameras: PostGIS vs grid on {len(checked):,} queries: {len(bad)} differing sets"
            + (f" (first: query {bad[0][0]})" if bad else "")
        )
    console.print(*notes, sep="\n")
    return rows, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--sizes", default="50000,500000", help="camera counts, comma-separated")
    parser.add_argument("--queries", type=int, default=2000, help="timed queries per engine")
    parser.add_argument("--check", type=int, default=1000, help="queries compared for equality")
    parser.add_argument("--dsn", default="host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    args = parser.parse_args()
    console = Console(width=max(110, Console().width))
    load_before = load_average()
    if warning := busy_warning():
        console.print(f"[yellow]{warning}")
    postgis: PostgisEngine | None = connect_postgis(args.dsn, console)
    rows: list[list[str]] = []
    notes: list[str] = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            r, nt = run_size(n, args.queries, args.check, postgis, console)
            rows += r
            notes += nt
    finally:
        if postgis is not None:
            postgis.close()
    print_table(
        console,
        f"Cameras that can see a point: {LIMIT} best per query (lower is better)",
        HEADERS,
        rows,
    )
    if args.record:
        body = markdown_table(HEADERS, rows, left=2) + "\n\n" + "\n".join(f"- {n}" for n in notes)
        if postgis is None:
            body += "\n- PostGIS was not available in this run (see the message printed)."
        record_section("camera_visibility", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
