"""Patrol units driving the street graph and following their CAD assignments.

A unit is always on one segment, `pos_m` metres from `u` towards `v`, so its
position is on a street by construction.  Available units patrol (a random walk
that keeps to the home district, or drive home after a call); the dispatcher
sends the nearest available units by road distance to a scene, where they stay a
while, clear (busy, writing the report) and become available again.
"""

import heapq
import random
from dataclasses import dataclass, field
from typing import Literal

from rtcc.simulator.city import City
from rtcc.simulator.features import PatrolUnit, StreetPoint, district_at, heading_between

UnitStatus = Literal["available", "enroute", "on_scene", "busy"]
PATROL_SPEED_MPS = (8.0, 11.0)
RESPONSE_SPEED_MPS = (13.0, 15.0)
CLEARING_S = (10.0, 30.0)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A status a unit reached by itself: arrived (on_scene), cleared (busy), available."""

    unit_id: str
    status: UnitStatus
    incident_id: str | None


@dataclass(slots=True)
class UnitState:
    spec: PatrolUnit
    u: int
    v: int
    seg: int
    pos_m: float
    speed_mps: float
    heading_deg: float
    status: UnitStatus = "available"
    incident_id: str | None = None
    route: list[int] = field(default_factory=list)  # nodes still to reach after `v`
    stop: tuple[int, int, float] | None = None  # stop on edge (a, b) this far from a
    timer_s: float = 0.0
    scene_s: float = 0.0


class Fleet:
    def __init__(self, city: City, rng: random.Random) -> None:
        self.city = city
        self._rng = rng
        self._edge = {(a, b): s for a, nbrs in enumerate(city.adjacency) for b, s in nbrs}
        self._trees: dict[int, tuple[list[float], list[int]]] = {}  # the graph never changes
        self.units: dict[str, UnitState] = {}
        for spec in city.units:
            v, seg = rng.choice(city.adjacency[spec.home_node])
            unit = UnitState(spec, spec.home_node, v, seg, 0.0, 0.0, 0.0)
            self._enter_edge(unit, spec.home_node, v)
            self.units[spec.unit_id] = unit
        self.changed: set[str] = set(self.units)

    def position(self, unit: UnitState) -> tuple[float, float]:
        """(north_m, east_m) of the unit, interpolated along its segment."""
        a, b = self.city.intersections[unit.u], self.city.intersections[unit.v]
        f = unit.pos_m / self.city.segments[unit.seg].length_m
        return a.north_m + (b.north_m - a.north_m) * f, a.east_m + (b.east_m - a.east_m) * f

    def step(self, dt_s: float) -> list[StatusChange]:
        changes: list[StatusChange] = []
        for unit in self.units.values():
            if unit.status in ("on_scene", "busy"):
                unit.timer_s -= dt_s
                if unit.timer_s <= 0:
                    changes.append(self._finish_stationary(unit))
            elif self._advance(unit, unit.speed_mps * dt_s):
                unit.status, unit.speed_mps, unit.timer_s = "on_scene", 0.0, unit.scene_s
                changes.append(StatusChange(unit.spec.unit_id, "on_scene", unit.incident_id))
        self.changed.update(c.unit_id for c in changes)
        return changes

    def dispatch(
        self, incident_id: str, target: StreetPoint, count: int, scene_s: float
    ) -> list[str]:
        """Send up to `count` nearest available units (by road) to `target`; their ids."""
        if not any(unit.status == "available" for unit in self.units.values()):
            return []
        seg = self.city.segments[target.segment]
        stop_a = target.fraction * seg.length_m
        ends = ((seg.a, seg.b, stop_a), (seg.b, seg.a, seg.length_m - stop_a))
        trees = {end: self._tree(end) for end, _, _ in ends}
        offers: list[tuple[float, str, list[int], tuple[int, int, float]]] = []
        for unit in self.units.values():
            if unit.status != "available":
                continue
            left = self.city.segments[unit.seg].length_m - unit.pos_m
            for a, b, stop_m in ends:
                goal = (a, b, stop_m)
                if (unit.u, unit.v) == (a, b) and unit.pos_m <= stop_m:
                    offers.append((stop_m - unit.pos_m, unit.spec.unit_id, [], goal))
                dist, hop = trees[a]
                route, node = [], unit.v
                while node != a:
                    node = hop[node]
                    route.append(node)
                offers.append((left + dist[unit.v] + stop_m, unit.spec.unit_id, route, goal))
        chosen: list[str] = []
        for _, unit_id, route, stop in sorted(offers):
            if unit_id in chosen or len(chosen) >= count:
                continue
            unit = self.units[unit_id]
            unit.status, unit.incident_id, unit.scene_s = "enroute", incident_id, scene_s
            unit.route, unit.stop = route, stop
            unit.speed_mps = self._rng.uniform(*RESPONSE_SPEED_MPS)
            chosen.append(unit_id)
        self.changed.update(chosen)
        return chosen

    def _finish_stationary(self, unit: UnitState) -> StatusChange:
        if unit.status == "on_scene":
            unit.status, unit.timer_s = "busy", self._rng.uniform(*CLEARING_S)
            return StatusChange(unit.spec.unit_id, "busy", unit.incident_id)
        unit.status, unit.incident_id = "available", None
        hop = self._tree(unit.spec.home_node)[1]
        unit.route, node = [], unit.v
        while node != unit.spec.home_node:
            node = hop[node]
            unit.route.append(node)
        unit.speed_mps = self._rng.uniform(*PATROL_SPEED_MPS)
        return StatusChange(unit.spec.unit_id, "available", None)

    def _advance(self, unit: UnitState, dist_m: float) -> bool:
        """Drive `dist_m` along the unit's path; True when it reached its stop."""
        while dist_m > 0:
            stop = unit.stop
            if stop is not None and stop[:2] == (unit.u, unit.v) and unit.pos_m + dist_m >= stop[2]:
                unit.pos_m, unit.stop = stop[2], None
                return True
            length = self.city.segments[unit.seg].length_m
            if unit.pos_m + dist_m < length:
                unit.pos_m += dist_m
                return False
            dist_m -= length - unit.pos_m
            self._enter_edge(unit, unit.v, self._next_node(unit))
        return False

    def _enter_edge(self, unit: UnitState, u: int, v: int) -> None:
        unit.u, unit.v, unit.seg, unit.pos_m = u, v, self._edge[(u, v)], 0.0
        nodes = self.city.intersections
        unit.heading_deg = heading_between(nodes[u], nodes[v])
        speeds = PATROL_SPEED_MPS if unit.status == "available" else RESPONSE_SPEED_MPS
        unit.speed_mps = self._rng.uniform(*speeds)

    def _next_node(self, unit: UnitState) -> int:
        if unit.route:
            return unit.route.pop(0)
        if unit.stop is not None:
            return unit.stop[1]
        options = [n for n, _ in self.city.adjacency[unit.v] if n != unit.u] or [unit.u]
        nodes = self.city.intersections
        weights = [
            1.0 if district_at(nodes[n].north_m, nodes[n].east_m) == unit.spec.district else 0.2
            for n in options
        ]
        return self._rng.choices(options, weights=weights)[0]

    def _tree(self, root: int) -> tuple[list[float], list[int]]:
        """Road distance from every node to `root`, and each node's next hop towards it."""
        if root not in self._trees:
            self._trees[root] = self._dijkstra(root)
        return self._trees[root]

    def _dijkstra(self, root: int) -> tuple[list[float], list[int]]:
        dist = [float("inf")] * len(self.city.intersections)
        hop = list(range(len(dist)))
        dist[root] = 0.0
        queue = [(0.0, root)]
        while queue:
            d, node = heapq.heappop(queue)
            if d > dist[node]:
                continue
            for nbr, seg in self.city.adjacency[node]:
                nd = d + self.city.segments[seg].length_m
                if nd < dist[nbr]:
                    dist[nbr], hop[nbr] = nd, node
                    heapq.heappush(queue, (nd, nbr))
        return dist, hop
