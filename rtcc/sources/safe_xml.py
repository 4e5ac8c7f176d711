"""XML from feeds, read safely: no DTD, no entities, no network, and any DOCTYPE refused.

A DOCTYPE is looked for twice: in the bytes before parsing (also when the document is
UTF-16/32, where the bytes hold NULs), and in the parsed document after (an encoding such
as UTF-7 can hide `<!` from the first look). Feeds never need a DTD, so one is refusal.
"""

import re
from typing import Any

from lxml import etree

from rtcc.sources.base import AdapterError

_DOCTYPE = re.compile(rb"<!doctype|<!entity", re.IGNORECASE)
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def declares_dtd(message: bytes) -> bool:
    """A DOCTYPE/ENTITY declaration, also in a UTF-16/32 document (NUL bytes near the start)."""
    if b"<!" in message and _DOCTYPE.search(message):  # most documents have no "<!" at all
        return True
    if b"\x00" not in message[:64]:
        return False
    return any(
        _DOCTYPE.search(message.decode(encoding, "ignore").encode("ascii", "ignore"))
        for encoding in _WIDE
    )


def parse_refusing_dtd(message: bytes, parser: Any, field: str) -> Any:
    """The root element, or AdapterError(field, "unsafe_xml" | "not_xml")."""
    if declares_dtd(message):
        raise AdapterError(field, "unsafe_xml", "refused: a DOCTYPE or ENTITY declaration")
    try:
        root: Any = etree.fromstring(message, parser)
    except (etree.XMLSyntaxError, ValueError, UnicodeError) as exc:
        raise AdapterError(field, "not_xml", f"not well-formed XML: {exc}"[:200]) from exc
    if root is None or not isinstance(root.tag, str):
        raise AdapterError(field, "not_xml", "no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise AdapterError(field, "unsafe_xml", "refused: a DOCTYPE (in another encoding)")
    return root
