"""What both backends' retention stores share: the purgeable tables, holds as rows, and
the digest a purge certificate carries of the ids it deleted."""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from rtcc.storage.base import LegalHold

HOLD_COLUMNS = (
    "id, case_number, reason, event_ids, created_by, created_at, released_by, released_at"
)
# Non-event kinds: table, the time column a rule's cutoff applies to, and the row key.
PURGED_TABLES = {
    "alerts": ("alerts", "created_at", "id"),
    "dead_letters": ("dead_letters", "received_at", "id"),
    "video": ("private_camera_segments", "ends_at", "clip_url"),
}


def hold_from_row(row: tuple[Any, ...]) -> LegalHold:
    values = list(row)
    values[3] = json.loads(values[3])
    return LegalHold(*values)


def ids_digest(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
