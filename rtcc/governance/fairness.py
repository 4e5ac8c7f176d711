"""Who lives under the sensors and the alerts: coverage and exposure per neighbourhood and
per demographic group, and what a proposed camera placement would change.

Per area: sensors and alerts inside it, per 1,000 residents. Per group: the
population-weighted average of an area rate, Σ group_a * rate_a / Σ group_a (the rate
the average member of the group lives under), and its ratio to the city-wide rate
(Σ count / Σ residents): 1.0 means the group is exposed like the city as a whole.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rtcc.governance.fairness_areas import AreaSet
from rtcc.governance.sensor_inventory import (
    GUNSHOT_SENSOR,
    LPR_READER,
    Sensor,
    alerts_since,
    sensor_inventory,
)
from rtcc.storage.base import EventStore

CameraType = Literal[
    "fixed", "ptz", "body_worn", "private_registered", "private_integrated", "drone"
]
PER = 1000.0


class ProposedCamera(BaseModel):
    """A camera someone proposes to install: where, and of which type."""

    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, description="WGS84 latitude")
    lon: float = Field(ge=-180, le=180, description="WGS84 longitude")
    camera_type: CameraType = "fixed"


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cameras: Annotated[list[ProposedCamera], Field(min_length=1, max_length=50)]


@dataclass(frozen=True, slots=True)
class AreaFigures:
    name: str
    population: float
    cameras: dict[str, int]  # by camera type
    lpr_readers: int
    gunshot_sensors: int
    alerts: int

    @property
    def sensors(self) -> int:
        return sum(self.cameras.values()) + self.lpr_readers + self.gunshot_sensors

    @property
    def sensors_per_1000(self) -> float | None:
        return _rate(self.sensors, self.population)

    @property
    def alerts_per_1000(self) -> float | None:
        return _rate(self.alerts, self.population)

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "population": self.population,
            "cameras": self.cameras,
            "lpr_readers": self.lpr_readers,
            "gunshot_sensors": self.gunshot_sensors,
            "sensors": self.sensors,
            "sensors_per_1000": _round(self.sensors_per_1000),
            "alerts": self.alerts,
            "alerts_per_1000": _round(self.alerts_per_1000),
        }


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str
    residents: float
    sensor_exposure: float | None  # population-weighted sensors per 1,000
    sensor_ratio: float | None  # … over the city-wide rate: the disparity figure
    alert_exposure: float | None
    alert_ratio: float | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "residents": self.residents,
            "sensor_exposure_per_1000": _round(self.sensor_exposure),
            "sensor_ratio_to_city": _round(self.sensor_ratio),
            "alert_exposure_per_1000": _round(self.alert_exposure),
            "alert_ratio_to_city": _round(self.alert_ratio),
        }


@dataclass(frozen=True, slots=True)
class Fairness:
    areas: tuple[AreaFigures, ...]
    groups: tuple[GroupFigures, ...]
    sensors_outside: int  # located, but in no configured area
    alerts_outside: int

    @property
    def population(self) -> float:
        return sum(a.population for a in self.areas)

    @property
    def city_sensor_rate(self) -> float | None:
        return _rate(sum(a.sensors for a in self.areas), self.population)

    @property
    def city_alert_rate(self) -> float | None:
        return _rate(sum(a.alerts for a in self.areas), self.population)

    def to_wire(self) -> dict[str, Any]:
        return {
            "city": {
                "population": self.population,
                "sensors": sum(a.sensors for a in self.areas),
                "sensors_per_1000": _round(self.city_sensor_rate),
                "alerts": sum(a.alerts for a in self.areas),
                "alerts_per_1000": _round(self.city_alert_rate),
                "sensors_outside_areas": self.sensors_outside,
                "alerts_outside_areas": self.alerts_outside,
            },
            "areas": [a.to_wire() for a in self.areas],
            "groups": [g.to_wire() for g in self.groups],
        }


def compute_fairness(
    areas: AreaSet, sensors: Sequence[Sensor], alerts: Sequence[tuple[float, float]]
) -> Fairness:
    """Count located sensors and alerts per area, then weigh the area rates by group."""
    located = [s for s in sensors if s.lat is not None and s.lon is not None]
    where = areas.locate(
        [(s.lat, s.lon) for s in located if s.lat is not None and s.lon is not None]
    )
    cameras: list[dict[str, int]] = [{} for _ in areas.areas]
    readers = [0] * len(areas.areas)
    acoustic = [0] * len(areas.areas)
    for sensor, index in zip(located, where, strict=True):
        if index is None:
            continue
        if sensor.kind == LPR_READER:
            readers[index] += 1
        elif sensor.kind == GUNSHOT_SENSOR:
            acoustic[index] += 1
        else:
            cameras[index][sensor.kind] = cameras[index].get(sensor.kind, 0) + 1
    alert_where = areas.locate(list(alerts))
    alert_counts = [0] * len(areas.areas)
    for index in alert_where:
        if index is not None:
            alert_counts[index] += 1
    figures = tuple(
        AreaFigures(
            a.name,
            a.population,
            dict(sorted(cameras[i].items())),
            readers[i],
            acoustic[i],
            alert_counts[i],
        )
        for i, a in enumerate(areas.areas)
    )
    return _with_groups(areas, figures, where.count(None), alert_where.count(None))


def _with_groups(
    areas: AreaSet, figures: tuple[AreaFigures, ...], sensors_outside: int, alerts_outside: int
) -> Fairness:
    base = Fairness(figures, (), sensors_outside, alerts_outside)
    groups = []
    for label in areas.group_labels:
        weights = [a.groups[label] for a in areas.areas]
        sensor_exp = _weighted(weights, [f.sensors_per_1000 for f in figures])
        alert_exp = _weighted(weights, [f.alerts_per_1000 for f in figures])
        groups.append(
            GroupFigures(
                label,
                sum(w for w, f in zip(weights, figures, strict=True) if f.population > 0),
                sensor_exp,
                _ratio(sensor_exp, base.city_sensor_rate),
                alert_exp,
                _ratio(alert_exp, base.city_alert_rate),
            )
        )
    return replace(base, groups=tuple(groups))


def what_if(
    areas: AreaSet,
    sensors: Sequence[Sensor],
    alerts: Sequence[tuple[float, float]],
    proposed: Sequence[ProposedCamera],
) -> dict[str, Any]:
    """The figures with the proposed cameras added, and what changed per area and group."""
    before = compute_fairness(areas, sensors, alerts)
    added = [Sensor(c.camera_type, c.lat, c.lon) for c in proposed]
    after = compute_fairness(areas, [*sensors, *added], alerts)
    changed = [
        {
            "name": b.name,
            "sensors_before": b.sensors,
            "sensors_after": a.sensors,
            "sensors_per_1000_before": _round(b.sensors_per_1000),
            "sensors_per_1000_after": _round(a.sensors_per_1000),
        }
        for b, a in zip(before.areas, after.areas, strict=True)
        if a.sensors != b.sensors
    ]
    groups = [
        {
            "group": b.group,
            "sensor_exposure_per_1000_before": _round(b.sensor_exposure),
            "sensor_exposure_per_1000_after": _round(a.sensor_exposure),
            "sensor_ratio_to_city_before": _round(b.sensor_ratio),
            "sensor_ratio_to_city_after": _round(a.sensor_ratio),
        }
        for b, a in zip(before.groups, after.groups, strict=True)
    ]
    return {
        "proposed": len(added),
        "proposed_outside_areas": after.sensors_outside - before.sensors_outside,
        "city_sensors_per_1000_before": _round(before.city_sensor_rate),
        "city_sensors_per_1000_after": _round(after.city_sensor_rate),
        "areas_changed": changed,
        "groups": groups,
        "after": after.to_wire(),
    }


@dataclass(frozen=True, slots=True)
class Observed:
    """What the stores hold for a period: the sensors and the located alerts."""

    sensors: tuple[Sensor, ...]
    alerts: tuple[tuple[float, float], ...]
    alerts_cut: bool  # the alert scan limit stopped before the period's start


def observe(events: EventStore, since: datetime | None, until: datetime) -> Observed:
    inventory = sensor_inventory(events)
    found, cut = alerts_since(events, since, until)
    points = tuple((a.lat, a.lon) for a in found if a.lat is not None and a.lon is not None)
    return Observed(inventory.sensors, points, cut)


def _rate(count: float, population: float) -> float | None:
    return count / population * PER if population > 0 else None


def _weighted(weights: Sequence[float], rates: Sequence[float | None]) -> float | None:
    pairs = [(w, r) for w, r in zip(weights, rates, strict=True) if r is not None]
    total = sum(w for w, _ in pairs)
    return sum(w * r for w, r in pairs) / total if total > 0 else None


def _ratio(value: float | None, city: float | None) -> float | None:
    return value / city if value is not None and city else None


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
