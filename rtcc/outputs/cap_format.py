"""An alert → a CAP 1.2 `<alert>` document (OASIS Common Alerting Protocol), built with lxml.

CAP is what alerting aggregators, IPAWS-style gateways and EOC dashboards accept. The
mapping from our alert to CAP's urgency/severity/certainty is a table here (and in
docs/outputs/cap.md) so a reviewer can check it in one place:

| alert severity | urgency   | severity | certainty (unless the rule says) |
|----------------|-----------|----------|----------------------------------|
| critical       | Immediate | Severe   | Likely                           |
| warning        | Expected  | Moderate | Possible                         |
| info           | Unknown   | Minor    | Unknown                          |

A sensor-measured event is `Observed` (gunshot detection, a 911 caller inside a
geofence); an unconfirmed plate hit stays `Possible`, a confirmed one is `Likely`.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from lxml import etree

from rtcc.core.alerts import Alert, Severity
from rtcc.outputs.alert_text import incident_id, summary_lines

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
MsgType = Literal["Alert", "Update", "Cancel"]

SEVERITY_MAP: dict[Severity, tuple[str, str, str]] = {
    "critical": ("Immediate", "Severe", "Likely"),
    "warning": ("Expected", "Moderate", "Possible"),
    "info": ("Unknown", "Minor", "Unknown"),
}
CERTAINTY_BY_RULE = {
    "gunshot_nearby": "Observed",
    "caller_in_geofence": "Observed",
    "hotlist_match": "Possible",
    "hotlist_hit_confirmed": "Likely",
}
EVENT_BY_RULE = {
    "gunshot_nearby": "Gunshot detected",
    "hotlist_match": "License plate hotlist hit (unconfirmed)",
    "hotlist_hit_confirmed": "License plate hotlist hit (confirmed)",
    "caller_in_geofence": "911 caller inside a geofence",
}
CATEGORY_BY_RULE = {
    "gunshot_nearby": "Security",
    "hotlist_match": "Security",
    "hotlist_hit_confirmed": "Security",
    "caller_in_geofence": "Safety",
}
INSTRUCTION_BY_RULE = {
    "gunshot_nearby": "Approach with caution; check the docked cameras before arrival.",
    "hotlist_match": "Do not act until an analyst confirms the hit on the wall.",
    "hotlist_hit_confirmed": "Confirm the plate visually and follow agency stop procedure.",
}
MIN_RADIUS_KM = 0.05


@dataclass(frozen=True, slots=True)
class CapSettings:
    """What the channel's options contribute to every document."""

    sender: str
    sender_name: str | None
    status: Literal["Actual", "Exercise", "Test"]
    scope: Literal["Restricted", "Private", "Public"]
    restriction: str
    addresses: str | None
    web_url: str | None
    expires_after: timedelta
    default_radius_m: float


def cap_time(at: datetime) -> str:
    """CAP's date-time: seconds, explicit offset, UTC written "-00:00" (never "Z")."""
    if at.tzinfo is None:
        raise ValueError("alert time must be timezone-aware")
    text = at.astimezone(UTC).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "-00:00")


def identifier(settings: CapSettings, alert: Alert) -> str:
    """Unique per sender; CAP forbids spaces, commas and `<`/`&` in it."""
    domain = settings.sender.split("@")[-1]
    return f"{domain}.rtcc.{alert.id}".replace(" ", "_").replace(",", "_")


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _parameter(info: etree._Element, name: str, value: str) -> None:
    param = _sub(info, "parameter")
    _sub(param, "valueName", name)
    _sub(param, "value", value)


def circle(lat: float, lon: float, radius_m: float) -> str:
    """CAP's `<circle>`: "lat,lon radius" with the radius in kilometres."""
    radius_km = max(radius_m / 1000.0, MIN_RADIUS_KM)
    return f"{lat:.6f},{lon:.6f} {radius_km:.3f}"


def _area(info: etree._Element, settings: CapSettings, alert: Alert) -> None:
    loc = alert.location
    if loc is None:
        return
    radius_m = loc.accuracy_m if loc.accuracy_m else settings.default_radius_m
    area = _sub(info, "area")
    note = alert.detail.get("location_note")
    where = f"{note}; " if isinstance(note, str) and note else ""
    _sub(area, "areaDesc", f"{where}within {radius_m:g} m of {loc.lat:.6f}, {loc.lon:.6f}")
    _sub(area, "circle", circle(loc.lat, loc.lon, radius_m))


def build_cap(
    settings: CapSettings,
    alert: Alert,
    *,
    msg_type: MsgType = "Alert",
    references: list[tuple[str, datetime]] | None = None,
) -> bytes:
    """The UTF-8 CAP document for one alert; `references` are earlier (identifier, sent)."""
    urgency, severity, certainty = SEVERITY_MAP[alert.severity]
    certainty = CERTAINTY_BY_RULE.get(alert.rule, certainty)
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", identifier(settings, alert))
    _sub(root, "sender", settings.sender)
    _sub(root, "sent", cap_time(alert.created_at))
    _sub(root, "status", settings.status)
    _sub(root, "msgType", msg_type)
    _sub(root, "source", "OpenRTCC")
    _sub(root, "scope", settings.scope)
    if settings.scope == "Restricted":
        _sub(root, "restriction", settings.restriction)
    if settings.scope == "Private" and settings.addresses:
        _sub(root, "addresses", settings.addresses)
    if references:
        refs = " ".join(f"{settings.sender},{ident},{cap_time(sent)}" for ident, sent in references)
        _sub(root, "references", refs)
    incident = incident_id(alert)
    if incident:
        _sub(root, "incidents", incident.replace(" ", "_").replace(",", "_"))
    info = _sub(root, "info")
    _sub(info, "language", "en-US")
    _sub(info, "category", CATEGORY_BY_RULE.get(alert.rule, "Security"))
    _sub(info, "event", EVENT_BY_RULE.get(alert.rule, alert.rule.replace("_", " ").capitalize()))
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", certainty)
    _sub(info, "eventCode").extend(_pair("rtcc:rule", alert.rule))
    _sub(info, "effective", cap_time(alert.created_at))
    _sub(info, "expires", cap_time(alert.created_at + settings.expires_after))
    if settings.sender_name:
        _sub(info, "senderName", settings.sender_name)
    _sub(info, "headline", alert.title[:160])
    _sub(info, "description", "\n".join(summary_lines(alert)))
    if alert.rule in INSTRUCTION_BY_RULE:
        _sub(info, "instruction", INSTRUCTION_BY_RULE[alert.rule])
    if settings.web_url:
        _sub(info, "web", settings.web_url.format(alert_id=alert.id))
    _parameter(info, "rtcc:alert_id", alert.id)
    _parameter(info, "rtcc:event_id", alert.event_id)
    _area(info, settings, alert)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _pair(name: str, value: str) -> list[etree._Element]:
    name_el = etree.Element(f"{{{CAP_NS}}}valueName")
    name_el.text = name
    value_el = etree.Element(f"{{{CAP_NS}}}value")
    value_el.text = value
    return [name_el, value_el]
