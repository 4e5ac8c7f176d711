"""Neighbourhoods for the fairness report: a configured GeoJSON of areas with census counts.

The file is checked when it is loaded: a feature without a polygon, a name, a population
or one of the group counts is refused with the file, the feature index and the field, so
a report is never computed on silently missing demographics.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, model_validator
from shapely import STRtree
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

MAP_TOLERANCE_DEG = 0.0001  # about 10 m: the published outlines stay small enough to send


class FairnessSettings(BaseModel):
    """Where the neighbourhoods are and which of their fields hold population and groups."""

    model_config = ConfigDict(extra="forbid")

    areas_path: Path | None = Field(
        None, description="GeoJSON FeatureCollection of neighbourhood (Multi)Polygons, WGS84"
    )
    name_field: str = Field("name", min_length=1, description="property naming each area")
    population_field: str = Field(
        "population", min_length=1, description="property holding the residents of each area"
    )
    groups: dict[str, str] = Field(
        default_factory=dict,
        description="group label → property holding that group's residents (e.g. Black: Blk14)",
    )

    @model_validator(mode="after")
    def _file_is_usable(self) -> "FairnessSettings":
        load_areas(self)  # refuse a bad file when the settings load, not at the first report
        return self


class AreaFileError(ValueError):
    """The neighbourhood file cannot be used; the message names file, feature and field."""


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    population: float
    groups: dict[str, float]
    geometry: dict[str, Any]  # GeoJSON for the map, simplified to ~10 m (counts use the full shape)


@dataclass(frozen=True, slots=True)
class AreaSet:
    """The areas and a spatial index over them, for point-in-polygon counts."""

    areas: tuple[Area, ...]
    group_labels: tuple[str, ...]
    polygons: tuple[BaseGeometry, ...]
    tree: STRtree

    def locate(self, points: list[tuple[float, float]]) -> list[int | None]:
        """Index of the area each (lat, lon) point lies inside, or None when outside all
        (a point on a border counts in neither): bounding boxes from the tree, then an
        exact test against each candidate area's prepared polygon."""
        found = np.full(len(points), -1, dtype=np.int64)
        if points:
            lat_lon = np.array(points, dtype=float)
            lats, lons = lat_lon[:, 0], lat_lon[:, 1]
            candidates = self.tree.query(shapely.points(lons, lats))
            for area_index in np.unique(candidates[1]):
                chosen = candidates[0][candidates[1] == area_index]
                chosen = chosen[found[chosen] < 0]
                inside = shapely.contains_xy(
                    self.polygons[int(area_index)], lons[chosen], lats[chosen]
                )
                found[chosen[inside]] = area_index
        return [int(i) if i >= 0 else None for i in found]


def load_areas(settings: FairnessSettings) -> AreaSet | None:
    """The configured areas (cached per file version), or None when none are configured."""
    if settings.areas_path is None:
        return None
    path = settings.areas_path
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise AreaFileError(f"{path}: cannot read the neighbourhood file ({exc})") from exc
    groups = tuple(sorted(settings.groups.items()))
    return _load(path, mtime, settings.name_field, settings.population_field, groups)


@lru_cache(maxsize=4)
def _load(
    path: Path,
    _mtime: int,
    name_field: str,
    population_field: str,
    groups: tuple[tuple[str, str], ...],
) -> AreaSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AreaFileError(f"{path}: not readable GeoJSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AreaFileError(f"{path}: must be a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise AreaFileError(f"{path}: the FeatureCollection has no features")
    areas = []
    polygons = []
    for index, feature in enumerate(features):
        area, polygon = _area(path, index, feature, name_field, population_field, groups)
        areas.append(area)
        polygons.append(polygon)
    shapely.prepare(polygons)  # point-in-polygon tests run against them many times over
    return AreaSet(
        tuple(areas), tuple(label for label, _ in groups), tuple(polygons), STRtree(polygons)
    )


def _area(
    path: Path,
    index: int,
    feature: Any,
    name_field: str,
    population_field: str,
    groups: tuple[tuple[str, str], ...],
) -> tuple[Area, BaseGeometry]:
    where = f"{path}: feature {index}"
    if not isinstance(feature, dict):
        raise AreaFileError(f"{where}: not a GeoJSON Feature")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise AreaFileError(f"{where}: field 'geometry' must be a Polygon or MultiPolygon")
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError) as exc:
        raise AreaFileError(f"{where}: field 'geometry' is not a valid polygon ({exc})") from exc
    if polygon.is_empty:
        raise AreaFileError(f"{where}: field 'geometry' is empty")
    if not polygon.is_valid:
        polygon = shapely.make_valid(polygon)
    props = feature.get("properties") or {}
    name = props.get(name_field)
    if not isinstance(name, str | int) or str(name).strip() == "":
        raise AreaFileError(f"{where}: field {name_field!r} (area name) is missing or empty")
    population = _count(where, props, population_field, "population")
    counts = {label: _count(where, props, field, f"group {label}") for label, field in groups}
    drawn = mapping(polygon.simplify(MAP_TOLERANCE_DEG, preserve_topology=True))
    return Area(str(name).strip(), population, counts, dict(drawn)), polygon


def _count(where: str, props: dict[str, Any], field: str, what: str) -> float:
    value = props.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AreaFileError(f"{where}: field {field!r} ({what}) is missing or not a number")
    if value < 0:
        raise AreaFileError(f"{where}: field {field!r} ({what}) is negative ({value})")
    return float(value)
