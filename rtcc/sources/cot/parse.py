"""Safe parsing of one CoT `<event>` and the structural checks of the MITRE base schema.

The package cannot read the XSD at run time, so the checks of CoT Base-Event Schema 2.0
(required attributes, their lexical forms and the lat/lon ranges) are written here;
tests/sources/test_cot.py validates the same documents with xmlschema against the real
XSD to prove the two agree.
"""

import math
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

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


class Point(NamedTuple):
    lat: float
    lon: float
    hae: float
    ce: float
    le: float


class CotEvent(NamedTuple):
    """The base-schema part of one event, checked; `detail` is left as parsed XML. (A
    NamedTuple: immutable like a frozen dataclass, and several times cheaper to build.)"""

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
    text = value.strip()
    match = _DATETIME.fullmatch(text)
    if not match:
        raise AdapterError(field, "bad_timestamp", f"not an xs:dateTime: {value[:40]!r}")
    frac, zone = match.group("frac", "zone")
    if zone is None:
        raise AdapterError(field, "bad_timestamp", "CoT times must carry a zone (Z)")
    if frac is not None and len(frac) > 7:  # Python keeps microseconds: cut extra digits
        text = f"{match['date']}T{match['clock']}{frac[:7]}{zone}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)  # takes "Z" since Python 3.11
    except (ValueError, OverflowError) as exc:
        raise AdapterError(field, "bad_timestamp", f"impossible date: {value[:40]!r}") from exc


def _point(el: Any) -> Point:
    lat = decimal(el.get("lat"), "event.point@lat")
    lon = decimal(el.get("lon"), "event.point@lon")
    hae = decimal(el.get("hae"), "event.point@hae")
    ce = decimal(el.get("ce"), "event.point@ce")
    le = decimal(el.get("le"), "event.point@le")
    if not -90 <= lat <= 90:
        raise AdapterError("event.point@lat", "out_of_range", f"{lat} not in ±90")
    if not -180 <= lon <= 180:
        raise AdapterError("event.point@lon", "out_of_range", f"{lon} not in ±180")
    return Point(lat, lon, hae, ce, le)


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
    version, uid, kind, time, start, stale, how = _required_attributes(root)
    if decimal(version, "event@version") < 2:
        raise AdapterError("event@version", "unsupported", "CoT base schema 2.0 or later")
    if not _TYPE.fullmatch(kind):
        raise AdapterError("event@type", "bad_format", f"not a CoT type: {kind[:40]!r}")
    if not _HOW.fullmatch(how):
        raise AdapterError("event@how", "bad_format", f"not a CoT how: {how[:40]!r}")
    point, detail = _children(root)
    at = timestamp(time, "event@time")
    return CotEvent(
        uid=uid,
        type=kind,
        how=how,
        time=at,
        start=at if start == time else timestamp(start, "event@start"),  # usually the same
        stale=timestamp(stale, "event@stale"),
        point=_point(point),
        detail=detail,
    )


def _required_attributes(root: Any) -> list[str]:
    """The values of _REQUIRED, in that order; the first one absent is refused."""
    values = [root.get(name) for name in _REQUIRED]
    if None in values:
        name = _REQUIRED[values.index(None)]
        raise AdapterError(f"event@{name}", "missing", "required attribute is absent")
    return values
