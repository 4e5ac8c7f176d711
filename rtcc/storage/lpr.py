"""Stores of licence plates: the plate-read search index and the hotlists with their hits."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from rtcc.analysis.hotlists.models import (
    Hit,
    Hotlist,
    HotlistEntry,
    ListSource,
    NewEntry,
    SuppressedCount,
)
from rtcc.core.geo import haversine_m


class PlateReadRow(NamedTuple):
    """One plate read as search returns it (from the plate-read index, not the event JSON).

    A named tuple: a partial search can return tens of thousands, built at C speed."""

    plate: str
    plate_state: str | None
    occurred_at: datetime
    reader_id: str
    lat: float | None
    lon: float | None
    image_ref: str | None
    event_id: str


#: (min_lat, max_lat, min_lon, max_lon)
LatLonBox = tuple[float, float, float, float]
#: (centre lat, centre lon, radius in metres), tested by great-circle distance.
Circle = tuple[float, float, float]


class ReadPage(NamedTuple):
    """What a search shows: every matching read counted, the first page of them built."""

    total: int
    reads: list[PlateReadRow]


def in_circle(circle: Circle, lat: float | None, lon: float | None) -> bool:
    """Exactly the test search always made (`haversine_m` ≤ radius), for every backend."""
    if lat is None or lon is None:
        return False
    return haversine_m(circle[0], circle[1], lat, lon) <= circle[2]


class PlateReadStore(Protocol):
    """Plate reads indexed by distinct plate (kept on ingest); search lives in rtcc.analysis."""

    def plates_since(self, after_id: int) -> list[tuple[int, str]]:
        """(id, plate) of every distinct plate with an id above `after_id`, by id."""
        ...

    def plate_id(self, plate: str) -> int | None: ...

    def plate_info(self, plate_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        """id → (plate text, how many reads it has) for these plate ids."""
        ...

    def reads_of(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
    ) -> list[PlateReadRow]:
        """Reads of these plates in [since, until] and inside `box`, newest first."""
        ...

    def newest_reads(
        self,
        plate_ids: Sequence[int],
        since: datetime | None = None,
        until: datetime | None = None,
        box: LatLonBox | None = None,
        circle: Circle | None = None,
        limit: int | None = None,
    ) -> ReadPage:
        """How many reads of these plates lie in [since, until], `box` and `circle`, and the
        newest `limit` of them (all if None; ties: the later stored first).

        The database counts and picks the page, so a pattern matching 20,000 reads builds
        `limit` rows in Python, not 20,000."""
        ...

    def reads_at_reader(
        self, reader_id: str, since: datetime, until: datetime
    ) -> list[tuple[int, datetime]]:
        """(plate id, time) of every read at one reader in [since, until]."""
        ...

    def count_reads(self) -> int: ...


class HotlistStore(Protocol):
    """LPR hotlists, their entries (custom ones approved by a second person) and hits."""

    def create_list(self, name: str, source: ListSource, at: datetime) -> Hotlist: ...

    def lists(self) -> list[Hotlist]: ...

    def get_list(self, name: str) -> Hotlist | None: ...

    def refresh_list(
        self, name: str, entries: Sequence[NewEntry], by: str, at: datetime
    ) -> tuple[int, int]:
        """Replace an imported list's entries; (loaded, removed)."""
        ...

    def revision(self) -> int:
        """Changes whenever a list or entry changes: cheap to ask before each match."""
        ...

    def entries(
        self, list_name: str | None = None, status: str | None = None
    ) -> list[HotlistEntry]: ...

    def approved_entries(self) -> list[HotlistEntry]: ...

    def get_entry(self, entry_id: str) -> HotlistEntry | None: ...

    def add_entry(
        self, list_name: str, new: NewEntry, added_by: str, at: datetime
    ) -> HotlistEntry: ...

    def decide_entry(
        self, entry_id: str, approve: bool, by: str, at: datetime, reason: str | None = None
    ) -> HotlistEntry | None: ...

    def add_hits(self, hits: Sequence[Hit]) -> None: ...

    def hits(self, status: str | None = None, limit: int = 200) -> list[Hit]: ...

    def get_hit(self, hit_id: str) -> Hit | None: ...

    def decide_hit(
        self, hit_id: str, confirm: bool, by: str, at: datetime, reason: str | None = None
    ) -> Hit | None: ...

    def count_suppressed(self, list_name: str, reason: str, message: str, at: datetime) -> None: ...

    def suppressed(self) -> list[SuppressedCount]: ...
