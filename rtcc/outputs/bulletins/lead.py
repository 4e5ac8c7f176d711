"""Everything known about one incident, read from the stores, for its lead summary.

The incident's alerts carry what the rules found at the time (detections, cameras with
their view, plate reads, units); the CAD events add the call's own story. Both are merged
into one timeline and de-duplicated lists, and the map is drawn from their geometry.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rtcc.core.clock import utcnow
from rtcc.storage.base import EventStore

ALERTS_SCANNED = 5000
CAD_EVENTS_SCANNED = 2000


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class LeadSummary:
    incident_id: str
    generated_at: datetime
    lat: float | None
    lon: float | None
    uncertainty_m: float | None
    call_type: str | None
    address: str | None
    alerts: list[dict[str, Any]]
    timeline: list[TimelineItem]
    detections: list[dict[str, Any]] = field(default_factory=list)
    cameras: list[dict[str, Any]] = field(default_factory=list)
    plate_reads: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def incident_of(alert: dict[str, Any]) -> str | None:
    detail = alert.get("detail") or {}
    incident = detail.get("incident")
    if isinstance(incident, dict) and isinstance(incident.get("id"), str):
        return str(incident["id"])
    value = detail.get("incident_id")
    return value if isinstance(value, str) else None


def incident_lead(store: EventStore, incident_id: str) -> LeadSummary | None:
    """The lead summary, or None when no alert and no CAD event names this incident."""
    alerts = [a for a in store.recent_alerts(ALERTS_SCANNED) if incident_of(a) == incident_id]
    alerts.sort(key=lambda a: str(a["created_at"]))
    cad = [
        e
        for e in store.recent_events(["cad_incident"], CAD_EVENTS_SCANNED)
        if e["payload"].get("incident_id") == incident_id
    ]
    cad.sort(key=lambda e: str(e["occurred_at"]))
    if not alerts and not cad:
        return None
    return lead_from(incident_id, alerts, cad)


def lead_from(
    incident_id: str, alerts: list[dict[str, Any]], cad: list[dict[str, Any]]
) -> LeadSummary:
    """The summary of alerts (wire form, oldest first) and CAD events already gathered."""
    lat, lon, uncertainty = _centre(alerts, cad)
    details = [a.get("detail") or {} for a in alerts]
    detections = _unique(details, "detections", "event_id")
    cameras = _unique(details, "cameras", "camera_id")
    reads = _unique(details, "plate_reads", "event_id")
    units = _unique(details, "units", "unit_id")
    last_cad = cad[-1]["payload"] if cad else {}
    return LeadSummary(
        incident_id=incident_id,
        generated_at=utcnow(),
        lat=lat,
        lon=lon,
        uncertainty_m=uncertainty,
        call_type=last_cad.get("call_type"),
        address=last_cad.get("address"),
        alerts=alerts,
        timeline=_timeline(alerts, cad, detections, reads),
        detections=detections,
        cameras=sorted(cameras, key=lambda c: c.get("distance_m") or 0.0),
        plate_reads=sorted(reads, key=lambda r: str(r.get("occurred_at"))),
        units=sorted(units, key=lambda u: u.get("distance_m") or 0.0),
    )


def _centre(
    alerts: list[dict[str, Any]], cad: list[dict[str, Any]]
) -> tuple[float | None, float | None, float | None]:
    for alert in alerts:
        loc = alert.get("location")
        if loc:
            uncertainty = (alert.get("detail") or {}).get("uncertainty_m")
            return float(loc["lat"]), float(loc["lon"]), uncertainty
    for event in reversed(cad):
        loc = event.get("location")
        if loc:
            return float(loc["lat"]), float(loc["lon"]), loc.get("accuracy_m")
    return None, None, None


def _unique(details: list[dict[str, Any]], key: str, id_key: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for detail in details:
        for item in detail.get(key) or []:
            if isinstance(item, dict) and item.get(id_key) is not None:
                seen.setdefault(str(item[id_key]), item)
    return list(seen.values())


def _timeline(
    alerts: list[dict[str, Any]],
    cad: list[dict[str, Any]],
    detections: list[dict[str, Any]],
    reads: list[dict[str, Any]],
) -> list[TimelineItem]:
    items: list[TimelineItem] = []

    def add(at: Any, kind: str, text: str) -> None:
        when = parse_time(at)
        if when is not None:
            items.append(TimelineItem(when, kind, text))

    for d in detections:
        rounds = d.get("rounds")
        add(
            d.get("occurred_at"),
            "gunshot",
            f"Gunshot detected ({rounds} rounds), detection {d.get('detection_id')}",
        )
    for e in cad:
        p = e["payload"]
        where = f" at {p['address']}" if p.get("address") else ""
        crew = f"; units {', '.join(p['units'])}" if p.get("units") else ""
        add(e["occurred_at"], "cad", f"CAD {p.get('status')}: {p.get('call_type')}{where}{crew}")
    for a in alerts:
        add(a["created_at"], "alert", f"Alert ({a['severity']}): {a['title']}")
    for r in reads:
        state = f" ({r['plate_state']})" if r.get("plate_state") else ""
        add(
            r.get("occurred_at"),
            "plate",
            f"Plate {r.get('plate')}{state} read by {r.get('reader_id')}, "
            f"{r.get('distance_m')} m away",
        )
    items.sort(key=lambda i: (i.at, i.kind))
    return items
