"""The patch of ground a drone camera sees, as a GeoJSON polygon.

Shared assumptions (rtcc/web/static/wall-icons.js `droneFootprint` uses the same ones; change
both together):

- flat earth: the ground is a horizontal plane `altitude_m` below the camera, so `altitude_m`
  must be the height above the ground under the drone (MAVLink and CoT report height above
  sea level / the ellipsoid, so pass `ground_elevation_m` when the ground is not at 0 m);
- a pinhole camera on the drone's heading (no yaw offset, no roll), looking `pitch_deg` below
  the horizon (-90 = straight down), with `hfov_deg` by `vfov_deg` of view;
- each image corner is a ray; where it meets the ground is a corner of the footprint. A ray
  that never meets the ground (at or above the horizon), or meets it further than
  `max_distance_m`, is cut at `max_distance_m` along its horizontal direction;
- metres become degrees with the local equirectangular approximation (`offset_m`).
"""

import math
from typing import Any

from rtcc.core.geo import offset_m

MAX_DISTANCE_M = 1_000.0


def _corner_offset(
    tan_x: float, tan_y: float, pitch: float, height_m: float, max_distance_m: float
) -> tuple[float, float]:
    """(forward, right) ground offset in metres of the image ray through (tan_x, tan_y)."""
    # Camera frame rotated by pitch about its right axis: forward, right, up components.
    forward = math.cos(pitch) - tan_y * math.sin(pitch)
    right = tan_x
    up = math.sin(pitch) + tan_y * math.cos(pitch)
    horizontal = math.hypot(forward, right)
    if up < 0:
        reach = height_m / -up * horizontal
        if reach <= max_distance_m:
            scale = height_m / -up
            return forward * scale, right * scale
    scale = max_distance_m / horizontal
    return forward * scale, right * scale


def camera_footprint(
    lat: float,
    lon: float,
    altitude_m: float,
    heading_deg: float,
    hfov_deg: float = 70.0,
    vfov_deg: float = 50.0,
    pitch_deg: float = -45.0,
    *,
    ground_elevation_m: float = 0.0,
    max_distance_m: float = MAX_DISTANCE_M,
) -> dict[str, Any]:
    """The ground quadrilateral the camera sees: near-left, near-right, far-right, far-left.

    Raises ValueError when the camera is not above the ground, looks above the horizon
    (pitch_deg >= 0) or the fields of view are not in (0, 180).
    """
    height_m = altitude_m - ground_elevation_m
    if height_m <= 0:
        raise ValueError(f"the camera is not above the ground (height {height_m:.1f} m)")
    if not -90.0 <= pitch_deg < 0.0:
        raise ValueError(f"pitch_deg must be in [-90, 0): {pitch_deg}")
    if not (0 < hfov_deg < 180 and 0 < vfov_deg < 180):
        raise ValueError(f"fields of view must be in (0, 180): {hfov_deg}, {vfov_deg}")
    pitch = math.radians(pitch_deg)
    tx, ty = math.tan(math.radians(hfov_deg) / 2), math.tan(math.radians(vfov_deg) / 2)
    heading = math.radians(heading_deg)
    ring: list[list[float]] = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        fwd, right = _corner_offset(sx * tx, sy * ty, pitch, height_m, max_distance_m)
        north = fwd * math.cos(heading) - right * math.sin(heading)
        east = fwd * math.sin(heading) + right * math.cos(heading)
        corner_lat, corner_lon = offset_m(lat, lon, north, east)
        ring.append([corner_lon, corner_lat])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}
