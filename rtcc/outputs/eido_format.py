"""An alert → a NENA EIDO (NENA-STA-021.1b, JSON) incident update for CAD/RMS write-back.

The document is an incident update from an assisting agency (the RTCC): the incident
(the CAD one the alert joined, else the RTCC's own), the alert as a note, the location as
PIDF-LO (a circle when the accuracy is known), the units near as emergency resources with
their own locations, the cameras as media links and the wall link as additional data.
Registry values come from the tables of STA-021 (Incident Type, Location Type, Unit
Status, Agency Role); the rule → incident type table is `INCIDENT_TYPE_BY_RULE`.
"""

import html
from dataclasses import dataclass
from typing import Any

from lxml import etree

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso
from rtcc.core.geo import Location
from rtcc.outputs.alert_text import incident_id, summary_lines

# EIDO-IncidentType-Common (Table 3-2, from APCO 2.103.2-2019).
INCIDENT_TYPE_BY_RULE = {
    "gunshot_nearby": "SHOOT",
    "hotlist_match": "NCIC",
    "hotlist_hit_confirmed": "NCIC",
    "lpr_hotlist": "NCIC",
    "caller_in_geofence": "SUSP",
}
DEFAULT_INCIDENT_TYPE = "SUSP"
PIDF_NS = "urn:ietf:params:xml:ns:pidf"
GP_NS = "urn:ietf:params:xml:ns:pidf:geopriv10"
DM_NS = "urn:ietf:params:xml:ns:pidf:data-model"
GML_NS = "http://www.opengis.net/gml"
GS_NS = "http://www.opengis.net/pidflo/1.0"
EPSG_4326 = "urn:ogc:def:crs:EPSG::4326"
METRE = "urn:ogc:def:uom:EPSG::9001"
MAX_UNITS = 20
MAX_CAMERAS = 10


@dataclass(frozen=True, slots=True)
class EidoSettings:
    agency_id: str
    agency_types: tuple[str, ...]
    issuing_element: str
    camera_url: str
    web_url: str | None
    include_units: bool


def pidf_lo(entity: str, element_id: str, loc: Location, method: str, at: str) -> str:
    """A PIDF-LO presence document for one point: a gs:Circle when the radius is known."""
    nsmap = {None: PIDF_NS, "gp": GP_NS, "dm": DM_NS, "gml": GML_NS, "gs": GS_NS}
    root = etree.Element(f"{{{PIDF_NS}}}presence", nsmap=nsmap, entity=entity)
    device = etree.SubElement(root, f"{{{DM_NS}}}device", id=element_id)
    geopriv = etree.SubElement(device, f"{{{GP_NS}}}geopriv")
    info = etree.SubElement(geopriv, f"{{{GP_NS}}}location-info")
    if loc.accuracy_m:
        shape = etree.SubElement(info, f"{{{GS_NS}}}Circle", srsName=EPSG_4326)
    else:
        shape = etree.SubElement(info, f"{{{GML_NS}}}Point", srsName=EPSG_4326)
    etree.SubElement(shape, f"{{{GML_NS}}}pos").text = f"{loc.lat:.7f} {loc.lon:.7f}"
    if loc.accuracy_m:
        radius = etree.SubElement(shape, f"{{{GS_NS}}}radius", uom=METRE)
        radius.text = f"{loc.accuracy_m:g}"
    etree.SubElement(geopriv, f"{{{GP_NS}}}usage-rules")
    etree.SubElement(geopriv, f"{{{GP_NS}}}method").text = method
    etree.SubElement(device, f"{{{DM_NS}}}timestamp").text = at
    return str(etree.tostring(root, encoding="unicode"))


class _Doc:
    """Collects the components of one EIDO with the common prologue on each."""

    def __init__(self, settings: EidoSettings, alert: Alert) -> None:
        self.s = settings
        self.alert = alert
        self.at = iso(alert.created_at)
        self.components: dict[str, list[dict[str, Any]]] = {}

    def urn(self, kind: str, token: str) -> str:
        return f"urn:emergency:uid:{kind}:{token}:{self.s.agency_id}"

    def prologue(self, component_id: str) -> dict[str, Any]:
        return {
            "$id": component_id,
            "lastUpdateTimeStamp": self.at,
            "updatedByAgencyReference": {"$ref": self.s.agency_id},
        }

    def add(self, key: str, component: dict[str, Any]) -> dict[str, str]:
        self.components.setdefault(key, []).append(component)
        return {"$ref": str(component["$id"])}

    def location(self, token: str, loc: Location, kind: str, method: str, text: str) -> Any:
        component_id = self.urn("locationid", token)
        by_value = pidf_lo(f"pres:{self.s.issuing_element}", token, loc, method, self.at)
        return self.add(
            "locationComponent",
            self.prologue(component_id)
            | {
                "locationTypeDescriptionRegistryText": kind,
                "locationByValue": by_value,
                "locationDescriptionText": text,
            },
        )


def _note_html(alert: Alert) -> str:
    """STA-021 notes are HTML5: the summary lines, escaped, one per line."""
    return "<br>".join(html.escape(line) for line in summary_lines(alert))


def _units(doc: _Doc, units: list[dict[str, Any]]) -> None:
    for unit in units[:MAX_UNITS]:
        unit_id = str(unit.get("unit_id") or "")
        if not unit_id:
            continue
        status = str(unit.get("status") or "")
        resource = doc.prologue(doc.urn("resourceid", unit_id)) | {
            "emergencyResourceTypeCommonRegistryText": "PatrolUnit",
            "emergencyResourceTypeInternalText": str(unit.get("unit_type") or "unit"),
            "emergencyResourceName": unit_id,
            "resourceAttributeRegistryText": [],
            "primaryUnitStatusRegistryText": "Available"
            if status == "available"
            else "NotAvailable",
            # Near the alert, not assigned to it: no secondary status that implies a dispatch.
            "secondaryUnitStatusRegistryText": [],
            "unitStatusInternal": [status] if status else [],
            "agentReference": [],
        }
        where = unit.get("location")
        if isinstance(where, dict) and "lat" in where and "lon" in where:
            loc = Location(lat=float(where["lat"]), lon=float(where["lon"]))
            token = f"unit-{unit_id}-{doc.alert.id}"
            text = f"{unit_id} position, {unit.get('distance_m', '?')} m from the alert"
            resource["unitLocationReference"] = doc.location(
                token, loc, "UnitLocation", "GPS", text
            )
        doc.add("emergencyResourceComponent", resource)


def _cameras(doc: _Doc, cameras: list[dict[str, Any]]) -> None:
    for camera in cameras[:MAX_CAMERAS]:
        camera_id = str(camera.get("camera_id") or "")
        if not camera_id:
            continue
        seen = "in view" if camera.get("in_view") else "not in view"
        docked = ", docked" if camera.get("docked") else ""
        label = f"{camera.get('name') or camera_id}: {camera.get('distance_m', '?')} m, {seen}"
        doc.add(
            "mediaComponent",
            doc.prologue(doc.urn("mediaid", f"{camera_id}-{doc.alert.id}"))
            | {
                "uri": doc.s.camera_url.format(camera_id=camera_id),
                "contentType": "text/html",
                "label": label + docked,
            },
        )


def build_eido(settings: EidoSettings, alert: Alert) -> dict[str, Any]:
    """The EIDO document (a JSON-ready dict) for one alert."""
    doc = _Doc(settings, alert)
    detail = alert.detail
    incident = incident_id(alert)
    joined_cad = isinstance(detail.get("incident"), dict) and bool(detail["incident"].get("joined"))
    internal_id = incident or f"RTCC-{alert.id}"
    doc_id = doc.urn("incidentid", internal_id)
    note_ref = doc.add(
        "notesComponent",
        doc.prologue(doc.urn("notesid", alert.id)) | {"notesActionComments": _note_html(alert)},
    )
    incident_component: dict[str, Any] = doc.prologue(doc_id) | {
        "incidentTypeCommonRegistryText": INCIDENT_TYPE_BY_RULE.get(
            alert.rule, DEFAULT_INCIDENT_TYPE
        ),
        "incidentTypeInternalText": alert.title[:200],
        "internalIncidentId": internal_id,
        "incidentPriorityInternalText": alert.severity,
        "notesReference": [note_ref],
    }
    if not joined_cad:
        incident_component["incidentStatusCommonRegistryText"] = ["Active"]
    if alert.location is not None:
        method = str(detail.get("location_method") or "Derived")
        incident_component["locationReference"] = [
            doc.location(alert.id, alert.location, "CurrentIncident", method, alert.title[:200])
        ]
    if settings.include_units and isinstance(detail.get("units"), list):
        _units(doc, [u for u in detail["units"] if isinstance(u, dict)])
    if isinstance(detail.get("cameras"), list):
        _cameras(doc, [c for c in detail["cameras"] if isinstance(c, dict)])
    if settings.web_url:
        doc.add(
            "additionalDataComponent",
            doc.prologue(doc.urn("additionaldataid", alert.id))
            | {
                "additionalDataByReferenceUrl": settings.web_url.format(alert_id=alert.id),
                "urlPurpose": "the alert on the RTCC wall",
            },
        )
    agency = doc.prologue(settings.agency_id) | {
        "agencyRoleDescriptionRegistryText": ["Assisting"],
        "agencyType": list(settings.agency_types),
        "incidentOwningAgencyIndicator": not joined_cad,
    }
    body: dict[str, Any] = doc.prologue(doc_id) | {
        "eidoVersion": "1.0",
        "issuingElementIdentification": settings.issuing_element,
        "incidentComponent": incident_component,
        "agencyComponent": [agency],
    }
    return body | doc.components
