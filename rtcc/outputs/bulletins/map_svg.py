"""The incident map as SVG, drawn from stored geometry: no tiles, no network.

A local equirectangular projection around the incident (metres east/north, exact enough at
a few kilometres) fitted to the page; cameras with their view sectors, detections, plate
reads, units, the agency's basemap lines under them, a scale bar and a north arrow.
"""

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from rtcc.core.geo import EARTH_RADIUS_M
from rtcc.outputs.bulletins.lead import LeadSummary

WIDTH, HEIGHT, PAD = 680.0, 440.0, 36.0
NICE_M = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000)
COLOURS = {
    "incident": "#c62828",
    "camera": "#1565c0",
    "plate": "#ef6c00",
    "unit": "#2e7d32",
    "street": "#b0b7bf",
}


class _Projection:
    def __init__(self, lat0: float, lon0: float, points: Sequence[tuple[float, float]]) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.k = math.radians(1) * EARTH_RADIUS_M
        self.coslat = math.cos(math.radians(lat0))
        far_x = max([abs(self.metres(lat, lon)[0]) for lat, lon in points] + [150.0])
        far_y = max([abs(self.metres(lat, lon)[1]) for lat, lon in points] + [100.0])
        self.px_per_m = min((WIDTH / 2 - PAD) / far_x, (HEIGHT / 2 - PAD) / far_y)

    def metres(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.k * self.coslat, (lat - self.lat0) * self.k

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        east, north = self.metres(lat, lon)
        return WIDTH / 2 + east * self.px_per_m, HEIGHT / 2 - north * self.px_per_m


def incident_map(lead: LeadSummary, basemap: dict[str, Any] | None = None) -> str:
    """The SVG document (a string) for the lead summary; empty string without a location."""
    if lead.lat is None or lead.lon is None:
        return ""
    points = [(lead.lat, lead.lon)] + [
        (float(item["location"]["lat"]), float(item["location"]["lon"]))
        for group in (lead.detections, lead.cameras, lead.plate_reads, lead.units)
        for item in group
        if isinstance(item.get("location"), dict)
    ]
    proj = _Projection(lead.lat, lead.lon, points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="incident-map" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}" width="{WIDTH:g}" height="{HEIGHT:g}">',
        f'<rect x="0" y="0" width="{WIDTH:g}" height="{HEIGHT:g}" fill="#f4f1ea"/>',
        *_basemap(proj, basemap),
        *(_camera(proj, c) for c in lead.cameras),
        _incident(proj, lead),
        *(_dot(proj, d, COLOURS["incident"], 3.5) for d in lead.detections),
        *(_plate(proj, r) for r in lead.plate_reads),
        *(_unit(proj, u) for u in lead.units),
        _scale_bar(proj),
        _north_arrow(),
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1:g}" height="{HEIGHT - 1:g}" '
        'fill="none" stroke="#333"/>',
        "</svg>",
    ]
    return "\n".join(p for p in parts if p)


def _loc(proj: _Projection, item: dict[str, Any]) -> tuple[float, float] | None:
    loc = item.get("location")
    if not isinstance(loc, dict):
        return None
    return proj.xy(float(loc["lat"]), float(loc["lon"]))


def _incident(proj: _Projection, lead: LeadSummary) -> str:
    assert lead.lat is not None and lead.lon is not None
    x, y = proj.xy(lead.lat, lead.lon)
    ring = ""
    if lead.uncertainty_m:
        r = lead.uncertainty_m * proj.px_per_m
        ring = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{COLOURS["incident"]}" '
            f'fill-opacity="0.12" stroke="{COLOURS["incident"]}" stroke-dasharray="4 3"/>'
        )
    star = _star(x, y, 11.0)
    return ring + (
        f'<polygon class="incident" points="{star}" fill="{COLOURS["incident"]}" '
        'stroke="#fff" stroke-width="1.5"/>'
    )


def _star(x: float, y: float, r: float) -> str:
    pts = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        a = math.radians(i * 36 - 90)
        pts.append(f"{x + radius * math.cos(a):.1f},{y + radius * math.sin(a):.1f}")
    return " ".join(pts)


def _camera(proj: _Projection, cam: dict[str, Any]) -> str:
    at = _loc(proj, cam)
    if at is None:
        return ""
    x, y = at
    colour = COLOURS["camera"]
    opacity = "0.30" if cam.get("in_view") else "0.10"
    r = float(cam.get("range_m") or 0.0) * proj.px_per_m
    raw_heading, fov = cam.get("heading_deg"), float(cam.get("fov_deg") or 360.0)
    sector = ""
    if r > 0 and raw_heading is not None and fov < 360:
        heading = float(raw_heading)
        a1, a2 = math.radians(heading - fov / 2), math.radians(heading + fov / 2)
        x1, y1 = x + r * math.sin(a1), y - r * math.cos(a1)
        x2, y2 = x + r * math.sin(a2), y - r * math.cos(a2)
        large = 1 if fov > 180 else 0
        sector = (
            f'<path d="M{x:.1f},{y:.1f} L{x1:.1f},{y1:.1f} '
            f'A{r:.1f},{r:.1f} 0 {large} 1 {x2:.1f},{y2:.1f} Z" '
        )
    elif r > 0:  # no heading (or a full circle): it may look any way
        sector = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
    if sector:
        sector += f'fill="{colour}" fill-opacity="{opacity}" stroke="{colour}" stroke-width="0.6"/>'
    width = "2.5" if cam.get("docked") else "1"
    return sector + (
        f'<rect class="camera" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
        f'fill="{colour}" stroke="#fff" stroke-width="{width}"/>'
    )


def _dot(proj: _Projection, item: dict[str, Any], colour: str, r: float) -> str:
    at = _loc(proj, item)
    if at is None:
        return ""
    return f'<circle cx="{at[0]:.1f}" cy="{at[1]:.1f}" r="{r:g}" fill="{colour}"/>'


def _label(x: float, y: float, text: str, colour: str) -> str:
    return (
        f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="10" font-family="DejaVu Sans" '
        f'font-weight="bold" fill="{colour}">{escape(text)}</text>'
    )


def _plate(proj: _Projection, read: dict[str, Any]) -> str:
    at = _loc(proj, read)
    if at is None:
        return ""
    x, y = at
    colour = COLOURS["plate"]
    diamond = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
    return f'<polygon class="plate" points="{diamond}" fill="{colour}"/>' + _label(
        x, y, str(read.get("plate", "")), colour
    )


def _unit(proj: _Projection, unit: dict[str, Any]) -> str:
    at = _loc(proj, unit)
    if at is None:
        return ""
    x, y = at
    colour = COLOURS["unit"]
    tri = f"{x:.1f},{y - 7:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"
    return f'<polygon class="unit" points="{tri}" fill="{colour}"/>' + _label(
        x, y, str(unit.get("unit_id", "")), colour
    )


def _scale_bar(proj: _Projection) -> str:
    metres = max(
        [m for m in NICE_M if m * proj.px_per_m <= WIDTH / 4] or [NICE_M[0]],
    )
    length = metres * proj.px_per_m
    x0, y0 = 16.0, HEIGHT - 18.0
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"
    return (
        f'<g class="scale-bar"><rect x="{x0 - 6:g}" y="{y0 - 18:g}" width="{length + 12:.1f}" '
        'height="28" fill="#fff" fill-opacity="0.8"/>'
        f'<path d="M{x0:g},{y0 - 5:g} V{y0:g} H{x0 + length:.1f} V{y0 - 5:g}" '
        'fill="none" stroke="#111" stroke-width="2"/>'
        f'<text x="{x0:g}" y="{y0 - 8:g}" font-size="10" font-family="DejaVu Sans">{label}</text>'
        "</g>"
    )


def _north_arrow() -> str:
    x, y = WIDTH - 28, 18.0
    return (
        f'<g class="north-arrow"><polygon points="{x:g},{y:g} {x + 8:g},{y + 26:g} '
        f'{x:g},{y + 20:g} {x - 8:g},{y + 26:g}" fill="#111"/>'
        f'<text x="{x:g}" y="{y + 40:g}" font-size="12" font-family="DejaVu Sans" '
        'text-anchor="middle" font-weight="bold">N</text></g>'
    )


def _basemap(proj: _Projection, basemap: dict[str, Any] | None) -> Iterable[str]:
    """Street and boundary lines that cross the map, thin and grey, under everything."""
    if not basemap:
        return
    for feature in basemap.get("features") or []:
        geometry = (feature or {}).get("geometry") or {}
        for ring in _rings(geometry):
            xy = [proj.xy(float(lat), float(lon)) for lon, lat, *_ in ring]
            if not any(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in xy):
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            yield (
                f'<polyline points="{points}" fill="none" stroke="{COLOURS["street"]}" '
                'stroke-width="1.2"/>'
            )


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        yield coords
    elif kind in ("MultiLineString", "Polygon"):
        yield from coords
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon
