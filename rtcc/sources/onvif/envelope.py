"""Safe parsing of one ONVIF SOAP document into notifications (a PTZ status: ptz.py).

Accepted bodies (in a SOAP 1.2 or 1.1 `Envelope`, or bare): WS-BaseNotification
`wsnt:Notify` (a pushed notification), `tev:PullMessagesResponse` (the same messages from a
pull point) and `tptz:GetStatusResponse`. Element and attribute names follow the ONVIF
schemas (onvif.xsd `tt:Message`, common.xsd `tt:PTZStatus`, ptz.wsdl, event.wsdl);
tests/sources/test_onvif.py validates the fixtures against them with xmlschema.
"""

import math
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from lxml import etree

from rtcc.sources.base import AdapterError
from rtcc.sources.safe_xml import parse_refusing_dtd

TT = "http://www.onvif.org/ver10/schema"
WSNT = "http://docs.oasis-open.org/wsn/b-2"
TEV = "http://www.onvif.org/ver10/events/wsdl"
TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
ONVIF_TOPICS = "http://www.onvif.org/ver10/topics"
SOAP = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
_XS_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN")
OPERATIONS = ("Initialized", "Changed", "Deleted")
# xs:dateTime; ONVIF's UtcTime is UTC by definition, so a missing zone is read as UTC.
_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<clock>\d{2}:\d{2}:\d{2})(?P<frac>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?"
)


class Notification(NamedTuple):
    """One `wsnt:NotificationMessage`: its topic (namespace, path) and its `tt:Message`."""

    topic_ns: str | None
    topic: str
    time: datetime
    operation: str | None
    source: dict[str, str]
    data: dict[str, str]


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


ENVELOPES = {q(ns, "Envelope") for ns in SOAP}
BODIES = {q(ns, "Body") for ns in SOAP}
FAULTS = {q(ns, "Fault") for ns in SOAP}
NOTIFICATION_MESSAGE, TOPIC, MESSAGE = (
    q(WSNT, n) for n in ("NotificationMessage", "Topic", "Message")
)
TT_MESSAGE, SOURCE, DATA, SIMPLE_ITEM = (
    q(TT, n) for n in ("Message", "Source", "Data", "SimpleItem")
)
_HOLDER_PARTS = frozenset((TOPIC, MESSAGE))
_MESSAGE_PARTS = frozenset((SOURCE, DATA))


def child(parent: Any, tag: str) -> Any:
    """The first child element named `tag`: what `parent.find(tag)` returns, without the
    ElementPath (or tag-matching iterator) setup that costs more than the scan itself."""
    for element in parent.getchildren():
        if element.tag == tag:
            return element
    return None


def first_children(parent: Any, tags: frozenset[str]) -> dict[str, Any]:
    """The first child element of each of `tags`, in one pass over the children."""
    found: dict[str, Any] = {}
    for element in parent.getchildren():
        tag = element.tag
        if tag in tags and tag not in found:
            found[tag] = element
    return found


_PARSER: Any = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
)


def parse_xml(message: bytes) -> Any:
    """lxml without DTD, entities or network; any DOCTYPE is refused before and after."""
    return parse_refusing_dtd(message, _PARSER, "document")


def body_of(root: Any) -> Any:
    """The payload element: the first child of `soap:Body`, or the root when bare."""
    if root.tag not in ENVELOPES:
        return root
    body = next((c for c in root if c.tag in BODIES), None)
    payload = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if payload is None:
        raise AdapterError("soap:Body", "missing", "an Envelope without a Body payload")
    if payload.tag in FAULTS:
        text = " ".join("".join(payload.itertext()).split())
        raise AdapterError("soap:Fault", "soap_fault", f"the device answered a fault: {text}"[:200])
    return payload


def timestamp(value: str | None, field: str) -> datetime:
    if value is None:
        raise AdapterError(field, "missing", "required time is absent")
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not an xs:dateTime: {value[:40]!r}")
    frac = (match["frac"] or "")[:7]  # Python keeps microseconds: cut extra digits
    zone = (match["zone"] or "Z").replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(f"{match['date']}T{match['clock']}{frac}{zone}").astimezone(
            UTC
        )
    except (ValueError, OverflowError) as exc:
        raise AdapterError(field, "bad_timestamp", f"impossible date: {value[:40]!r}") from exc


def xs_float(value: str | None, field: str) -> float:
    if value is None:
        raise AdapterError(field, "missing", "required attribute is absent")
    text = value.strip()
    if not _XS_FLOAT.fullmatch(text):
        raise AdapterError(field, "not_a_number", f"not an xs:float: {value[:40]!r}")
    number = float(text)
    if not math.isfinite(number):
        raise AdapterError(field, "out_of_range", f"not a finite number: {value[:40]!r}")
    return number


def _items(parent: Any, name: str) -> dict[str, str]:
    items: dict[str, str] = {}
    if parent is None:
        return items
    for item in parent.getchildren():
        if item.tag != SIMPLE_ITEM:
            continue
        key, value = item.get("Name"), item.get("Value")
        if key is None or value is None:
            attr = "Name" if key is None else "Value"
            raise AdapterError(f"tt:{name}/tt:SimpleItem@{attr}", "missing", "required by the XSD")
        items[str(key)] = str(value)
    return items


def _topic(element: Any) -> tuple[str | None, str]:
    text = " ".join((element.text or "").split()) if element is not None else ""
    if not text:
        raise AdapterError("wsnt:Topic", "missing", "a NotificationMessage without a topic")
    prefix, colon, path = text.partition(":")
    if not colon:
        return None, text
    namespace = element.nsmap.get(prefix)
    if namespace is None and prefix == "tns1":
        namespace = ONVIF_TOPICS  # the conventional prefix, even when left undeclared
    return (str(namespace) if namespace is not None else None), path


def notification(holder: Any) -> Notification:
    parts = first_children(holder, _HOLDER_PARTS)
    topic_ns, topic = _topic(parts.get(TOPIC))
    wrapper = parts.get(MESSAGE)
    message = child(wrapper, TT_MESSAGE) if wrapper is not None else None
    if message is None:
        raise AdapterError("wsnt:Message/tt:Message", "missing", "no tt:Message in the holder")
    operation = message.get("PropertyOperation")
    if operation is not None and operation not in OPERATIONS:
        raise AdapterError("tt:Message@PropertyOperation", "unknown_value", f"{operation[:40]!r}")
    items = first_children(message, _MESSAGE_PARTS)
    return Notification(
        topic_ns=topic_ns,
        topic=topic,
        time=timestamp(message.get("UtcTime"), "tt:Message@UtcTime"),
        operation=operation,
        source=_items(items.get(SOURCE), "Source"),
        data=_items(items.get(DATA), "Data"),
    )


def notifications(payload: Any) -> list[Notification]:
    return [notification(m) for m in payload.getchildren() if m.tag == NOTIFICATION_MESSAGE]
