"""Geodesy on the WGS84 sphere approximation: good to ~0.5% at city scale."""

import math

from pydantic import BaseModel, ConfigDict, Field

EARTH_RADIUS_M = 6_371_008.8


class Location(BaseModel):
    """A WGS84 point with an optional horizontal uncertainty radius in metres."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90, description="WGS84 latitude, degrees")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude, degrees")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def angle_between_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two compass bearings."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * coslat))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def offset_m(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point `north_m`/`east_m` metres from (lat, lon)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lat + dlat, lon + dlon


def compass(degrees: float) -> float:
    """A bearing in [0, 360). Plain `% 360` gives 360.0 for tiny negative inputs."""
    bearing = degrees % 360.0
    return 0.0 if bearing >= 360.0 else bearing


_POINTS: tuple[str, ...] = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE")
_POINTS += ("S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
COMPASS_POINTS: dict[str, float] = {name: i * 22.5 for i, name in enumerate(_POINTS)}
"""The 16 compass points ("N", "NNE", … "NNW") as bearings in degrees."""
