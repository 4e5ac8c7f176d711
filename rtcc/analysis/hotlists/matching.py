"""Match a plate read against the active hotlist entries, OCR look-alikes included.

The index is a dict keyed by the confusion-folded plate, so a read costs one fold and one
dict lookup however long the lists are; it is rebuilt whenever the store changes.

State rule: an entry with a state matches a read of that state or a read with no state
(readers often miss the state); a read from a different state does not match. An entry
without a state matches any read.
"""

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rtcc.analysis.hotlists.models import Hotlist, HotlistEntry
from rtcc.analysis.plate_text import fold_confusions, normalize_plate
from rtcc.core.clock import iso

STALE_ENTRY = "stale_entry"


@dataclass(frozen=True, slots=True)
class Match:
    entry: HotlistEntry
    lookalike: bool  # equal only after folding look-alike characters
    positions: tuple[int, ...]  # 0-based positions where read and entry differ


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A match that must not be broadcast, and why."""

    entry: HotlistEntry
    reason: str
    message: str


@dataclass(slots=True)
class MatchResult:
    matches: list[Match] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)


def differing_positions(read: str, listed: str) -> tuple[int, ...]:
    return tuple(i for i, (a, b) in enumerate(zip(read, listed, strict=True)) if a != b)


class HotlistIndex:
    """Approved entries by folded plate, with each list's last refresh time."""

    def __init__(self, entries: Iterable[HotlistEntry], lists: Iterable[Hotlist]) -> None:
        self.lists: Mapping[str, Hotlist] = {hotlist.name: hotlist for hotlist in lists}
        self._by_folded: dict[str, list[HotlistEntry]] = {}
        for entry in entries:
            if entry.status == "approved":
                self._by_folded.setdefault(fold_confusions(entry.plate), []).append(entry)

    def __len__(self) -> int:
        return sum(len(found) for found in self._by_folded.values())

    def match(self, plate: str, state: str | None, at: datetime) -> MatchResult:
        """Every active entry the read matches at time `at`; stale ones come back suppressed."""
        read = normalize_plate(plate)
        result = MatchResult()
        for entry in self._by_folded.get(fold_confusions(read), ()):
            if entry.state and state and entry.state != state:
                continue
            if not entry.active(at):
                continue
            hotlist = self.lists.get(entry.list_name)
            if hotlist is not None and entry.seen_at < hotlist.refreshed_at:
                message = (
                    f"entry {entry.plate} last confirmed {iso(entry.seen_at)}, before the "
                    f"refresh of list {entry.list_name} at {iso(hotlist.refreshed_at)}"
                )
                result.suppressed.append(Suppressed(entry, STALE_ENTRY, message))
                continue
            positions = differing_positions(read, entry.plate)
            result.matches.append(Match(entry, bool(positions), positions))
        return result


class IndexSource(Protocol):
    """Where a `LiveIndex` reads from (the hotlist store satisfies it)."""

    def revision(self) -> int: ...

    def lists(self) -> list[Hotlist]: ...

    def approved_entries(self) -> list[HotlistEntry]: ...


class LiveIndex:
    """The index kept current: one cheap revision query per read, a rebuild after a change."""

    def __init__(self, source: IndexSource) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._revision = -1
        self._index = HotlistIndex((), ())

    def current(self) -> HotlistIndex:
        revision = self._source.revision()
        with self._lock:
            if revision != self._revision:
                self._index = HotlistIndex(self._source.approved_entries(), self._source.lists())
                self._revision = revision
            return self._index
