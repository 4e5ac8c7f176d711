"""Building footprints that block a camera's line of sight, with a loader per format.

A sight line is the straight segment camera → point in lon/lat (at camera ranges, ≤ 2 km,
it stays within centimetres of the geodesic). It is blocked when it meets a footprint,
except the one the camera is mounted on (a footprint within ~0.5 m of the camera) and
the one the point lies in (an incident geocoded inside a house is still watched from
the street), both decided per camera. Footprints sit in a shapely STRtree.
"""

import bz2
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import shapely
from lxml import etree
from shapely.geometry import Polygon, shape
from shapely.geometry.base import BaseGeometry

from rtcc.analysis.visibility import FloatArray

MOUNT_TOLERANCE_DEG = 5e-6  # about half a metre: a camera on a wall is "in" that building


class Footprints:
    """Building polygons (lon/lat) indexed for "does this sight line hit a building"."""

    def __init__(self, polygons: Iterable[BaseGeometry]) -> None:
        self.polygons = [p for p in polygons if not p.is_empty]
        self._tree = shapely.STRtree(self.polygons)

    def __len__(self) -> int:
        return len(self.polygons)

    def occluded(
        self, cam_lat: FloatArray, cam_lon: FloatArray, lat: float, lon: float
    ) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Per camera: True when a building other than its own or the point's is in the way."""
        n = cam_lat.shape[0]
        blocked = np.zeros(n, dtype=bool)
        if n == 0 or not self.polygons:
            return blocked
        coords = np.empty((n, 2, 2))
        coords[:, 0, 0], coords[:, 0, 1] = cam_lon, cam_lat
        coords[:, 1, 0], coords[:, 1, 1] = lon, lat
        lines = shapely.linestrings(coords)
        line_idx, poly_idx = self._tree.query(lines, predicate="intersects")
        if line_idx.size == 0:
            return blocked
        target = set(self._tree.query(shapely.Point(lon, lat), predicate="intersects").tolist())
        cams = shapely.points(np.column_stack([cam_lon, cam_lat]))
        mount_line, mount_poly = self._tree.query(
            cams, predicate="dwithin", distance=MOUNT_TOLERANCE_DEG
        )
        mounted = set(zip(mount_line.tolist(), mount_poly.tolist(), strict=True))
        for line, poly in zip(line_idx.tolist(), poly_idx.tolist(), strict=True):
            if poly not in target and (line, poly) not in mounted:
                blocked[line] = True
        return blocked

    @classmethod
    def from_file(cls, path: Path) -> "Footprints":
        """GeoJSON (.geojson/.json) or OSM XML (.osm, .osm.bz2), by the file name."""
        name = path.name.lower()
        if name.endswith((".geojson", ".json")):
            return cls(geojson_polygons(json.loads(path.read_bytes()), str(path)))
        if name.endswith(".osm.bz2"):
            with bz2.open(path, "rb") as f:
                return cls(osm_building_polygons(f))
        if name.endswith(".osm"):
            with path.open("rb") as f:
                return cls(osm_building_polygons(f))
        raise ValueError(f"{path}: footprints must be .geojson, .json, .osm or .osm.bz2")


def geojson_polygons(data: Any, where: str = "geojson") -> Iterator[BaseGeometry]:
    """Every (Multi)Polygon of a FeatureCollection, Feature or bare geometry."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not a GeoJSON object")
    kind = data.get("type")
    if kind == "FeatureCollection":
        for i, feature in enumerate(data.get("features") or []):
            yield from geojson_polygons(feature, f"{where}: features[{i}]")
    elif kind == "Feature":
        if data.get("geometry"):
            yield from geojson_polygons(data["geometry"], f"{where}.geometry")
    elif kind in ("Polygon", "MultiPolygon"):
        try:
            geom = shape(data)
        except Exception as exc:
            raise ValueError(f"{where}: bad {kind} ({exc})") from exc
        yield geom if geom.is_valid else shapely.make_valid(geom)


def osm_building_polygons(stream: IO[bytes]) -> Iterator[BaseGeometry]:
    """Closed OSM ways tagged building=* (any value but "no"), streamed with lxml.

    Nodes come before ways in OSM files, so one pass suffices. Multipolygon relations
    are not assembled: in city extracts nearly every building is a plain way.
    """
    nodes: dict[str, tuple[float, float]] = {}
    context = etree.iterparse(
        stream, events=("end",), tag=("node", "way"), resolve_entities=False, no_network=True
    )
    for _, elem in context:
        if elem.tag == "node":
            nodes[elem.get("id")] = (float(elem.get("lon")), float(elem.get("lat")))
        else:
            polygon = _way_polygon(elem, nodes)
            if polygon is not None:
                yield polygon
        elem.clear()


def _way_polygon(way: Any, nodes: dict[str, tuple[float, float]]) -> BaseGeometry | None:
    tags = {t.get("k"): t.get("v") for t in way.iterfind("tag")}
    if tags.get("building") in (None, "no"):
        return None
    refs = [nd.get("ref") for nd in way.iterfind("nd")]
    if len(refs) < 4 or refs[0] != refs[-1] or any(r not in nodes for r in refs):
        return None
    polygon = Polygon([nodes[r] for r in refs])
    return polygon if polygon.is_valid else shapely.make_valid(polygon)
