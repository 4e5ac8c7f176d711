"""Safe XML reading for location objects: no DTDs, no entities, no network, bounded size.

`recover=True` parses malformed documents leniently (libxml2's recovery) and reports what
the parser had to repair, so a caller can keep the repairs next to the event it emits.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from rtcc.sources.base import AdapterError

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(slots=True)
class Parsed:
    root: Any  # lxml Element (untyped library)
    repairs: list[str] = field(default_factory=list)


def _parser(recover: bool) -> Any:
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
    return tag.rsplit("}", 1)[-1]


def children(element: Any, name: str) -> list[Any]:
    return [c for c in element if local(c) == name]


def child(element: Any, name: str) -> Any | None:
    found = children(element, name)
    return found[0] if found else None


def descendants(element: Any, name: str) -> list[Any]:
    return [e for e in element.iter() if local(e) == name]


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
