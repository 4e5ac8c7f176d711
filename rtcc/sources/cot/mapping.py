"""From a checked CoT event to a unit_position wire event (or nothing).

Only friendly atoms are our units: `a-f-G…` (ground) and `a-f-A…` (air, which covers the
UAV types `a-f-A-M-F-Q…`/`a-f-A-M-H-Q…`). Drawings, routes, geofences, range & bearing
lines, markers and other affiliations are not unit positions and yield no event. The base
event is checked strictly (parse.py); the `<detail>` is tolerant: a detail value that the
payload cannot hold (NaN course, 9999999 "unknown" ce/hae) is dropped, never guessed.
"""

import math
import re
import unicodedata
from typing import Any, Literal

from rtcc.core.clock import iso
from rtcc.core.geo import compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.cot.parse import CotEvent

UnitType = Literal["patrol", "supervisor", "k9", "ems", "fire", "drone", "other"]
UNKNOWN = 9_999_999.0  # CoT's "no value" for hae, ce and le
_NOT_ID = re.compile(r"[^A-Za-z0-9_.:\-]+")
# ATAK team roles (<__group role=…>) that say which kind of unit a ground track is.
ROLE_TYPES: dict[str, UnitType] = {
    "k9": "k9",
    "medic": "ems",
    "team lead": "supervisor",
    "hq": "supervisor",
}


def unit_kind(cot_type: str, ground_default: UnitType) -> UnitType | None:
    """`a-f-G…` → the configured ground type, `a-f-A…` → drone, anything else → None."""
    fields = cot_type.split(";", 1)[0].split("-")
    if len(fields) < 3 or fields[0] != "a" or fields[1] != "f":
        return None
    if fields[2] == "G":
        return ground_default
    if fields[2] == "A":
        return "drone"
    return None


def sanitise_id(text: str, limit: int) -> str:
    """Accents are folded to ASCII; spaces and other characters outside the id alphabet
    become `_`."""
    ascii_text = text  # NFKD leaves ASCII as it is
    if not text.isascii():
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ID.sub("_", ascii_text.strip()).strip("_")[:limit]


def _number(el: Any, name: str) -> float | None:
    """A detail attribute as a finite float, or None when absent or unreadable."""
    raw = el.get(name) if el is not None else None
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _within(value: float | None, low: float, high: float) -> float | None:
    return value if value is not None and low <= value <= high else None


def _detail_children(detail: Any) -> dict[str, Any]:
    """The first child of `<detail>` of each (un-namespaced) tag, as `detail.find(tag)` gives,
    in one pass: lxml's `find` goes through ElementPath and costs a microsecond a call."""
    first: dict[str, Any] = {}
    if detail is not None:
        for child in detail:
            first.setdefault(child.tag, child)
    return first


def _heading(course: float | None) -> float | None:
    if course is None or not 0 <= course <= 360:
        return None
    return compass(course)


def to_unit_position(event: CotEvent, ground_default: UnitType) -> WireEvent | None:
    unit_type = unit_kind(event.type, ground_default)
    if unit_type is None:
        return None
    children = _detail_children(event.detail)
    contact = children.get("contact")
    group = children.get("__group")
    track = children.get("track")
    status = children.get("status")

    uid = sanitise_id(event.uid, 64)
    callsign = sanitise_id(contact.get("callsign", "") if contact is not None else "", 64)
    unit_id = callsign or uid
    if not unit_id:
        raise AdapterError("event@uid", "missing", "no callsign and no usable uid")
    role = (group.get("role", "") if group is not None else "").strip().lower()
    if unit_type != "drone" and role in ROLE_TYPES:
        unit_type = ROLE_TYPES[role]

    point = event.point
    location: dict[str, Any] = {"lat": point.lat, "lon": point.lon}
    accuracy = _within(point.ce, 0, 100_000)
    if accuracy is not None:
        location["accuracy_m"] = accuracy
    payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": unit_type}
    if (speed := _within(_number(track, "speed"), 0, 120)) is not None:
        payload["speed_mps"] = speed
    if (heading := _heading(_number(track, "course"))) is not None:
        payload["heading_deg"] = heading
    if (altitude := _within(point.hae, -500, 20_000)) is not None:
        payload["altitude_m"] = altitude
    if (battery := _within(_number(status, "battery"), 0, 100)) is not None:
        payload["battery_pct"] = battery
    epoch_ms = round(event.time.timestamp() * 1000)
    return {
        "kind": "unit_position",
        "id": f"{uid or unit_id}-{epoch_ms}"[:128],
        "occurred_at": iso(event.time),
        "location": location,
        "payload": payload,
    }
