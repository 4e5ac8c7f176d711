"""Drone as First Responder: which dock should launch for an incident, and why.

The model is deliberately simple and says so: a straight line from the dock to the incident
at the dock's cruise speed, plus the dock's launch time (lid open + climb); no wind (no
headwind or tailwind), no climb/descent profile, no routing around airspace. A dock is
eligible when its drone is docked, charged, in range, the weather allows flight and the line
crosses no no-fly zone; a line through an authorization-required zone stays eligible but is
flagged. Eligible docks rank by ETA; the fastest one is the recommendation.
"""

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from shapely.geometry import LineString, Point, Polygon

from rtcc.analysis.dfr_config import AirspaceZone, DfrSettings, DfrWeather, DroneDock
from rtcc.analysis.drone_footprint import camera_footprint
from rtcc.core.geo import EARTH_RADIUS_M, haversine_m
from rtcc.storage.base import EntityState

__all__ = [
    "AirspaceZone",
    "DfrRecommendation",
    "DfrSettings",
    "DfrWeather",
    "DockOption",
    "DroneDock",
    "DroneState",
    "camera_footprint",
    "drone_states",
    "recommend",
]

AT_DOCK_M = 50.0  # a drone further than this from its dock is away
FLYING_MPS = 1.0  # a drone moving faster than this is flying
ETA_MODEL = "ETA = launch_time_s + straight-line distance / cruise_speed_mps (no wind)"


@dataclass(frozen=True, slots=True)
class DroneState:
    """A drone's latest unit_position, as far as launching it matters."""

    unit_id: str
    lat: float
    lon: float
    occurred_at: datetime | None = None
    status: str = "available"
    battery_pct: float | None = None
    speed_mps: float | None = None


class DockOption(BaseModel):
    """One dock, whether it can launch for this incident, and why (or why not)."""

    dock_id: str
    dock_name: str
    unit_id: str
    distance_m: float
    eta_s: float
    eligible: bool
    reason: str = Field(description="one line: eligible, or what stops it")
    blockers: list[str] = Field(description="every reason it cannot launch")
    flags: list[str] = Field(description="launchable, but someone must know")
    battery_pct: float | None
    authorization_required: bool


class DfrRecommendation(BaseModel):
    incident: dict[str, float]
    recommended_dock_id: str | None
    summary: str
    model: str = ETA_MODEL
    weather: DfrWeather
    options: list[DockOption]


def drone_states(entities: Iterable[EntityState]) -> dict[str, DroneState]:
    """The latest state of every drone (unit_position with unit_type "drone"), by unit_id."""
    states: dict[str, DroneState] = {}
    for entity in entities:
        payload: dict[str, Any] = entity.event.get("payload") or {}
        if entity.entity_type != "unit" or payload.get("unit_type") != "drone":
            continue
        if entity.lat is None or entity.lon is None:
            continue
        at = entity.event.get("occurred_at")
        states[str(payload["unit_id"])] = DroneState(
            unit_id=str(payload["unit_id"]),
            lat=entity.lat,
            lon=entity.lon,
            occurred_at=datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None,
            status=str(payload.get("status", "available")),
            battery_pct=payload.get("battery_pct"),
            speed_mps=payload.get("speed_mps"),
        )
    return states


Projector = Callable[[float, float], tuple[float, float]]


def _projector(lat0: float, lon0: float) -> Projector:
    """Equirectangular projection to metres around (lat0, lon0): good at city scale."""
    k = math.cos(math.radians(lat0))

    def project(lon: float, lat: float) -> tuple[float, float]:
        x = math.radians(lon - lon0) * EARTH_RADIUS_M * k
        return x, math.radians(lat - lat0) * EARTH_RADIUS_M

    return project


def _crossed(
    dock: DroneDock, zones: Sequence[tuple[AirspaceZone, Any]], project: Projector
) -> list[AirspaceZone]:
    """Zones the straight dock → incident segment touches (the incident projects to 0, 0)."""
    start = project(dock.lon, dock.lat)
    path = Point(start) if start == (0.0, 0.0) else LineString([start, (0.0, 0.0)])
    return [zone for zone, shape in zones if path.intersects(shape)]


def _assess(
    dock: DroneDock,
    lat: float,
    lon: float,
    state: DroneState | None,
    crossed: list[AirspaceZone],
    weather: DfrWeather,
    stale_after_s: float,
    now: datetime | None,
) -> DockOption:
    distance = haversine_m(dock.lat, dock.lon, lat, lon)
    blockers: list[str] = []
    flags: list[str] = []
    if weather.grounded:
        blockers.append(f"weather grounded: {weather.reason or 'no reason given'}")
    if state is None:
        blockers.append(f"no position ever received from drone {dock.unit_id}")
    else:
        away = haversine_m(dock.lat, dock.lon, state.lat, state.lon)
        if state.status == "out_of_service":
            blockers.append("drone is out of service")
        if (state.speed_mps or 0.0) > FLYING_MPS:
            blockers.append(f"drone already flying ({state.speed_mps:.1f} m/s)")
        elif away > AT_DOCK_M:
            blockers.append(f"drone not at its dock ({away:.0f} m away)")
        if state.battery_pct is None:
            blockers.append("battery level unknown (no battery_pct in its latest position)")
        elif state.battery_pct < dock.min_launch_battery_pct:
            minimum = dock.min_launch_battery_pct
            blockers.append(f"battery {state.battery_pct:.0f}% below the {minimum:.0f}% minimum")
        if now is not None and state.occurred_at is not None:
            age = (now - state.occurred_at).total_seconds()
            if age > stale_after_s:
                flags.append(f"latest drone position is {age / 60:.0f} min old")
    if distance > dock.max_range_m:
        blockers.append(
            f"out of range ({distance / 1000:.1f} km > {dock.max_range_m / 1000:.1f} km)"
        )
    blockers += [f"flight path crosses no-fly zone {z.name}" for z in crossed if z.kind == "no_fly"]
    needs_auth = [z.name for z in crossed if z.kind == "authorization_required"]
    flags += [f"authorization required: {name}" for name in needs_auth]
    eta = dock.launch_time_s + distance / dock.cruise_speed_mps
    reason = "; ".join(blockers) if blockers else "; ".join(["eligible", *flags])
    return DockOption(
        dock_id=dock.id,
        dock_name=dock.name,
        unit_id=dock.unit_id,
        distance_m=round(distance, 1),
        eta_s=round(eta, 1),
        eligible=not blockers,
        reason=reason,
        blockers=blockers,
        flags=flags,
        battery_pct=state.battery_pct if state else None,
        authorization_required=bool(needs_auth),
    )


def _summary(options: list[DockOption], weather: DfrWeather) -> str:
    if not options:
        return "no DFR docks configured"
    best = options[0]
    if best.eligible:
        eta = f"{int(best.eta_s // 60)} min {int(best.eta_s % 60)} s"
        extra = f"; {'; '.join(best.flags)}" if best.flags else ""
        return f"launch {best.dock_name}: ETA {eta} ({best.distance_m / 1000:.1f} km){extra}"
    if weather.grounded:
        return f"no dock can launch: weather grounded: {weather.reason or 'no reason given'}"
    return "no dock can launch: " + "; ".join(f"{o.dock_name}: {o.reason}" for o in options)


def recommend(
    incident_lat: float,
    incident_lon: float,
    docks: Sequence[DroneDock],
    drone_states: Mapping[str, DroneState],
    zones: Sequence[AirspaceZone],
    weather: DfrWeather,
    *,
    now: datetime | None = None,
    stale_after_s: float = 600.0,
) -> DfrRecommendation:
    """Every dock ranked (eligible by ETA first, then the rest by ETA), each with its reason.

    Distances are geodesic (haversine). For the airspace test the zones and the dock →
    incident segment are projected to metres with an equirectangular projection centred on
    the incident, then intersected with shapely: exact enough over the few kilometres a
    DFR flight covers, not across the antimeridian or near the poles.
    """
    project = _projector(incident_lat, incident_lon)
    shapes = [
        (
            zone,
            Polygon(
                [project(p[0], p[1]) for p in zone.polygon.coordinates[0]],
                [[project(p[0], p[1]) for p in hole] for hole in zone.polygon.coordinates[1:]],
            ),
        )
        for zone in zones
    ]
    options = [
        _assess(
            dock,
            incident_lat,
            incident_lon,
            drone_states.get(dock.unit_id),
            _crossed(dock, shapes, project),
            weather,
            stale_after_s,
            now,
        )
        for dock in docks
    ]
    options.sort(key=lambda o: (not o.eligible, o.eta_s))
    best = options[0] if options and options[0].eligible else None
    return DfrRecommendation(
        incident={"lat": incident_lat, "lon": incident_lon},
        recommended_dock_id=best.dock_id if best else None,
        summary=_summary(options, weather),
        weather=weather,
        options=options,
    )
