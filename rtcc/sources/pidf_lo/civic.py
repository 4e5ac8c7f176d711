"""RFC 5139 / RFC 6848 civic address → one display line ("123 N Main St, 4, City, ST 12345, US")."""

from typing import Any

from rtcc.sources.pidf_lo.xml import local, text

_STREET = ("HNO", "HNS", "PRM", "PRD", "RD", "A6", "STS", "POD", "POM", "HNP", "STP")
_UNIT = ("LMK", "LOC", "NAM", "BLD", "FLR", "UNIT", "ROOM", "SEAT")
_PLACE = ("A5", "A4", "A3", "PCN")


def civic_fields(civic: Any) -> dict[str, str]:
    """CAtype name → value; extension elements (other namespaces) keep their local name."""
    fields: dict[str, str] = {}
    for element in civic:
        name = local(element)
        value = text(element)
        if name and value and name not in fields:
            fields[name] = value
    return fields


def format_civic(fields: dict[str, str]) -> str:
    street = " ".join(fields[k] for k in _STREET if k in fields)
    if "RD" in fields and "A6" in fields:  # A6 is the legacy street name: do not say it twice
        street = street.replace(f" {fields['A6']}", "", 1)
    unit = ", ".join(fields[k] for k in _UNIT if k in fields)
    place = next((fields[k] for k in _PLACE if k in fields), "")
    region = " ".join(v for v in (fields.get("A1", ""), fields.get("PC", "")) if v)
    parts = [p for p in (street, unit, place, region, fields.get("country", "")) if p]
    return ", ".join(parts)[:200]
