"""Which cameras can see a point: the view-sector model and the geodesic rule it is judged by.

A camera sees a point when the WGS84 ellipsoid distance (pyproj `Geod`, the reference)
is within its range and the initial azimuth from the camera lies within its sector:
`fov/2` either side of the heading for a fixed camera; for a PTZ or drone camera, any
bearing its axis can reach inside the pan range (centred on the home heading) plus
`fov/2`, so the default 360° pan sees all round. A camera with no heading sees all round.
A point within 1 cm of the camera counts as seen (its azimuth is undefined there).

Ranking: distance to the nearest decimetre (nearest first; closer differences mean
nothing on the ground), then angle off the camera's axis (the home heading; 0 when it
has none), then camera id, so equal answers come back in a stable order.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
STEERABLE = frozenset({"ptz", "drone"})
SAME_SPOT_M = 0.01
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CameraView:
    """Where a camera is and what it can look at (metres, degrees clockwise from north)."""

    camera_id: str
    lat: float
    lon: float
    heading_deg: float | None = None
    fov_deg: float = 90.0
    range_m: float = 150.0
    camera_type: str = "fixed"
    name: str | None = None
    pan_range_deg: float = 360.0

    def __post_init__(self) -> None:
        checks = (
            ("lat", -90.0 <= self.lat <= 90.0, "must be between -90 and 90"),
            ("lon", -180.0 <= self.lon <= 180.0, "must be between -180 and 180"),
            ("fov_deg", 0.0 < self.fov_deg <= 360.0, "must be in (0, 360]"),
            ("range_m", 0.0 < self.range_m <= 20_000.0, "must be in (0, 20000] metres"),
            ("pan_range_deg", 0.0 <= self.pan_range_deg <= 360.0, "must be in [0, 360]"),
        )
        for name, ok, reason in checks:
            if not ok:
                raise ValueError(f"camera {self.camera_id}: {name} {reason}")
        if self.heading_deg is not None and not 0.0 <= self.heading_deg < 360.0:
            raise ValueError(f"camera {self.camera_id}: heading_deg must be in [0, 360)")

    @property
    def steerable(self) -> bool:
        return self.camera_type in STEERABLE

    @property
    def half_angle_deg(self) -> float:
        """How far off the axis a point may be and still be seen (180 = all round)."""
        if self.heading_deg is None:
            return 180.0
        if self.steerable:
            return min(180.0, (self.pan_range_deg + self.fov_deg) / 2.0)
        return min(180.0, self.fov_deg / 2.0)

    @classmethod
    def from_payload(cls, lat: float, lon: float, payload: Mapping[str, Any]) -> "CameraView":
        """From a `camera_status` payload (as stored: plain JSON values)."""
        heading = payload.get("heading_deg")
        return cls(
            camera_id=str(payload["camera_id"]),
            lat=lat,
            lon=lon,
            heading_deg=None if heading is None else float(heading),
            fov_deg=float(payload.get("fov_deg", 90.0)),
            range_m=float(payload.get("range_m", 150.0)),
            camera_type=str(payload.get("camera_type", "fixed")),
            name=payload.get("name"),
        )


@dataclass(frozen=True, slots=True)
class VisibleCamera:
    """A camera that can see the point, with the figures it was ranked by."""

    camera: CameraView
    distance_m: float
    bearing_deg: float  # initial azimuth from the camera to the point
    angle_off_axis_deg: float


def angle_off(bearing: FloatArray, axis: FloatArray) -> FloatArray:
    """Smallest absolute difference between compass bearings, elementwise."""
    d = np.abs(bearing - axis) % 360.0
    return np.where(d > 180.0, 360.0 - d, d)


def geodesic_sees(
    lat: FloatArray,
    lon: FloatArray,
    axis: FloatArray,
    half: FloatArray,
    rng: FloatArray,
    point_lat: float,
    point_lon: float,
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray, FloatArray]:
    """The exact rule, vectorised: (sees, distance, bearing, angle off axis) per camera.

    `axis` is the heading (NaN where there is none: angle off axis 0) and `half` the
    half-angle of the sector.
    Every caller, index or brute force, goes through here, so answers cannot drift apart.
    """
    n = lat.shape[0]
    # Geod._inv is what Geod.inv runs after copying its inputs: it writes the forward
    # azimuth, back azimuth and distance over its four (fresh, contiguous) arrays.
    az = np.array(lon, dtype=np.float64)
    back = np.array(lat, dtype=np.float64)
    point = np.empty((2, n), dtype=np.float64)
    point[0], point[1] = point_lon, point_lat
    GEOD._inv(az, back, point[0], point[1], radians=False, return_back_azimuth=False)
    dist = point[0]
    az %= 360.0
    # angle_off(az, axis) in place (few numpy calls on small arrays: this runs per query);
    # it is NaN where there is no axis, and 0 is what the ranking uses there. Being at
    # most 180, it also passes every all-round camera (half 180).
    off = np.abs(az - axis)
    off %= 360.0
    np.minimum(off, 360.0 - off, out=off)
    off[np.isnan(off)] = 0.0
    sees = (dist <= rng) & ((off <= half) | (dist < SAME_SPOT_M))
    return sees, dist, az, off


def decimetres(distance_m: float) -> int:
    """The ranking's distance key; `np.floor(d * 10 + 0.5)` is the same for arrays."""
    return math.floor(distance_m * 10.0 + 0.5)


def rank(found: Iterable[VisibleCamera]) -> list[VisibleCamera]:
    """Nearest first (to the decimetre), then the one looking most straight at it, then id."""
    return sorted(
        found,
        key=lambda v: (decimetres(v.distance_m), v.angle_off_axis_deg, v.camera.camera_id),
    )


def brute_force_visible(
    cameras: Iterable[CameraView], lat: float, lon: float, max_radius_m: float | None = None
) -> list[VisibleCamera]:
    """The reference answer: the exact rule over every camera, no index. For tests and bench."""
    views = list(cameras)
    if not views:
        return []
    arr = np.array(
        [
            (
                v.lat,
                v.lon,
                v.heading_deg if v.heading_deg is not None else np.nan,
                v.half_angle_deg,
                v.range_m,
            )
            for v in views
        ],
        dtype=np.float64,
    )
    sees, dist, az, off = geodesic_sees(
        arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], lat, lon
    )
    if max_radius_m is not None:
        sees &= dist <= max_radius_m
    return rank(
        VisibleCamera(views[i], float(dist[i]), float(az[i]), float(off[i]))
        for i in np.flatnonzero(sees)
    )
