"""What every human-readable channel says about an alert: counts, place, time, incident.

Slack, Teams and CAD notes share these so the same alert reads the same everywhere.
"""

from dataclasses import dataclass
from typing import Any

from rtcc.core.alerts import Alert

OSM_LINK = "https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


@dataclass(frozen=True, slots=True)
class AlertSummary:
    severity: str
    title: str
    rule: str
    time_utc: str  # "2026-11-25 20:14:03 UTC"
    place: str | None  # "39.961200, -82.998800 (±25 m)"
    map_url: str | None
    incident_id: str | None
    cameras: int
    cameras_in_view: int
    plate_reads: int
    units: int
    camera_names: list[str]
    plates: list[str]
    unit_ids: list[str]


def _list(detail: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = detail.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def incident_id(alert: Alert) -> str | None:
    """The CAD/RTCC incident the alert belongs to, when the rule names one."""
    incident = alert.detail.get("incident")
    if isinstance(incident, dict) and incident.get("id"):
        return str(incident["id"])
    value = alert.detail.get("incident_id")
    return str(value) if value else None


def summarise(alert: Alert, map_link: str = OSM_LINK) -> AlertSummary:
    detail = alert.detail
    cameras, reads, units = (_list(detail, k) for k in ("cameras", "plate_reads", "units"))
    place = map_url = None
    if alert.location is not None:
        loc = alert.location
        accuracy = f" (±{loc.accuracy_m:g} m)" if loc.accuracy_m is not None else ""
        place = f"{loc.lat:.6f}, {loc.lon:.6f}{accuracy}"
        map_url = map_link.format(lat=loc.lat, lon=loc.lon)
    return AlertSummary(
        severity=alert.severity,
        title=alert.title,
        rule=alert.rule,
        time_utc=alert.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        place=place,
        map_url=map_url,
        incident_id=incident_id(alert),
        cameras=len(cameras),
        cameras_in_view=sum(1 for c in cameras if c.get("in_view")),
        plate_reads=len(reads),
        units=len(units),
        camera_names=[str(c.get("name") or c.get("camera_id")) for c in cameras],
        plates=[
            f"{r.get('plate')}" + (f" ({r['plate_state']})" if r.get("plate_state") else "")
            for r in reads
        ],
        unit_ids=[str(u.get("unit_id")) for u in units],
    )


def counts_line(s: AlertSummary) -> str:
    return (
        f"{s.cameras} cameras ({s.cameras_in_view} in view) · "
        f"{s.plate_reads} plate reads · {s.units} units"
    )
