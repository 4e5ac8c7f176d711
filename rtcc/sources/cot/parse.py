"""Safe parsing of one CoT `<event>` and the structural checks of the MITRE base schema.

The package cannot read the XSD at run time, so the checks of CoT Base-Event Schema 2.0
(required attributes, their lexical forms and the lat/lon ranges) are written here;
tests/sources/test_cot.py validates the same documents with xmlschema against the real
XSD to prove the two agree.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from rtcc.sources.base import AdapterError
from rtcc.sources.safe_xml import parse_refusing_dtd

# xs:decimal: no exponent, no NaN/INF (Python's float() would take those).
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# The patterns of the base schema's `type` and `how` attributes.
_TYPE = re.compile(r"\w+(-\w+)*(;[^;]*)?")
_HOW = re.compile(r"\w(-\w+)*")
# xs:dateTime; CoT requires a zone ("Z"): a zone-less time is refused, not guessed.
_DATETIME = re.compile(
    r"(?P<date>-?\d{4,}-\d{2}-\d{2})T(?P<clock>\d{2}:\d{2}:\d{2})(?P<frac>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?"
)
# libxml2 without DTD loading, entity substitution or network; one parser for the module,
# shared by threads (tests/sources/test_cot.py translates from a thread pool). Comments and
# processing instructions are dropped, as xml.etree drops them, so they never show up as
# children of <event>.
PARSER: Any = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
_REQUIRED = ("version", "uid", "type", "time", "start", "stale", "how")
_POINT_ATTRS = ("lat", "lon", "hae", "ce", "le")


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float
    hae: float
    ce: float
    le: float


@dataclass(frozen=True, slots=True)
class CotEvent:
    """The base-schema part of one event, checked; `detail` is left as parsed XML."""

    uid: str
    type: str
    how: str
    time: datetime
    start: datetime
    stale: datetime
    point: Point
    detail: Any  # the lxml <detail> element (untyped library), or None


def parse_xml(message: bytes) -> Any:
    """Parse without DTDs, entities or network: a bomb or an XXE is refused at once
    (rtcc/sources/safe_xml.py)."""
    return parse_refusing_dtd(message, PARSER, "event")


def decimal(value: str | None, field: str) -> float:
    """An xs:decimal attribute as a float (whitespace collapsed as the schema does)."""
    if value is None:
        raise AdapterError(field, "missing", "required attribute is absent")
    text = value.strip()
    if not _DECIMAL.fullmatch(text):
        raise AdapterError(field, "not_a_number", f"not a decimal: {text[:40]!r}")
    number = float(text)
    if not math.isfinite(number):
        raise AdapterError(field, "out_of_range", "too large to be a number")
    return number


def timestamp(value: str, field: str) -> datetime:
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not an xs:dateTime: {value[:40]!r}")
    if match["zone"] is None:
        raise AdapterError(field, "bad_timestamp", "CoT times must carry a zone (Z)")
    frac = (match["frac"] or "")[:7]  # Python keeps microseconds: cut extra digits
    text = f"{match['date']}T{match['clock']}{frac}{match['zone'].replace('Z', '+00:00')}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise AdapterError(field, "bad_timestamp", f"impossible date: {value[:40]!r}") from exc


def _point(el: Any) -> Point:
    values = {name: decimal(el.get(name), f"event.point@{name}") for name in _POINT_ATTRS}
    if not -90 <= values["lat"] <= 90:
        raise AdapterError("event.point@lat", "out_of_range", f"{values['lat']} not in ±90")
    if not -180 <= values["lon"] <= 180:
        raise AdapterError("event.point@lon", "out_of_range", f"{values['lon']} not in ±180")
    return Point(**values)


def _children(root: Any) -> tuple[Any, Any]:
    """The schema's `xs:all`: exactly one point, at most one detail, nothing else."""
    point: Any = None
    detail: Any = None
    for child in root:
        if child.tag == "point" and point is None:
            point = child
        elif child.tag == "detail" and detail is None:
            detail = child
        elif child.tag in ("point", "detail"):
            raise AdapterError(f"event.{child.tag}", "duplicate", "appears more than once")
        else:
            tag = str(child.tag)[:40]
            raise AdapterError("event", "unexpected_element", f"<{tag}> is not point/detail")
    if point is None:
        raise AdapterError("event.point", "missing", "an event must have a <point>")
    return point, detail


def parse_event(message: bytes) -> CotEvent:
    root = parse_xml(message)
    if root.tag != "event":
        raise AdapterError("event", "not_cot", f"root is <{str(root.tag)[:40]}>, not <event>")
    for name in _REQUIRED:
        if root.get(name) is None:
            raise AdapterError(f"event@{name}", "missing", "required attribute is absent")
    if decimal(root.get("version"), "event@version") < 2:
        raise AdapterError("event@version", "unsupported", "CoT base schema 2.0 or later")
    kind, how = root.get("type", ""), root.get("how", "")
    if not _TYPE.fullmatch(kind):
        raise AdapterError("event@type", "bad_format", f"not a CoT type: {kind[:40]!r}")
    if not _HOW.fullmatch(how):
        raise AdapterError("event@how", "bad_format", f"not a CoT how: {how[:40]!r}")
    point, detail = _children(root)
    return CotEvent(
        uid=root.get("uid", ""),
        type=kind,
        how=how,
        time=timestamp(root.get("time", ""), "event@time"),
        start=timestamp(root.get("start", ""), "event@start"),
        stale=timestamp(root.get("stale", ""), "event@stale"),
        point=_point(point),
        detail=detail,
    )
