"""Where the seeded sensors and patrol units go on the street grid.

Cameras favour busy corners, plate readers sit mid-block on arterials, and each
district gets its own patrol units, as an agency would deploy them.
"""

import random

from rtcc.simulator.features import (
    DISTRICT_NAMES,
    Camera,
    CameraType,
    Intersection,
    LprReader,
    PatrolUnit,
    Segment,
    district_at,
    heading_between,
)


def place_cameras(
    rng: random.Random,
    nodes: list[Intersection],
    adjacency: tuple[tuple[tuple[int, int], ...], ...],
    blocks: int,
    count: int = 30,
) -> tuple[Camera, ...]:
    """Cameras favour busy corners: arterial crossings and the diagonals."""
    size = blocks + 1

    def weight(n: Intersection) -> float:
        i, j = n.id % size, n.id // size
        return 1.0 + 2.0 * (i % 4 == 0) + 2.0 * (j % 4 == 0) + 2.0 * (i == j or i + j == blocks)

    weights = [weight(n) for n in nodes]
    chosen: list[int] = []
    while len(chosen) < min(count, len(nodes)):
        pick = rng.choices(range(len(nodes)), weights=weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    cameras = []
    for k, nid in enumerate(chosen):
        n = nodes[nid]
        look_at = nodes[rng.choice(adjacency[nid])[0]]
        heading = heading_between(n, look_at)
        kind: CameraType = "ptz" if k % 10 == 3 else "private_registered" if k % 8 == 5 else "fixed"
        if kind == "ptz":
            fov, rng_m, name = 60.0, 300.0, f"PTZ {n.name}"
        elif kind == "private_registered":
            fov, rng_m, name = 100.0, float(rng.randrange(40, 80, 5)), f"Private near {n.name}"
        else:
            fov, rng_m, name = (
                float(rng.choice((60, 70, 80, 90))),
                float(rng.randrange(120, 230, 10)),
                n.name,
            )
        cameras.append(
            Camera(f"CAM-{k + 1:03d}", name, kind, nid, n.lat, n.lon, heading, fov, rng_m)
        )
    return tuple(cameras)


def place_lpr_readers(
    rng: random.Random, segments: list[Segment], nodes: list[Intersection], count: int = 8
) -> tuple[LprReader, ...]:
    """One reader per arterial (as far as they go), mid-block, reading one direction."""
    arterials = sorted({s.street for s in segments if s.street_class == "arterial"})
    streets = rng.sample(arterials, min(count, len(arterials)))
    while len(streets) < count:
        streets.append(rng.choice(arterials))
    readers = []
    for k, street in enumerate(streets):
        options = [i for i, s in enumerate(segments) if s.street == street]
        index = rng.choice(options[1:-1] or options)
        seg = segments[index]
        a, b = (nodes[seg.a], nodes[seg.b]) if rng.random() < 0.5 else (nodes[seg.b], nodes[seg.a])
        lat, lon = (a.lat + b.lat) / 2, (a.lon + b.lon) / 2
        readers.append(LprReader(f"LPR-{k + 1:02d}", index, lat, lon, heading_between(a, b)))
    return tuple(readers)


def place_units(
    rng: random.Random, nodes: list[Intersection], per_district: int = 3
) -> tuple[PatrolUnit, ...]:
    """Three units per district, each starting from (and returning to) a node inside it."""
    units = []
    for d, name in enumerate(DISTRICT_NAMES):
        inside = [
            n.id
            for n in nodes
            if district_at(n.north_m, n.east_m) == name and (n.north_m or n.east_m)
        ]
        for k, home in enumerate(rng.sample(inside, per_district)):
            units.append(PatrolUnit(f"{name[0]}{d + 1}{k + 1}", name, home))
    return tuple(units)
