"""Real ShotSpotter exports as cities published them: one CSV row → one gunshot.

`sf`: San Francisco's alert list (Type, ID, Date d-Mon-yy, Time, Rnds, …, Latitude, Longitude).
`wilmington`: Wilmington NC's CAD calls for ShotSpotter alerts, where the flex id, the
round count and the detection time are only in the free-text `notes`.
Both carry local wall-clock times; the zone comes from the options.
"""

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.shotspotter import values as v

Row = dict[str, str]
_BOM = b"\xef\xbb\xbf"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_SF_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_US_STAMP = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})$")
FLEX_ID = re.compile(r"FLEX\s*ID\s*#?\s*(\d{1,12})", re.IGNORECASE)
_ROUNDS_HEADLINE = re.compile(r":\s*(\d{1,3})\s+ROUNDS?\b", re.IGNORECASE)
_ROUNDS_ANY = re.compile(r"\b(\d{1,3})\s*ROUNDS?\b", re.IGNORECASE)
_SHOT_AT = re.compile(r"\bAT (\d{1,2}):(\d{2}):(\d{2}) (\d{1,2})/(\d{1,2})/(\d{4})")
_NOTE_POINT = re.compile(r"\((-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\)")


def read_row(message: bytes) -> Row:
    """The header + one row message as a column → value mapping."""
    if message.startswith(_BOM):  # what the utf-8-sig codec does, minus its Python wrapper
        message = message[len(_BOM) :]
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdapterError("row", "not_utf8", str(exc)[:200]) from exc
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise AdapterError("row", "not_csv", str(exc)[:200]) from exc
    if len(rows) < 2:
        raise AdapterError("row", "missing", "a message is a header line and one row")
    if len(rows) > 2:
        raise AdapterError("row", "too_many_rows", f"{len(rows) - 1} rows in one message")
    header, row = rows
    if len(row) < len(header):  # a short row: its missing cells read as empty
        row += [""] * (len(header) - len(row))
    return dict(zip(map(str.strip, header), map(str.strip, row), strict=False))


def cell(row: Row, column: str, *, required: bool = True) -> str | None:
    value = row.get(column, "")
    if value == "" and required:
        raise AdapterError(f"row.{column}", "missing", f"column {column!r} is empty or absent")
    return value or None


def _local(zone: ZoneInfo, field: str, parts: tuple[int, int, int, int, int, int]) -> datetime:
    try:
        return datetime(*parts, tzinfo=zone)
    except (ValueError, OverflowError) as exc:
        raise AdapterError(field, "bad_timestamp", str(exc)) from exc


def sf_row(row: Row, zone: ZoneInfo) -> WireEvent:
    ref = v.identifier("row.ID", cell(row, "ID"))
    at = _sf_time(row, zone)
    lat = v.coordinate("row.Latitude", cell(row, "Latitude"), 90)
    lon = v.coordinate("row.Longitude", cell(row, "Longitude"), 180)
    count = v.rounds("row.Rnds", cell(row, "Rnds", required=False))
    kind = v.classification("row.Type", cell(row, "Type", required=False), count)
    return v.gunshot_event(ref, at, lat, lon, count, kind)


def _sf_time(row: Row, zone: ZoneInfo) -> datetime:
    """`Date` (d-Mon-yy) and `Time` (H:MM[:SS]) as local wall-clock time in `zone`."""
    date, clock = cell(row, "Date") or "", cell(row, "Time") or ""
    d, c = _SF_DATE.match(date), _CLOCK.match(clock)
    month = _MONTHS.get(d.group(2).lower()) if d is not None else None
    if d is None or month is None:
        raise AdapterError("row.Date", "bad_timestamp", f"{date!r} is not d-Mon-yy")
    if c is None:
        raise AdapterError("row.Time", "bad_timestamp", f"{clock!r} is not H:MM:SS")
    day, _, year_text = d.groups()
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    hour, minute, second = map(int, c.groups("0"))
    if hour > 23 or minute > 59 or second > 59:
        raise AdapterError("row.Time", "bad_timestamp", f"{clock!r} is not a time of day")
    return _local(zone, "row.Date", (year, month, int(day), hour, minute, second))


def _us_stamp(field: str, text: str, zone: ZoneInfo) -> datetime:
    m = _US_STAMP.match(text)
    if m is None:
        raise AdapterError(field, "bad_timestamp", f"{text!r} is not MM/DD/YYYY HH:MM:SS")
    month, day, year, hour, minute, second = map(int, m.groups())
    return _local(zone, field, (year, month, day, hour, minute, second))


def wilmington_row(row: Row, zone: ZoneInfo) -> WireEvent:
    notes = row.get("notes", "")
    calltime = cell(row, "calltime") or ""
    called = _us_stamp("row.calltime", calltime, zone)
    at = _shot_time(notes, zone) or called
    flex = FLEX_ID.search(notes)
    ref = f"flex-{flex.group(1)}" if flex else f"cad-{called.strftime('%Y%m%dT%H%M%S')}"
    lat_text, lon_text = row.get("Latitude", ""), row.get("Longitude", "")
    point = _NOTE_POINT.search(notes)
    if not (lat_text and lon_text) and point is not None:
        lat_text, lon_text = point.group(1), point.group(2)
    lat = v.coordinate("row.Latitude", lat_text or None, 90)
    lon = v.coordinate("row.Longitude", lon_text or None, 180)
    found = _ROUNDS_HEADLINE.search(notes) or _ROUNDS_ANY.search(notes)
    count = int(found.group(1)) if found and 1 <= int(found.group(1)) <= 500 else None
    return v.gunshot_event(ref, at, lat, lon, count, v.classification("", None, count))


def _shot_time(notes: str, zone: ZoneInfo) -> datetime | None:
    """The detection time the narrative gives ("… AT 18:27:07 01/06/2013"); None when it
    gives none or a garbled one, which is not worth losing the alert."""
    shot = _SHOT_AT.search(notes)
    if shot is None:
        return None
    hour, minute, second, month, day, year = map(int, shot.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except (ValueError, OverflowError):
        return None


DIALECTS: dict[str, Callable[[Row, ZoneInfo], WireEvent]] = {
    "sf": sf_row,
    "wilmington": wilmington_row,
}
DEFAULT_ZONES = {"sf": "America/Los_Angeles", "wilmington": "America/New_York"}


def detect_dialect(row: Row) -> Literal["sf", "wilmington"]:
    """Which export a header belongs to: SF has ID + Rnds, Wilmington calltime + notes."""
    if {"ID", "Rnds"} <= row.keys():
        return "sf"
    if {"calltime", "notes"} <= row.keys():
        return "wilmington"
    raise AdapterError("row", "unknown_dialect", "header is neither the SF nor Wilmington export")
