"""A folder of CAP documents with an Atom index, the way CAP feeds are usually published.

Aggregators poll a feed URL; serving this folder with any static web server is enough.
The index keeps the newest `keep` entries; the documents themselves stay until the
agency's retention removes them. Writes are atomic (temp file + rename), so a reader
never sees half a file.
"""

import os
from datetime import datetime
from pathlib import Path

from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
INDEX_NAME = "index.atom"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _a(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def publish(
    folder: Path, ident: str, document: bytes, title: str, updated: datetime, keep: int
) -> Path:
    """Write `<ident>.xml` and put it first in the folder's Atom index."""
    folder.mkdir(parents=True, exist_ok=True)
    doc_path = folder / f"{ident}.xml"
    _atomic_write(doc_path, document)
    index_path = folder / INDEX_NAME
    old_entries: list[etree._Element] = []
    if index_path.exists():
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        old = etree.fromstring(index_path.read_bytes(), parser)
        old_entries = [e for e in old.findall(f"{{{ATOM_NS}}}entry")]
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _a(feed, "id", f"urn:rtcc:cap:{folder.name}")
    _a(feed, "title", "OpenRTCC CAP alerts")
    stamp = updated.isoformat()
    _a(feed, "updated", stamp)
    entry = _a(feed, "entry")
    _a(entry, "id", f"urn:rtcc:cap:{ident}")
    _a(entry, "title", title)
    _a(entry, "updated", stamp)
    link = _a(entry, "link")
    link.set("rel", "alternate")
    link.set("type", "application/cap+xml")
    link.set("href", doc_path.name)
    for old_entry in old_entries[: max(keep - 1, 0)]:
        feed.append(old_entry)
    _atomic_write(index_path, etree.tostring(feed, xml_declaration=True, encoding="UTF-8"))
    return doc_path
