"""The ShotSpotter-style alert push: an XML or a JSON body → a flat record of named fields.

Shapes are documented in docs/sources/shotspotter.md. XML goes through defusedxml with
DTDs forbidden, so entity expansion (billion laughs) and external entities are refused.
"""

import json
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.shotspotter import values as v
from rtcc.sources.shotspotter.sensors import sensor_arrivals, temperature_c

HEARTBEATS = {"heartbeat", "keepalive", "keep-alive", "keep_alive", "ping"}
ALERTS = {"alert", "incident", "detection", "notification", "shotspotteralert"}
ALERTS |= {"sensor_report", "sensorreport", "sensor-report"}  # per-sensor arrival times


def parse_body(message: bytes) -> list[v.Fields]:
    """The fields of each alert in the body; [] for a heartbeat."""
    head = message.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return _xml_alerts(message)
    if head in (b"{", b"["):
        return _json_alerts(message)
    raise AdapterError("message", "unknown_format", "neither an XML nor a JSON document")


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _xml_alerts(message: bytes) -> list[v.Fields]:
    try:
        root: Element = fromstring(message, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise AdapterError("message", "unsafe_xml", f"refused: {type(exc).__name__}") from exc
    except (ParseError, ValueError, RecursionError) as exc:
        raise AdapterError("message", "not_xml", str(exc)[:200]) from exc
    if _local(root.tag) in HEARTBEATS:
        return []
    children = list(root)
    if _local(root.tag) in ALERTS and not any(_local(c.tag) in ALERTS for c in children):
        alerts = [root]
    else:
        if any(_local(c.tag) in HEARTBEATS for c in children):
            return []
        alerts = [c for c in children if _local(c.tag) in ALERTS]
    if not alerts:
        raise AdapterError("Alert", "missing", "no <Alert> element and no <Heartbeat>")
    return [v.Fields(f"{el.tag.rsplit('}', 1)[-1]}/", _xml_fields(el)) for el in alerts]


def _xml_fields(alert: Element) -> dict[str, Any]:
    """Leaf elements by local name (first wins), so <Location><Latitude> reads as Latitude."""
    fields: dict[str, Any] = {}
    for key, value in alert.attrib.items():
        fields.setdefault(_local(key), value)
    for el in alert.iter():
        if el is not alert and len(el) == 0:
            fields.setdefault(el.tag.rsplit("}", 1)[-1], (el.text or "").strip() or None)
    return fields


_KIND = v.spellings("messageType", "message_type", "kind")


def _json_alerts(message: bytes) -> list[v.Fields]:
    try:
        body: Any = json.loads(message)
    except (ValueError, RecursionError) as exc:
        raise AdapterError("message", "not_json", str(exc)[:200]) from exc
    if not isinstance(body, dict):
        raise AdapterError("message", "not_an_object", "the JSON body must be an object")
    fields = v.Fields("", body)
    kind_key, kind = fields.pick(_KIND)
    if kind is not None:
        kind_text = str(kind).strip().lower()
        if kind_text in HEARTBEATS:
            return []
        if kind_text not in ALERTS:
            raise AdapterError(kind_key, "unknown_type", f"message type {kind!r} is not known")
    wrapped = body.get("alert")
    if isinstance(wrapped, Mapping):
        return [v.Fields("alert.", wrapped)]
    return [fields]


# Each alert field: its XML element name, its JSON key, then the other keys vendors use.
_NAMES = {
    "ref": ("ID", "id", "alertId", "flexId", "incidentId"),
    "time": ("DateTime", "datetime", "timestamp", "time", "epochTime", "epoch"),
    "lat": ("Latitude", "latitude", "lat"),
    "lon": ("Longitude", "longitude", "lon", "lng"),
    "rounds": ("Rounds", "rounds", "numberOfRounds", "rnds"),
    "type": ("Type", "type", "alertType", "incidentType"),
    "confidence": ("Confidence", "confidence", "probability"),
}
_XML = {what: v.spellings(*names) for what, names in _NAMES.items()}
_JSON = {what: v.spellings(*names[1:]) for what, names in _NAMES.items()}


def to_event(fields: v.Fields) -> WireEvent:
    names = _XML if fields.xml else _JSON
    ref = v.identifier(*fields.pick(names["ref"]))
    arrivals = None if fields.xml else sensor_arrivals(fields)
    time_field = fields.pick(names["time"])
    if arrivals is not None and time_field[1] is None:  # a sensor report: the first arrival
        at = arrivals.first
    else:
        at = v.timestamp(*time_field)
    lat_field = fields.pick(names["lat"])
    lon_field = fields.pick(names["lon"])
    lat = lon = None  # a sensor report may come without a vendor fix
    if arrivals is None or lat_field[1] is not None or lon_field[1] is not None:
        lat, lon = v.coordinate(*lat_field, 90), v.coordinate(*lon_field, 180)
    count = v.rounds(*fields.pick(names["rounds"]))
    kind = v.classification(*fields.pick(names["type"]), count)
    conf = v.confidence(*fields.pick(names["confidence"]))
    event = v.gunshot_event(ref, at, lat, lon, count, kind, conf)
    if arrivals is not None:
        event["payload"]["sensors"] = arrivals.sensors
        temperature = temperature_c(fields)
        if temperature is not None:
            event["payload"]["temperature_c"] = temperature
    return event
