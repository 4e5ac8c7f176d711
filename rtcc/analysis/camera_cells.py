"""Grid cells for the camera index: which cells a camera's view can reach.

Cells are `cell_deg` degrees square, numbered row-major from (-90, -180); columns wrap
at the antimeridian. A camera's cover box is the box of its view sector (range plus a
1 % + 1 m margin, more than the sphere/ellipsoid difference; half-angle plus 2°, more
than flat-earth bearings stray from geodesic ones below 70° latitude) or, for all-round
cameras and near the poles, of its whole circle. Conservative: it may hold cells the
camera cannot see into, never miss one it can.
"""

import math

import numpy as np
import numpy.typing as npt

from rtcc.analysis.visibility import FloatArray, angle_off
from rtcc.core.geo import EARTH_RADIUS_M

IntArray = npt.NDArray[np.int64]
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0
FLAT_MAX_LAT = 70.0  # flat-earth shortcuts (with their margins) are used below this
SECTOR_MARGIN_DEG = 2.0


class Grid:
    """Cell arithmetic, vectorised for bulk loads and in plain Python for one camera."""

    def __init__(self, cell_deg: float) -> None:
        if not 0.0001 <= cell_deg <= 1.0:
            raise ValueError("cell_deg must be between 0.0001 and 1 degree")
        self.cell_deg = cell_deg
        self.nx = round(360.0 / cell_deg)
        self.ny = round(180.0 / cell_deg)

    def key(self, iy: int, ix: int) -> int:
        return iy * self.nx + ix % self.nx

    def cell_one(self, lat: float, lon: float) -> tuple[int, int]:
        iy = min(max(math.floor((lat + 90.0) / self.cell_deg), 0), self.ny - 1)
        return iy, math.floor((lon + 180.0) / self.cell_deg)

    def cells(self, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
        """`cell_one` for arrays (floor, division and clip round the same way)."""
        iy = np.clip(np.floor((lat + 90.0) / self.cell_deg), 0, self.ny - 1).astype(np.int64)
        ix = np.floor((lon + 180.0) / self.cell_deg).astype(np.int64)
        return iy, ix

    def cover_boxes(self, cols: FloatArray) -> tuple[IntArray, ...]:
        """(iy0, iy1, ix0, ix1) per camera row (lat, lon, axis, half, range)."""
        lat, lon, axis, half = cols[:, 0], cols[:, 1], cols[:, 2], cols[:, 3]
        reach = cols[:, 4] * 1.01 + 1.0
        east_lo, east_hi, north_lo, north_hi = -reach, reach, -reach, reach
        wide_open = np.isnan(axis) | (half + SECTOR_MARGIN_DEG >= 180.0)
        sector = ~wide_open & (np.abs(lat) < FLAT_MAX_LAT)
        if sector.any():
            h, w, r = axis[sector], half[sector] + SECTOR_MARGIN_DEG, reach[sector]
            bearings = [h - w, h + w] + [np.full_like(h, b) for b in (0.0, 90.0, 180.0, 270.0)]
            east, north = [np.zeros_like(h)], [np.zeros_like(h)]  # the camera itself
            for i, b in enumerate(bearings):
                inside = np.ones_like(h, dtype=bool) if i < 2 else angle_off(b, h) <= w
                rad = np.radians(b)
                east.append(np.where(inside, r * np.sin(rad), 0.0))
                north.append(np.where(inside, r * np.cos(rad), 0.0))
            e, n = np.array(east), np.array(north)
            east_lo, east_hi = east_lo.copy(), east_hi.copy()
            north_lo, north_hi = north_lo.copy(), north_hi.copy()
            east_lo[sector], east_hi[sector] = e.min(axis=0), e.max(axis=0)
            north_lo[sector], north_hi[sector] = n.min(axis=0), n.max(axis=0)
        dlat = reach / M_PER_DEG
        cos = np.cos(np.radians(np.minimum(90.0, np.abs(lat) + dlat)))
        per_deg_lon = M_PER_DEG * np.maximum(cos, 1e-9)
        wrap = cos <= 1e-9
        lon_lo = np.where(wrap, lon - 360.0, lon + east_lo / per_deg_lon)
        lon_hi = np.where(wrap, lon + 360.0, lon + east_hi / per_deg_lon)
        iy0, ix0 = self.cells(lat + north_lo / M_PER_DEG, lon_lo)
        iy1, ix1 = self.cells(lat + north_hi / M_PER_DEG, lon_hi)
        return iy0, iy1, ix0, ix1

    def cover_box_one(self, row: tuple[float, ...]) -> tuple[int, int, int, int]:
        """`cover_boxes` for one camera in plain Python (equal up to rounding, which the
        margins dwarf; the index stores each box, so removal never recomputes one)."""
        lat, lon, axis, half, rng = row
        reach = rng * 1.01 + 1.0
        east_lo, east_hi, north_lo, north_hi = -reach, reach, -reach, reach
        w = half + SECTOR_MARGIN_DEG
        if not math.isnan(axis) and w < 180.0 and abs(lat) < FLAT_MAX_LAT:
            points = [(0.0, 0.0)]
            for i, b in enumerate((axis - w, axis + w, 0.0, 90.0, 180.0, 270.0)):
                d = abs(b - axis) % 360.0
                if i < 2 or min(d, 360.0 - d) <= w:
                    rad = math.radians(b)
                    points.append((reach * math.sin(rad), reach * math.cos(rad)))
            east_lo, east_hi = min(p[0] for p in points), max(p[0] for p in points)
            north_lo, north_hi = min(p[1] for p in points), max(p[1] for p in points)
        dlat = reach / M_PER_DEG
        cos = math.cos(math.radians(min(90.0, abs(lat) + dlat)))
        if cos <= 1e-9:
            lon_lo, lon_hi = lon - 360.0, lon + 360.0
        else:
            lon_lo, lon_hi = lon + east_lo / (M_PER_DEG * cos), lon + east_hi / (M_PER_DEG * cos)
        iy0, ix0 = self.cell_one(lat + north_lo / M_PER_DEG, lon_lo)
        iy1, ix1 = self.cell_one(lat + north_hi / M_PER_DEG, lon_hi)
        return iy0, iy1, ix0, ix1
