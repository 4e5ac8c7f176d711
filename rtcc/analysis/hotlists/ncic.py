"""NCIC-style hotlist files: the national fixed-width extract, its WA variant, the SFR table.

No maintained parser library exists for these layouts, so this is small and strict: every
line is checked on its own, a malformed one becomes a `LineError` (file, line number,
reason) and the rest of the file still loads. Offsets follow
`../shared/data/lpr/NCIC_HOTLIST_FORMAT_NOTES.md` (0-based, end exclusive).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Literal

from rtcc.analysis.hotlists.models import NCIC_LIST_TYPES, LineError, NewEntry
from rtcc.analysis.plate_text import PlateError, normalize_plate

FileFormat = Literal["ncic", "wa", "sfr"]
FORMATS: tuple[FileFormat, ...] = ("ncic", "wa", "sfr")

_STATE = re.compile(r"^[A-Z]{2}$")
_SFR_HEADER = re.compile(r"^DATE(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})$")
_SFR_RECORD = re.compile(
    r"^(?P<plate>\S{1,10}) (?P<state>[A-Z0-9]{2})(?P<code>[A-Z0-9]{2})(?P<date>\d{8})$"
)
_SFR_TRAILER = re.compile(r"^TOTAL RECORD (\d{7})$")
_MIN_NCIC_LENGTH = 39  # through the plate state; the vehicle fields after it are optional


@dataclass(slots=True)
class Parsed:
    entries: list[NewEntry] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


class _LineFault(ValueError):
    """Why one line is refused."""


def parse_file(data: bytes, file: str, fmt: FileFormat, expires_at: datetime) -> Parsed:
    """Parse a whole file; `expires_at` bounds how long an imported entry may match without
    a fresh import (a list that stops being refreshed stops matching)."""
    if fmt == "sfr":
        return _parse_sfr(data, file, expires_at)
    return _parse_ncic(data, file, expires_at, wa=fmt == "wa")


def _lines(data: bytes, file: str, parsed: Parsed) -> Iterator[tuple[int, str]]:
    """(1-based number, text) of each non-blank line; a non-ASCII line is reported."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        try:
            yield number, raw.decode("ascii")
        except UnicodeDecodeError:
            parsed.errors.append(LineError(file, number, "not ASCII text"))


def _keep(
    parsed: "Parsed",
    seen: dict[tuple[str, str | None, str], int],
    file: str,
    number: int,
    record: Callable[[], NewEntry],
) -> None:
    """One record line: the entry kept, or the line reported (unreadable, or a duplicate)."""
    try:
        entry = record()
    except _LineFault as fault:
        parsed.errors.append(LineError(file, number, str(fault)))
        return
    key = (entry.plate, entry.state, entry.list_type)
    if key in seen:
        reason = f"duplicate of line {seen[key]} (plate {entry.plate}); ignored"
        parsed.errors.append(LineError(file, number, reason))
        return
    seen[key] = number
    parsed.entries.append(entry)


def _parse_ncic(data: bytes, file: str, expires_at: datetime, wa: bool) -> Parsed:
    parsed = Parsed()
    seen: dict[tuple[str, str | None, str], int] = {}
    lines = _lines(data, file, parsed)
    if next(lines, None) is None:  # the first line is a header
        parsed.errors.append(LineError(file, 1, "empty file: no header line"))
        return parsed
    for number, text in lines:
        _keep(parsed, seen, file, number, partial(_ncic_record, text, expires_at, wa))
    return parsed


def _ncic_record(text: str, expires_at: datetime, wa: bool) -> NewEntry:
    if len(text) < _MIN_NCIC_LENGTH:
        raise _LineFault(f"line is {len(text)} characters, a record needs at least 39")
    type_at = 2 if wa else 0
    code = text[type_at]
    if code not in NCIC_LIST_TYPES:
        raise _LineFault(f"unknown list type code {code!r} at column {type_at + 1}")
    reference = (text[:type_at] + text[type_at + 1 : 19]).strip()
    if not reference:
        raise _LineFault("no record reference in columns 1-19")
    entered = _date(text[19:27], "incident date (columns 20-27)")
    raw_plate = text[27:37].replace("-", "").replace(" ", "")
    try:
        plate = normalize_plate(raw_plate)
    except PlateError as exc:
        raise _LineFault(f"plate (columns 28-37): {exc}") from exc
    if plate != raw_plate.upper():
        raise _LineFault(f"plate (columns 28-37) {raw_plate!r} has characters other than A-Z 0-9")
    state = _state(text[37:39].replace("0", "O"), "plate state (columns 38-39)")
    vehicle = " ".join(
        part.strip() for part in (text[45:49], text[49:53], text[53:56], text[58:]) if part.strip()
    )
    list_type = NCIC_LIST_TYPES[code]
    return NewEntry(
        plate=plate,
        state=state,
        list_type=list_type,
        reason=f"NCIC {list_type}, entered {entered.isoformat()}",
        case_number=reference,
        owner="WA NCIC" if wa else "NCIC",
        expires_at=expires_at,
        vehicle=vehicle or None,
    )


def _parse_sfr(data: bytes, file: str, expires_at: datetime) -> Parsed:
    parsed = Parsed()
    seen: dict[tuple[str, str | None, str], int] = {}
    records = 0
    trailer_at: int | None = None
    last = 0
    for number, text in _lines(data, file, parsed):
        last = number
        if trailer_at is not None:
            parsed.errors.append(
                LineError(file, number, f"text after the trailer on line {trailer_at}")
            )
            continue
        if number == 1:
            if not _SFR_HEADER.match(text):
                reason = "header must read DATEmm/dd/yyyy HH:MM"
                parsed.errors.append(LineError(file, 1, reason))
            continue
        trailer = _SFR_TRAILER.match(text)
        if trailer:
            trailer_at = number
            if int(trailer.group(1)) != records:
                reason = f"trailer counts {int(trailer.group(1))} records, the file has {records}"
                parsed.errors.append(LineError(file, number, reason))
            continue
        records += 1
        _keep(parsed, seen, file, number, partial(_sfr_record, text, expires_at))
    if trailer_at is None:
        reason = "no 'TOTAL RECORD nnnnnnn' trailer: the file may be truncated"
        parsed.errors.append(LineError(file, max(last, 1), reason))
    return parsed


def _sfr_record(text: str, expires_at: datetime) -> NewEntry:
    found = _SFR_RECORD.match(text)
    if not found:
        raise _LineFault("record must read 'PLATE SSCCYYYYMMDD' (state, code, date)")
    try:
        plate = normalize_plate(found["plate"])
    except PlateError as exc:
        raise _LineFault(f"plate: {exc}") from exc
    if plate != found["plate"]:
        raise _LineFault(f"plate {found['plate']!r} has characters other than A-Z 0-9")
    state = _state(found["state"], "state")
    entered = _date(found["date"], "date")
    return NewEntry(
        plate=plate,
        state=state,
        list_type=f"SFR code {found['code']}",
        reason=f"SFR code {found['code']}, entered {entered.isoformat()}",
        case_number=f"SFR-{found['code']}-{found['date']}",
        owner="SFR",
        expires_at=expires_at,
    )


def _date(text: str, name: str) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError as exc:
        raise _LineFault(f"{name} {text!r} is not a YYYYMMDD date") from exc


def _state(text: str, name: str) -> str:
    if not _STATE.match(text):
        raise _LineFault(f"{name} {text!r} is not a two-letter code")
    return text
