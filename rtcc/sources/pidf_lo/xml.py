"""Safe XML reading for location objects: no DTDs, no entities, no network, bounded size.

`recover=True` parses malformed documents leniently (libxml2's recovery) and reports what
the parser had to repair, so a caller can keep the repairs next to the event it emits.
"""

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from rtcc.sources.base import AdapterError

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(slots=True)
class Parsed:
    root: Any  # lxml Element (untyped library)
    repairs: list[str] = field(default_factory=list)


def _new_parser(recover: bool) -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        recover=recover,
        remove_comments=True,
        remove_pis=True,
    )


_PER_THREAD = threading.local()


def _parser(recover: bool) -> Any:
    """This thread's parser (one per mode): building one costs a sixth of a parse, and a
    parser's `error_log` must not be read while another thread parses with it."""
    parsers: dict[bool, Any] | None = getattr(_PER_THREAD, "parsers", None)
    if parsers is None:
        parsers = _PER_THREAD.parsers = {}
    parser = parsers.get(recover)
    if parser is None:
        parser = parsers[recover] = _new_parser(recover)
    return parser


def parse_xml(data: bytes, *, field_name: str = "xml", recover: bool = False) -> Parsed:
    """Parse `data` (bytes, so the XML declaration's encoding is honoured) or refuse it."""
    if _DTD.search(data):
        raise AdapterError(field_name, "dtd_forbidden", "DOCTYPE/ENTITY declarations are refused")
    parser = _parser(recover)
    try:
        root = etree.fromstring(data.strip(), parser)
    except etree.XMLSyntaxError as exc:
        raise AdapterError(field_name, "not_xml", str(exc)[:200]) from exc
    except (ValueError, TypeError) as exc:
        raise AdapterError(field_name, "not_xml", str(exc)[:200]) from exc
    if root is None:
        raise AdapterError(field_name, "not_xml", "no root element could be recovered")
    repairs = [f"line {e.line} col {e.column}: {e.message}" for e in parser.error_log]
    return Parsed(root=root, repairs=repairs)


def local(element: Any) -> str:
    """The element's name without its namespace (real feeds misplace namespaces)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child(element: Any, name: str) -> Any | None:
    """The first child named `name`, or None."""
    for c in element:
        if local(c) == name:
            return c
    return None


def any_namespace(*names: str) -> tuple[str, ...]:
    """lxml tag filters matching `names` in any namespace or none, i.e. by local name."""
    return tuple(f"{{*}}{name}" for name in names)


def first_descendant(element: Any, name: str) -> Any | None:
    """The first element named `name` at or under `element` (document order), or None.
    lxml filters by local name in C, without a Python object per element passed over."""
    return next(element.iter(f"{{*}}{name}"), None)


def text(element: Any | None) -> str:
    if element is None:
        return ""
    value = element.text
    return value.strip() if isinstance(value, str) else ""


def all_text(element: Any | None) -> str:
    """Every text node under `element` (coordinate lists are split by comments in samples)."""
    if element is None:
        return ""
    return " ".join(t for t in element.itertext() if isinstance(t, str)).strip()
