"""Hotlist entries and hits as rows: the columns both backends' hotlist stores select and
how a row becomes a model (the stores themselves stay per backend: their locking differs)."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rtcc.analysis.hotlists.models import Hit, HotlistEntry

ENTRY_COLUMNS = (
    "id, list_name, plate, state, list_type, reason, case_number, owner, vehicle, added_by,"
    " created_at, seen_at, expires_at, status, decided_by, decided_at, reject_reason"
)
HIT_COLUMNS = (
    "id, event_id, list_name, entry, plate_read, state_read, lookalike, positions, image_ref,"
    " reader_id, lat, lon, read_at, created_at, origin, status, decided_by, decided_at,"
    " dismiss_reason"
)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def entry_from_row(row: Sequence[Any]) -> HotlistEntry:
    return HotlistEntry(
        id=row[0],
        list_name=row[1],
        plate=row[2],
        state=row[3],
        list_type=row[4],
        reason=row[5],
        case_number=row[6],
        owner=row[7],
        vehicle=row[8],
        added_by=row[9],
        created_at=datetime.fromisoformat(row[10]),
        seen_at=datetime.fromisoformat(row[11]),
        expires_at=datetime.fromisoformat(row[12]),
        status=row[13],
        decided_by=row[14],
        decided_at=_time(row[15]),
        reject_reason=row[16],
    )


def hit_from_row(row: Sequence[Any]) -> Hit:
    return Hit(
        id=row[0],
        event_id=row[1],
        list_name=row[2],
        entry=json.loads(row[3]),
        plate_read=row[4],
        state_read=row[5],
        lookalike=bool(row[6]),
        positions=tuple(json.loads(row[7])),
        image_ref=row[8],
        reader_id=row[9],
        lat=row[10],
        lon=row[11],
        read_at=datetime.fromisoformat(row[12]),
        created_at=datetime.fromisoformat(row[13]),
        origin=row[14],
        status=row[15],
        decided_by=row[16],
        decided_at=_time(row[17]),
        dismiss_reason=row[18],
    )
