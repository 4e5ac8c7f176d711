"""A seeded synthetic city: the street grid, districts and the sensors placed on it.

Everything the simulator moves or detects lives on this one map, so generated
positions can be checked against real street geometry and the UI can draw the
same streets (`basemap_geojson`).  Geometry is kept in local metres (north, east)
from the origin; lat/lon come from `rtcc.core.geo.offset_m`, which is affine for a
fixed origin, so a point interpolated in metres stays exactly on its street.
"""

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from rtcc.core.geo import EARTH_RADIUS_M, offset_m
from rtcc.simulator.features import (
    DISTRICT_NAMES,
    Camera,
    District,
    Intersection,
    LprReader,
    PatrolUnit,
    Segment,
    Street,
    StreetClass,
    StreetPoint,
    district_at,
)
from rtcc.simulator.placement import place_cameras, place_lpr_readers, place_units

_EW_NAMES = (
    "Oak", "Maple", "Elm", "Cedar", "Pine", "Walnut", "Chestnut", "Spruce", "Birch", "Willow",
    "Hickory", "Poplar", "Sycamore", "Magnolia", "Laurel", "Juniper", "Aspen", "Cherry", "Linden",
    "Hawthorn", "Cypress", "Alder", "Beech", "Dogwood", "Locust",
)  # fmt: skip
_DIAGONALS = ("Grandview Blvd", "Harbor Pkwy")
GeoJson = dict[str, Any]


@dataclass(frozen=True)
class City:
    origin: tuple[float, float]
    timezone: str
    half_m: float
    intersections: tuple[Intersection, ...]
    streets: tuple[Street, ...]
    segments: tuple[Segment, ...]
    adjacency: tuple[tuple[tuple[int, int], ...], ...]  # per node: (neighbour, segment index)
    districts: tuple[District, ...]
    cameras: tuple[Camera, ...]
    lpr_readers: tuple[LprReader, ...]
    units: tuple[PatrolUnit, ...]

    def latlon(self, north_m: float, east_m: float) -> tuple[float, float]:
        return offset_m(self.origin[0], self.origin[1], north_m, east_m)

    def local_m(self, lat: float, lon: float) -> tuple[float, float]:
        """Inverse of `latlon`: (north_m, east_m) from the origin."""
        north = math.radians(lat - self.origin[0]) * EARTH_RADIUS_M
        east = math.radians(lon - self.origin[1]) * EARTH_RADIUS_M
        return north, east * math.cos(math.radians(self.origin[0]))

    def district_of(self, north_m: float, east_m: float) -> str:
        return district_at(north_m, east_m)

    def point_on(self, segment: int, fraction: float) -> StreetPoint:
        seg = self.segments[segment]
        a, b = self.intersections[seg.a], self.intersections[seg.b]
        north = a.north_m + (b.north_m - a.north_m) * fraction
        east = a.east_m + (b.east_m - a.east_m) * fraction
        return StreetPoint(segment, fraction, north, east, *self.latlon(north, east))

    def random_point_on_street(self, rng: random.Random) -> StreetPoint:
        """A uniformly random point along the street network (long blocks weigh more)."""
        weights = [s.length_m for s in self.segments]
        index = rng.choices(range(len(self.segments)), weights=weights)[0]
        return self.point_on(index, round(rng.uniform(0.05, 0.95), 4))

    def address(self, point: StreetPoint) -> str:
        seg = self.segments[point.segment]
        return f"{seg.block_no} block of {seg.street}"

    def _lonlat(self, node: int) -> list[float]:
        n = self.intersections[node]
        return [round(n.lon, 7), round(n.lat, 7)]

    def streets_geojson(self) -> GeoJson:
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [self._lonlat(n) for n in street.nodes],
                },
                "properties": {
                    "layer": "street",
                    "name": street.name,
                    "class": street.street_class,
                },
            }
            for street in self.streets
        ]
        return {"type": "FeatureCollection", "features": features}

    def districts_geojson(self) -> GeoJson:
        features = []
        for district in self.districts:
            ring = [list(reversed([round(v, 7) for v in self.latlon(*p)])) for p in district.ring_m]
            if _signed_area(ring) < 0:  # RFC 7946: exterior rings are counter-clockwise
                ring.reverse()
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                    "properties": {"layer": "district", "name": district.name},
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def basemap_geojson(self) -> GeoJson:
        """Streets and districts in one FeatureCollection, told apart by `layer`."""
        features = self.districts_geojson()["features"] + self.streets_geojson()["features"]
        return {"type": "FeatureCollection", "features": features}


def _signed_area(ring: list[list[float]]) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs) / 2


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def build_city(
    seed: int = 7,
    origin: tuple[float, float] = (39.9612, -82.9988),
    blocks: int = 16,
    block_m: float = 160.0,
    *,
    timezone: str = "America/New_York",
) -> City:
    """A square grid of `blocks` x `blocks` blocks centred on `origin`, sensors placed by seed."""
    if blocks < 4 or blocks % 2:
        raise ValueError(f"blocks must be an even number >= 4, got {blocks}")
    rng = random.Random(f"city:{seed}")
    size, half = blocks + 1, blocks * block_m / 2

    def node(i: int, j: int) -> int:  # i counts avenues west->east, j streets south->north
        return j * size + i

    avenues = [f"{_ordinal(i + 1)} Ave" for i in range(size)]
    cross = [f"{_EW_NAMES[j]} St" if j < len(_EW_NAMES) else f"Street {j + 1}" for j in range(size)]
    nodes = []
    for j in range(size):
        for i in range(size):
            north, east = j * block_m - half, i * block_m - half
            lat, lon = offset_m(origin[0], origin[1], north, east)
            nodes.append(
                Intersection(node(i, j), f"{avenues[i]} & {cross[j]}", north, east, lat, lon)
            )

    streets: list[Street] = []
    segments: list[Segment] = []
    neighbours: list[list[tuple[int, int]]] = [[] for _ in nodes]

    def add_street(name: str, cls: StreetClass, path: list[int]) -> None:
        streets.append(Street(name, cls, tuple(path)))
        for k, (a, b) in enumerate(itertools.pairwise(path)):
            na, nb = nodes[a], nodes[b]
            length = math.hypot(nb.north_m - na.north_m, nb.east_m - na.east_m)
            neighbours[a].append((b, len(segments)))
            neighbours[b].append((a, len(segments)))
            segments.append(Segment(a, b, name, cls, length, (k + 1) * 100))

    def cls_of(k: int) -> StreetClass:
        return "arterial" if k % 4 == 0 else "local"

    for i in range(size):
        add_street(avenues[i], cls_of(i), [node(i, j) for j in range(size)])
    for j in range(size):
        add_street(cross[j], cls_of(j), [node(i, j) for i in range(size)])
    add_street(_DIAGONALS[0], "arterial", [node(k, k) for k in range(size)])
    add_street(_DIAGONALS[1], "arterial", [node(k, blocks - k) for k in range(size)])

    corners = {"NE": (half, half), "NW": (half, -half), "SE": (-half, half), "SW": (-half, -half)}
    rings = {
        "North": ("NE", "NW"),
        "East": ("SE", "NE"),
        "South": ("SW", "SE"),
        "West": ("NW", "SW"),
    }
    districts = tuple(
        District(name, ((0.0, 0.0), corners[rings[name][0]], corners[rings[name][1]]))
        for name in DISTRICT_NAMES
    )
    adjacency = tuple(tuple(n) for n in neighbours)
    return City(
        origin=origin,
        timezone=timezone,
        half_m=half,
        intersections=tuple(nodes),
        streets=tuple(streets),
        segments=tuple(segments),
        adjacency=adjacency,
        districts=districts,
        cameras=place_cameras(rng, nodes, adjacency, blocks),
        lpr_readers=place_lpr_readers(rng, segments, nodes),
        units=place_units(rng, nodes),
    )
