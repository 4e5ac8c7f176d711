"""An alert → the few words a dispatcher would say on the air.

Radio style: who is called, what happened, where (a block or cross street, else a
direction and distance from a landmark), which units are near, and the time. Plates and
unit ids are read in the APCO phonetic alphabet; raw coordinates are never read unless
the channel is configured to.
"""

import re
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rtcc.core.alerts import Alert
from rtcc.core.geo import bearing_deg, haversine_m

APCO = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            "Adam",
            "Boy",
            "Charles",
            "David",
            "Edward",
            "Frank",
            "George",
            "Henry",
            "Ida",
            "John",
            "King",
            "Lincoln",
            "Mary",
            "Nora",
            "Ocean",
            "Paul",
            "Queen",
            "Robert",
            "Sam",
            "Tom",
            "Union",
            "Victor",
            "William",
            "X-ray",
            "Young",
            "Zebra",
        ],
        strict=True,
    )
)
_POINTS = "north north-east east south-east south south-west west north-west".split()  # noqa: SIM905
_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


class Landmark(BaseModel):
    """A place every officer knows, to say where an alert is without an address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ScriptOptions(BaseModel):
    """How the words are chosen (part of the radio channel's options)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    talkgroup: str = Field("All units", min_length=1, max_length=80, description="who is called")
    landmark: Landmark | None = None
    distance_units: Literal["metric", "imperial"] = "metric"
    read_coordinates: bool = Field(False, description="read lat/lon when nothing else says where")
    timezone: str = Field("UTC", description="IANA zone of the spoken time, e.g. America/New_York")
    max_units: int = Field(3, ge=0, le=10)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value


def script(alert: Alert, opts: ScriptOptions) -> str:
    """The words of one broadcast, as sentences ending in full stops."""
    parts = [f"{opts.talkgroup}.", f"{_what(alert)}, {_where(alert, opts)}."]
    units = _units(alert.detail, opts.max_units)
    if units:
        parts.append(units)
    parts.append(f"{_when(alert, opts)}.")
    return " ".join(parts)


def number_words(n: int) -> str:
    return _SMALL[n] if 0 <= n <= 20 else str(n)


def phonetic(text: str) -> str:
    """A plate, letter by letter: "ABC123" → "Adam Boy Charles 1 2 3"."""
    return " ".join(APCO.get(c, c) for c in text.upper() if c.isalnum())


def unit_call_sign(unit_id: str) -> str:
    """A unit id as said on the air: "4A12" → "4-Adam-12"."""
    groups = re.findall(r"[0-9]+|[A-Za-z]+", unit_id)
    spoken = [" ".join(APCO.get(c, c) for c in g.upper()) if g.isalpha() else g for g in groups]
    return "-".join(spoken) if spoken else unit_id


def address_phrase(address: str) -> str:
    """A house number becomes its block ("312 Main Street" → "300 block of Main Street");
    numbers under 100 are the "unit block", the way dispatchers say it."""
    match = re.match(r"^\s*(\d+)[A-Za-z]?\s+(.+)$", address)
    if not match:
        return address.strip()
    number, street = int(match.group(1)), match.group(2).strip()
    if number < 100:
        return f"unit block of {street}"
    return f"{number // 100 * 100} block of {street}"


def _what(alert: Alert) -> str:
    d = alert.detail
    if alert.rule == "gunshot_nearby":
        rounds = d.get("rounds")
        if isinstance(rounds, int) and rounds > 0:
            return f"Shots fired, {number_words(rounds)} round{'s' if rounds != 1 else ''}"
        return "Shots fired"
    if alert.rule == "hotlist_hit_confirmed":
        hit = d.get("hit") or {}
        entry = hit.get("entry") or {}
        reason = entry.get("reason") or entry.get("list_type") or hit.get("list_name")
        plate = phonetic(str(hit.get("plate_read", "")))
        state = f", {hit['state_read']}" if hit.get("state_read") else ""
        return f"Confirmed hotlist hit, plate {plate}{state}" + (f", {reason}" if reason else "")
    if alert.rule == "caller_in_geofence":
        names = [g.get("name") for g in d.get("geofences", []) if g.get("name")]
        return "Nine one one caller inside " + (", ".join(names) if names else "a geofence")
    return alert.title.rstrip(".")


def _address(detail: dict[str, Any]) -> str | None:
    for holder in (detail, detail.get("incident") or {}, detail.get("hit") or {}):
        if isinstance(holder, dict):
            for key in ("address", "civic_address", "cross_street"):
                value = holder.get(key)
                if isinstance(value, str) and value.strip():
                    return value
    return None


def _where(alert: Alert, opts: ScriptOptions) -> str:
    address = _address(alert.detail)
    if address:
        return address_phrase(address)
    loc = alert.location
    if loc is None:
        return "location on your terminal"
    if opts.landmark is not None:
        lm = opts.landmark
        metres = haversine_m(lm.lat, lm.lon, loc.lat, loc.lon)
        if metres < 50:
            return f"at {lm.name}"
        point = _POINTS[round(bearing_deg(lm.lat, lm.lon, loc.lat, loc.lon) / 45) % 8]
        return f"{_distance(metres, opts.distance_units)} {point} of {lm.name}"
    if opts.read_coordinates:
        ns, ew = ("north" if loc.lat >= 0 else "south"), ("east" if loc.lon >= 0 else "west")
        return f"latitude {abs(loc.lat):.4f} {ns}, longitude {abs(loc.lon):.4f} {ew}"
    return "location on your terminal"


def _distance(metres: float, units: str) -> str:
    if units == "imperial":
        feet = metres / 0.3048
        if feet < 1000:
            return f"{max(100, round(feet / 100) * 100)} feet"
        miles = round(metres / 1609.344, 1)
        return f"{miles:g} mile{'' if miles == 1 else 's'}"
    if metres < 1000:
        return f"{max(50, round(metres / 50) * 50)} metres"
    km = round(metres / 1000, 1)
    return f"{km:g} kilometre{'' if km == 1 else 's'}"


def _units(detail: dict[str, Any], limit: int) -> str | None:
    units = [u for u in detail.get("units") or [] if isinstance(u, dict) and u.get("unit_id")]
    units.sort(key=lambda u: u.get("distance_m") or 0.0)
    names = [unit_call_sign(str(u["unit_id"])) for u in units[:limit]]
    if not names:
        return None
    if len(names) == 1:
        return f"Unit {names[0]} nearby."
    return f"Units {', '.join(names[:-1])} and {names[-1]} nearby."


def _when(alert: Alert, opts: ScriptOptions) -> str:
    """The time it happened (first detection or plate read), else when the alert was raised."""
    at = alert.created_at
    d = alert.detail
    first = (d.get("detections") or [{}])[0].get("occurred_at") or (d.get("hit") or {}).get(
        "read_at"
    )
    if isinstance(first, str):
        try:
            parsed = datetime.fromisoformat(first.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                at = parsed
        except ValueError:
            pass
    return at.astimezone(ZoneInfo(opts.timezone)).strftime("%H:%M")
