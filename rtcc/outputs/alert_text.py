"""Plain-text lines that describe an alert, shared by the document channels (CAP, EIDO, CoT).

Systems that receive a CAP description, an EIDO note or a TAK remark show text, not our
JSON, so the useful facts of the rules' `detail` (incident, shots, cameras that see the
spot, plate reads, units near, geofences) are said once here, in the same words everywhere.
Plates read near a gunshot are counted, never listed: only the wall shows them, to people
allowed to see them.
"""

from typing import Any

from rtcc.core.alerts import Alert

MAX_LISTED = 5


def incident_id(alert: Alert) -> str | None:
    """The incident the alert belongs to (CAD or RTCC-made), when the rule named one."""
    incident = alert.detail.get("incident")
    if isinstance(incident, dict) and isinstance(incident.get("id"), str) and incident["id"]:
        return str(incident["id"])
    return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _cameras(detail: dict[str, Any]) -> list[str]:
    cameras = _dicts(detail.get("cameras"))
    if not cameras:
        return []
    seeing = [c for c in cameras if c.get("in_view")]
    docked = [c for c in cameras if c.get("docked")]
    names = [
        f"{c.get('name') or c.get('camera_id')} ({c.get('distance_m', '?')} m"
        f"{', docked' if c.get('docked') else ''}{', slewed' if c.get('slew') else ''})"
        for c in (docked or seeing)[:MAX_LISTED]
    ]
    line = f"Cameras: {len(cameras)} near, {len(seeing)} in view, {len(docked)} docked"
    return [line + (": " + "; ".join(names) if names else "")]


def _units(detail: dict[str, Any]) -> list[str]:
    units = _dicts(detail.get("units"))
    if not units:
        return []
    listed = [
        f"{u.get('unit_id')} {u.get('status') or ''} {u.get('distance_m', '?')} m".replace(
            "  ", " "
        )
        for u in units[:MAX_LISTED]
    ]
    more = f" (+{len(units) - MAX_LISTED} more)" if len(units) > MAX_LISTED else ""
    return [f"Units near: {', '.join(listed)}{more}"]


def _shots(detail: dict[str, Any]) -> list[str]:
    lines = []
    if "rounds" in detail:
        kind = f", {detail['classification']}" if detail.get("classification") else ""
        lines.append(f"Rounds: {detail['rounds']}{kind}")
    detections = _dicts(detail.get("detections"))
    if len(detections) > 1:
        lines.append(f"Detections in this incident: {len(detections)}")
    if detail.get("location_note"):
        lines.append(f"Location: {detail['location_note']}")
    reads = _dicts(detail.get("plate_reads"))
    if reads:
        lines.append(f"Plate reads in the window: {len(reads)} (on the wall)")
    return lines


def _other(detail: dict[str, Any]) -> list[str]:
    lines = []
    fences = [str(g.get("name") or g.get("id")) for g in _dicts(detail.get("geofences"))]
    if fences:
        lines.append(f"Geofences: {', '.join(fences)}")
    if detail.get("call_id"):
        lines.append(f"911 call: {detail['call_id']}")
    hits = _dicts(detail.get("hits"))
    if hits:
        lists = sorted({str(h.get("list_name")) for h in hits if h.get("list_name")})
        lines.append(f"Hotlist hits: {len(hits)}" + (f" on {', '.join(lists)}" if lists else ""))
    return lines


def summary_lines(alert: Alert) -> list[str]:
    """The title, then one line per fact the rule found, then where it is."""
    detail = alert.detail
    lines = [alert.title]
    incident = incident_id(alert)
    if incident:
        lines.append(f"Incident: {incident}")
    lines += _shots(detail) + _other(detail) + _cameras(detail) + _units(detail)
    if alert.location is not None:
        loc = alert.location
        accuracy = f" ±{loc.accuracy_m:g} m" if loc.accuracy_m is not None else ""
        lines.append(f"At {loc.lat:.6f}, {loc.lon:.6f}{accuracy}")
    return lines
