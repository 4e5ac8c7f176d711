"""A PIDF-LO document (RFC 4119 / RFC 5491) → the location objects it carries.

A `<presence>` holds `<tuple>`, `<dm:device>` and `<dm:person>` elements (RFC 4479); each
may hold `<gp:geopriv><gp:location-info>` with a GML shape and/or a civic address, a
`<gp:method>` and a `<timestamp>`. Elements are matched by local name, because real
documents put `method`/`timestamp` in the wrong namespace.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from rtcc.sources.base import AdapterError
from rtcc.sources.pidf_lo.civic import civic_fields, format_civic
from rtcc.sources.pidf_lo.shapes import Geodetic, find_shape, geodetic
from rtcc.sources.pidf_lo.xml import child, first_descendant, local, parse_xml, text

Method = Literal["gps", "wifi", "cell", "hybrid", "manual", "civic"]
_CARRIERS = ("tuple", "device", "person")
# IANA "Method Tokens" (RFC 4119, RFC 4589) and NENA i3 additions → payload method.
_METHODS: dict[str, Method] = {
    "gps": "gps",
    "a-gps": "gps",
    "gnss": "gps",
    "device-based_a-gps": "gps",
    "device-assisted_a-gps": "gps",
    "802.11": "wifi",
    "wifi": "wifi",
    "wlan": "wifi",
    "cell": "cell",
    "triangulation": "cell",
    "otdoa": "cell",
    "e-otd": "cell",
    "u-tdoa": "cell",
    "aoa": "cell",
    "toa": "cell",
    "ta-nmr": "cell",
    "ta": "cell",
    "e-cid": "cell",
    "ecid": "cell",
    "hybrid": "hybrid",
    "hybrid_a-gps": "hybrid",
    "dbh": "hybrid",
    "manual": "manual",
    "dhcp": "manual",
    "wiremap": "manual",
    "lldp-med": "manual",
}


@dataclass(slots=True)
class LocationObject:
    """One tuple/device/person with location: the reduced shape and what came with it."""

    element: str
    element_id: str
    device_id: str
    geodetic: Geodetic | None
    civic: str | None
    method: Method | None
    method_raw: str
    confidence_pct: int | None
    timestamp: str
    civic_parts: dict[str, str] = field(default_factory=dict)  # CAtype → value, to geocode


@dataclass(slots=True)
class Presence:
    entity: str
    objects: list[LocationObject] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


def map_method(raw: str) -> Method | None:
    return _METHODS.get(raw.strip().lower()) if raw.strip() else None


def _confidence(location_info: Any) -> int | None:
    element = first_descendant(location_info, "confidence")
    if element is None:
        return None
    try:
        value = round(float(text(element)))
    except (ValueError, OverflowError):
        message = f"{text(element)[:40]!r} is not a percentage"  # an empty one too
        raise AdapterError("confidence", "not_a_number", message) from None
    if not 0 <= value <= 100:
        raise AdapterError("confidence", "out_of_range", f"{value} is not a percentage")
    return value


def _object(carrier: Any) -> LocationObject | None:
    geopriv = first_descendant(carrier, "geopriv")
    info = child(geopriv, "location-info") if geopriv is not None else None
    if info is None:
        return None
    shape = find_shape(info)
    civic = first_descendant(info, "civicAddress")
    if shape is None and civic is None:
        return None
    method_raw = text(child(geopriv, "method"))
    stamp = child(carrier, "timestamp")
    parts = civic_fields(civic) if civic is not None else {}
    return LocationObject(
        element=local(carrier),
        element_id=str(carrier.get("id") or ""),
        device_id=text(child(carrier, "deviceID")),
        geodetic=geodetic(shape) if shape is not None else None,
        civic=format_civic(parts) if civic is not None else None,
        method=map_method(method_raw),
        method_raw=method_raw,
        confidence_pct=_confidence(info),
        timestamp=text(stamp),
        civic_parts=parts,
    )


def parse_presence(data: bytes, *, recover: bool = False, field_name: str = "xml") -> Presence:
    parsed = parse_xml(data, field_name=field_name, recover=recover)
    root = parsed.root
    if local(root) != "presence":
        raise AdapterError("presence", "missing", f"root element is <{local(root)[:40]}>")
    presence = Presence(entity=str(root.get("entity") or "").strip(), repairs=parsed.repairs)
    for carrier in root:
        if local(carrier) in _CARRIERS:
            found = _object(carrier)
            if found is not None:
                presence.objects.append(found)
    return presence


def parse_timestamp(value: str, where: str, naive_zone: Any | None = None) -> datetime:
    """RFC 3339 (`Z` or an offset); zone-less times only with a configured zone."""
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise AdapterError(where, "bad_timestamp", f"{value[:40]!r} is not RFC 3339") from None
    if stamp.tzinfo is None:
        if naive_zone is None:
            raise AdapterError(where, "bad_timestamp", f"{value[:40]!r} has no time zone")
        stamp = stamp.replace(tzinfo=naive_zone)
    return stamp
