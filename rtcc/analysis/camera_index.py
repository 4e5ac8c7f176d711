"""A grid index of camera views: a point query reads one cell, not every camera.

Each camera is filed under every cell its view can reach (`camera_cells`), so the
cameras that may see a point are among those filed under the point's cell. Each cell
keeps its cameras' columns side by side (`CELL_ROWS`: a block of rows, one column per
camera), so a query reads one contiguous block instead of gathering rows scattered over
the whole camera table. A flat-earth test with wide margins (range and sector) drops
most of them; the survivors get the exact geodesic test (`visibility.geodesic_sees`,
about 0.5 µs per camera, the main cost), so answers equal a brute-force geodesic check.
A second grid files cameras by where they stand, for "every camera within r metres".
A camera spanning more than `max_cells` cells (near a pole) is on a short list tested
on every query. A heartbeat that changes no geometry files nothing. The owner locks.
"""

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rtcc.analysis.camera_cells import (
    FLAT_MAX_LAT,
    M_PER_DEG,
    SECTOR_MARGIN_DEG,
    Grid,
    IntArray,
)
from rtcc.analysis.visibility import (
    GEOD,
    CameraView,
    FloatArray,
    VisibleCamera,
    geodesic_sees,
    rank,
)

_EMPTY = np.empty(0, dtype=np.int64)
_NONE = np.empty(0, dtype=np.float64)
# A cell block's rows: the five columns the exact test reads, then the prefilter's
# precomputed terms (squared flat reach, axis direction, cosine of the widened half-angle).
CELL_ROWS = ("lat", "lon", "axis", "half", "range", "reach2", "sin_axis", "cos_axis", "cos_half")
_NO_BLOCK = np.zeros((len(CELL_ROWS), 0), dtype=np.float64)
_NO_CELL: tuple[IntArray, FloatArray] = (_EMPTY, _NO_BLOCK)


def cell_rows(cols: FloatArray) -> FloatArray:
    """`CELL_ROWS` for camera rows (lat, lon, axis, half, range): one column per camera.

    reach2 is the flat-earth range with the 2 % + 2 m margin, squared; a camera whose
    widened sector (half-angle + `SECTOR_MARGIN_DEG`) covers all round gets no axis and
    cos_half -2, so the prefilter's sector test always passes it."""
    lat, lon, axis, half, rng = cols.T
    sector = ~np.isnan(axis) & (half + SECTOR_MARGIN_DEG < 180.0)
    rad = np.radians(np.where(sector, axis, 0.0))
    widened = np.radians(np.minimum(half + SECTOR_MARGIN_DEG, 180.0))
    return np.array(
        [
            lat,
            lon,
            axis,
            half,
            rng,
            (rng * 1.02 + 2.0) ** 2,
            np.where(sector, np.sin(rad), 0.0),
            np.where(sector, np.cos(rad), 0.0),
            np.where(sector, np.cos(widened), -2.0),
        ],
        dtype=np.float64,
    )


def _geometry(v: CameraView) -> tuple[float, float, float | None, float, float]:
    return (v.lat, v.lon, v.heading_deg, v.half_angle_deg, v.range_m)


@dataclass(frozen=True, slots=True)
class Hits:
    """Cameras that see a point (index slots) with distance, bearing and angle off axis."""

    slots: IntArray
    dist: FloatArray
    az: FloatArray
    off: FloatArray


class CameraIndex:
    """Cameras by id, with grid cells over their view circles and their positions."""

    def __init__(self, cell_deg: float = 0.002, max_cells: int = 2048) -> None:
        self._grid = Grid(cell_deg)
        self.max_cells = max_cells
        self._nx = self._grid.nx
        self._cols = np.zeros((0, 5), dtype=np.float64)  # lat, lon, axis, half, range
        self._boxes = np.zeros((0, 4), dtype=np.int64)  # cover cells iy0, iy1, ix0, ix1
        self._views: list[CameraView | None] = []
        self._slot: dict[str, int] = {}
        self._free: list[int] = []
        # cell -> (slots, CELL_ROWS block): 80 bytes per camera per cell (~230 MB for the
        # 2.9 M filings of the bench's 500 k cameras), bought for one contiguous read.
        self._cover: dict[int, tuple[IntArray, FloatArray]] = {}
        self._place: dict[int, IntArray] = {}
        self._wide: set[int] = set()

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, camera_id: object) -> bool:
        return camera_id in self._slot

    def get(self, camera_id: str) -> CameraView | None:
        slot = self._slot.get(camera_id)
        return None if slot is None else self._views[slot]

    def views(self) -> Iterator[CameraView]:
        return (v for v in self._views if v is not None)

    # -- changes -------------------------------------------------------------------------

    def upsert(self, view: CameraView) -> None:
        """Add a camera, or move/re-aim one already indexed under the same id. A status
        that leaves where it stands and looks unchanged (a heartbeat) files nothing."""
        slot = self._slot.get(view.camera_id)
        if slot is not None:
            old = self._views[slot]
            if old is not None and _geometry(old) == _geometry(view):
                self._views[slot] = view
                return
            self.remove(view.camera_id)
        slot = self._free.pop() if self._free else int(self._grow(1)[0])
        self._store(np.array([slot]), [view])
        self._boxes[slot] = self._grid.cover_box_one(tuple(self._cols[slot].tolist()))
        self._file_one(slot, add=True)

    def remove(self, camera_id: str) -> bool:
        """Forget a camera (gone offline or deleted); True if it was indexed."""
        slot = self._slot.pop(camera_id, None)
        if slot is None:
            return False
        self._file_one(slot, add=False)
        self._views[slot] = None
        self._free.append(slot)
        return True

    def bulk_load(self, views: Iterable[CameraView]) -> None:
        """Add many cameras at once (start-up, benchmarks): vectorised cell filing."""
        fresh: dict[str, CameraView] = {}
        for view in views:
            if view.camera_id in self._slot:
                self.upsert(view)
            else:
                fresh[view.camera_id] = view
        if not fresh:
            return
        slots = self._grow(len(fresh))
        self._store(slots, list(fresh.values()))
        self._boxes[slots] = np.column_stack(self._grid.cover_boxes(self._cols[slots]))
        self._file(slots)

    def _grow(self, n: int) -> IntArray:
        start = len(self._views)
        self._cols = np.concatenate([self._cols, np.zeros((n, 5), dtype=np.float64)])
        self._boxes = np.concatenate([self._boxes, np.zeros((n, 4), dtype=np.int64)])
        self._views.extend([None] * n)
        return np.arange(start, start + n, dtype=np.int64)

    def _store(self, slots: IntArray, views: list[CameraView]) -> None:
        for slot, view in zip(slots.tolist(), views, strict=True):
            axis = np.nan if view.heading_deg is None else view.heading_deg
            self._cols[slot] = (view.lat, view.lon, axis, view.half_angle_deg, view.range_m)
            self._views[slot] = view
            self._slot[view.camera_id] = slot

    # -- cells ---------------------------------------------------------------------------

    def _is_wide(self, iy0: Any, iy1: Any, ix0: Any, ix1: Any) -> Any:
        width, height = ix1 - ix0 + 1, iy1 - iy0 + 1
        return (width * height > self.max_cells) | (width >= self._nx)

    def _file(self, slots: IntArray) -> None:
        """File many new cameras under their stored boxes (vectorised)."""
        iy0, iy1, ix0, ix1 = self._boxes[slots].T
        wide = self._is_wide(iy0, iy1, ix0, ix1)
        self._wide.update(slots[wide].tolist())
        keep = ~wide
        slots, iy0, ix0 = slots[keep], iy0[keep], ix0[keep]
        width, height = ix1[keep] - ix0 + 1, iy1[keep] - iy0 + 1
        counts = width * height
        rep = np.repeat(np.arange(slots.shape[0]), counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        iy = iy0[rep] + offset // width[rep]
        ix = (ix0[rep] + offset % width[rep]) % self._nx
        self._update_cover(iy * self._nx + ix, rep, slots, cell_rows(self._cols[slots]))
        py, px = self._grid.cells(self._cols[slots, 0], self._cols[slots, 1])
        self._update(self._place, py * self._nx + px % self._nx, slots)

    def _file_one(self, slot: int, *, add: bool) -> None:
        """File (or unfile) one camera under its stored box: plain Python, for ingest."""
        iy0, iy1, ix0, ix1 = (int(v) for v in self._boxes[slot])
        place = self._point_key(float(self._cols[slot, 0]), float(self._cols[slot, 1]))
        keys: list[int] = []
        if self._is_wide(iy0, iy1, ix0, ix1):
            (self._wide.add if add else self._wide.discard)(slot)
        else:
            keys = [
                iy * self._nx + ix % self._nx
                for iy in range(iy0, iy1 + 1)
                for ix in range(ix0, ix1 + 1)
            ]
        col = cell_rows(self._cols[slot : slot + 1]) if add else _NO_BLOCK
        for key in keys:
            old_slots, old_block = self._cover.get(key, _NO_CELL)
            if add:
                self._cover[key] = (
                    np.append(old_slots, slot),
                    np.concatenate([old_block, col], axis=1),
                )
            elif (keep := old_slots != slot).all():
                continue
            elif keep.any():
                self._cover[key] = (old_slots[keep], old_block.compress(keep, axis=1))
            else:
                self._cover.pop(key, None)
        old = self._place.get(place, _EMPTY)
        if add:
            self._place[place] = np.append(old, slot)
        elif (left := old[old != slot]).size:
            self._place[place] = left
        else:
            self._place.pop(place, None)

    @staticmethod
    def _update(grid: dict[int, IntArray], keys: IntArray, slots: IntArray) -> None:
        if not keys.size:
            return
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        uniq, starts = np.unique(keys, return_index=True)
        for key, part in zip(uniq.tolist(), np.split(slots, starts[1:]), strict=True):
            old = grid.get(key)
            grid[key] = part.copy() if old is None else np.concatenate([old, part])

    def _update_cover(
        self, keys: IntArray, owner: IntArray, slots: IntArray, rows: FloatArray
    ) -> None:
        """File camera `slots[owner[i]]` (its `rows` column) under cell `keys[i]`. Each
        cell's block is its own small contiguous array, so a query's rows sit together
        (a few µs faster than slices of one big array, which would also double the peak
        memory of a bulk load)."""
        if not keys.size:
            return
        order = np.argsort(keys, kind="stable")
        keys, owner = keys[order], owner[order]
        uniq, starts = np.unique(keys, return_index=True)
        ends = [*starts[1:].tolist(), keys.shape[0]]
        for key, a, b in zip(uniq.tolist(), starts.tolist(), ends, strict=True):
            mine = owner[a:b]
            part, block = slots[mine], rows.take(mine, axis=1)
            old = self._cover.get(key)
            if old is None:
                self._cover[key] = (part, block)
            else:
                self._cover[key] = (
                    np.concatenate([old[0], part]),
                    np.concatenate([old[1], block], axis=1),
                )

    def _point_key(self, lat: float, lon: float) -> int:
        return self._grid.key(*self._grid.cell_one(lat, lon))

    # -- queries -------------------------------------------------------------------------

    def visible(
        self,
        lat: float,
        lon: float,
        limit: int | None = None,
        max_radius_m: float | None = None,
    ) -> list[VisibleCamera]:
        """The indexed cameras that can see the point, ranked (see `visibility`)."""
        return self.ranked(self.hits(lat, lon, max_radius_m), limit)

    def hits(self, lat: float, lon: float, max_radius_m: float | None = None) -> Hits:
        """Every indexed camera that can see the point, unranked, as arrays."""
        cand, block = self._cover.get(self._point_key(lat, lon), _NO_CELL)
        if cand.size and abs(lat) < FLAT_MAX_LAT:
            keep = self._prefilter(block, lat, lon).nonzero()[0]
            cand, block = cand[keep], block[:5].take(keep, axis=1)
        if self._wide:
            wide = np.fromiter(self._wide, dtype=np.int64)
            cand = np.concatenate([cand, wide])
            block = np.concatenate([block[:5], self._cols[wide].T], axis=1)
        if not cand.size:
            return Hits(_EMPTY, _NONE, _NONE, _NONE)
        b = block
        sees, dist, az, off = geodesic_sees(b[0], b[1], b[2], b[3], b[4], lat, lon)
        if max_radius_m is not None:
            sees &= dist <= max_radius_m
        i = sees.nonzero()[0]
        return Hits(cand[i], dist[i], az[i], off[i])

    @staticmethod
    def _prefilter(block: FloatArray, lat: float, lon: float) -> npt.NDArray[np.bool_]:
        """Flat-earth range (2 % + 2 m margin) and sector (half-angle + 2°, + 1 m slack so
        a point at the camera passes) tests on a cell block: they only drop cameras the
        exact test would drop too (ranges ≤ 20 km, |lat| < 70°, the margins `camera_cells`
        relies on). The sector test is what pays: in the bench it leaves ~33 of a cell's
        ~118 cameras for the geodesic test (the range test alone left ~57; ~30 are hits)."""
        north = (lat - block[0]) * M_PER_DEG
        dlon = lon - block[1]
        if abs(lon) > 170.0:  # the cell may hold cameras across the antimeridian
            dlon = (dlon + 540.0) % 360.0 - 180.0
        east = dlon * (M_PER_DEG * math.cos(math.radians(lat)))
        d2 = east * east + north * north
        ahead: npt.NDArray[np.bool_] = (
            east * block[6] + north * block[7] + 1.0 >= np.sqrt(d2) * block[8]
        )
        near: npt.NDArray[np.bool_] = d2 <= block[5]
        return near & ahead

    def positions(self, slots: IntArray) -> tuple[FloatArray, FloatArray]:
        """(lat, lon) of the given cameras."""
        return self._cols[slots, 0], self._cols[slots, 1]

    def ranked(self, hits: Hits, limit: int | None = None) -> list[VisibleCamera]:
        """The first `limit` hits in ranking order, as objects (only those are built)."""
        if not hits.slots.size:
            return []
        dm = np.floor(hits.dist * 10.0 + 0.5)  # visibility.decimetres, for arrays
        order = np.lexsort((hits.off, dm)).tolist()
        n = len(order)
        take = n if limit is None else min(limit, n)
        dml, offs = dm.tolist(), hits.off.tolist()  # whole lists: fewer numpy calls
        keys = [(dml[i], offs[i]) for i in order]
        while take < n and keys[take] == keys[take - 1]:
            take += 1  # a full tie at the cut: the camera id decides, below
        slots, dist, az = hits.slots.tolist(), hits.dist.tolist(), hits.az.tolist()
        views = self._views
        found = []
        for i in order[:take]:
            view = views[slots[i]]
            assert view is not None
            found.append(VisibleCamera(view, dist[i], az[i], offs[i]))
        if any(keys[i] == keys[i + 1] for i in range(take - 1)):
            found = rank(found)  # only full ties are left to order, by camera id
        return found[:limit]

    def within(
        self, lat: float, lon: float, radius_m: float
    ) -> list[tuple[CameraView, float, float]]:
        """(camera, distance, bearing from it to the point) for every indexed camera
        standing within `radius_m` (geodesic), nearest first."""
        reach = radius_m * 1.01 + 1.0
        dlat = reach / M_PER_DEG
        cos = float(np.cos(np.radians(min(90.0, abs(lat) + dlat))))
        dlon = reach / (M_PER_DEG * cos) if cos > 1e-9 else 360.0
        iy0, ix0 = self._grid.cells(np.array([lat - dlat]), np.array([lon - dlon]))
        iy1, ix1 = self._grid.cells(np.array([lat + dlat]), np.array([lon + dlon]))
        y0, y1, x0, x1 = int(iy0[0]), int(iy1[0]), int(ix0[0]), int(ix1[0])
        if x1 - x0 + 1 >= self._nx or (y1 - y0 + 1) * (x1 - x0 + 1) > len(self._place):
            cand = self._place_scan(y0, y1, x0, x1)
        else:
            keys = [
                iy * self._nx + ix % self._nx
                for iy in range(y0, y1 + 1)
                for ix in range(x0, x1 + 1)
            ]
            parts = [p for k in keys if (p := self._place.get(k)) is not None]
            cand = np.concatenate(parts) if parts else _EMPTY
        if not cand.size:
            return []
        c = self._cols[cand]
        n = cand.shape[0]
        az, _, dist = GEOD.inv(c[:, 1], c[:, 0], np.full(n, lon), np.full(n, lat))
        az, dist = np.asarray(az) % 360.0, np.asarray(dist, dtype=np.float64)
        out = []
        for i in np.flatnonzero(dist <= radius_m).tolist():
            view = self._views[int(cand[i])]
            assert view is not None
            out.append((view, float(dist[i]), float(az[i])))
        out.sort(key=lambda t: (t[1], t[0].camera_id))
        return out

    def _place_scan(self, y0: int, y1: int, x0: int, x1: int) -> IntArray:
        """Cameras in occupied position cells inside the box: for boxes with more cells
        than there are occupied ones (large radii)."""
        if not self._place:
            return _EMPTY
        keys = np.fromiter(self._place.keys(), dtype=np.int64)
        iy, ix = keys // self._nx, keys % self._nx
        inside = (iy >= y0) & (iy <= y1)
        if x1 - x0 + 1 < self._nx:
            inside &= (ix - x0) % self._nx <= x1 - x0
        parts = [self._place[int(k)] for k in keys[inside]]
        return np.concatenate(parts) if parts else _EMPTY
