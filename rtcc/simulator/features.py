"""The things on the synthetic city's map: streets, districts, sensors and units.

Plain frozen records in local metres (north, east of the city origin) plus their
lat/lon, shared by the city builder, sensor placement and the simulator.
"""

import math
from dataclasses import dataclass
from typing import Literal

from rtcc.core.geo import compass

StreetClass = Literal["arterial", "local"]
CameraType = Literal["fixed", "ptz", "private_registered"]
DISTRICT_NAMES = ("North", "East", "South", "West")


@dataclass(frozen=True, slots=True)
class Intersection:
    id: int
    name: str
    north_m: float
    east_m: float
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Street:
    name: str
    street_class: StreetClass
    nodes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """One block of one street, between two neighbouring intersections."""

    a: int
    b: int
    street: str
    street_class: StreetClass
    length_m: float
    block_no: int  # the hundred-block number addresses on this block use


@dataclass(frozen=True, slots=True)
class StreetPoint:
    """A point on a street segment; `fraction` runs from segment.a (0) to segment.b (1)."""

    segment: int
    fraction: float
    north_m: float
    east_m: float
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class District:
    name: str
    ring_m: tuple[tuple[float, float], ...]  # (north_m, east_m) vertices, not closed


@dataclass(frozen=True, slots=True)
class Camera:
    camera_id: str
    name: str
    camera_type: CameraType
    node: int
    lat: float
    lon: float
    heading_deg: float
    fov_deg: float
    range_m: float


@dataclass(frozen=True, slots=True)
class LprReader:
    reader_id: str
    segment: int
    lat: float
    lon: float
    heading_deg: float  # the direction of travel of the lane it reads


@dataclass(frozen=True, slots=True)
class PatrolUnit:
    unit_id: str
    district: str
    home_node: int


def district_at(north_m: float, east_m: float) -> str:
    """The districts are the four triangles cut by the two diagonal arterials."""
    if north_m >= abs(east_m):
        return "North"
    if -north_m >= abs(east_m):
        return "South"
    return "East" if east_m > 0 else "West"


def heading_between(a: Intersection, b: Intersection) -> float:
    """Compass bearing from a to b in the local frame, always in [0, 360)."""
    deg = compass(math.degrees(math.atan2(b.east_m - a.east_m, b.north_m - a.north_m)))
    return 0.0 if deg >= 359.95 else round(deg, 1)
