"""Import one NCIC-style file into a list: parse line by line, then refresh the list.

Shared by the upload route and `rtcc hotlist import`, so both report the same line errors.
"""

from datetime import timedelta

from rtcc.analysis.hotlists.models import ImportResult
from rtcc.analysis.hotlists.ncic import FileFormat, parse_file
from rtcc.core.clock import utcnow
from rtcc.storage.base import HotlistStore

DEFAULT_VALID_DAYS = 7


def import_file(
    store: HotlistStore,
    list_name: str,
    file: str,
    data: bytes,
    fmt: FileFormat,
    by: str,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> ImportResult:
    """Good lines replace the list's entries; entries absent from the file are removed.

    Imported entries expire `valid_days` after the import, so a list nobody refreshes any
    more stops matching instead of matching ever older data.
    """
    now = utcnow()
    parsed = parse_file(data, file, fmt, now + timedelta(days=valid_days))
    loaded, removed = store.refresh_list(list_name, parsed.entries, by, now)
    return ImportResult(list_name, loaded, removed, parsed.errors, now)
