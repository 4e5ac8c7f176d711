"""Where and when a plate is seen (travel pattern), and which plates travel with it.

Co-travel: a plate B travels with the target A when B is read at the same reader as A
within ±Δt, at no fewer than k distinct readers. One shared reader is chance (a busy
junction); the same companion at several readers along a route is not. The score is
`distinct shared readers * sqrt(co-reads / all reads of B)`: the second factor is B's rarity
— a plate read often everywhere (a bus, a delivery van, a commuter) meets every target
now and then, so only a small share of its reads are beside A; a real companion's reads
are mostly beside A and it keeps the full weight of its shared readers.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rtcc.analysis.plate_search import SearchError
from rtcc.analysis.plate_text import PlateError, normalize_plate
from rtcc.storage.base import PlateReadRow, PlateReadStore

#: Co-travel looks at the target's most recent reads only, so one query stays bounded.
MAX_TARGET_READS = 2_000
MAX_WINDOW_S = 3_600
MAX_K = 20


@dataclass(frozen=True, slots=True)
class ReaderVisits:
    """A reader where the plate was seen: how often, first and last time, where it stands."""

    reader_id: str
    count: int
    first_seen: datetime
    last_seen: datetime
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class TravelPattern:
    plate: str
    reads: list[PlateReadRow]  # oldest first
    readers: list[ReaderVisits]  # most visited first
    by_hour: list[int]  # 24 counts, hour of day in `tz`
    by_weekday: list[int]  # 7 counts, Monday first, in `tz`
    tz: str


@dataclass(slots=True)
class CoTraveller:
    plate: str
    readers: list[str]
    co_reads: int  # reads of this plate within ±Δt of a target read at the same reader
    total_reads: int  # all reads of this plate in the index
    score: float
    first_seen: datetime
    last_seen: datetime


@dataclass(slots=True)
class _Meetings:
    readers: set[str] = field(default_factory=set)
    times: set[datetime] = field(default_factory=set)


def target_plate(text: str) -> str:
    try:
        return normalize_plate(text)
    except PlateError as exc:
        raise SearchError("plate", "invalid", str(exc)) from exc


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SearchError("tz", "unknown_zone", f"{tz!r} is not an IANA time zone") from exc


def travel_pattern(
    store: PlateReadStore,
    plate: str,
    since: datetime | None = None,
    until: datetime | None = None,
    tz: str = "UTC",
) -> TravelPattern:
    """Every read of one plate in the window, grouped by reader and by hour and weekday."""
    plate = target_plate(plate)
    zone = _zone(tz)
    plate_id = store.plate_id(plate)
    reads = [] if plate_id is None else store.reads_of([plate_id], since, until)
    reads.sort(key=lambda r: r.occurred_at)
    by_hour, by_weekday = [0] * 24, [0] * 7
    grouped: dict[str, list[PlateReadRow]] = defaultdict(list)
    for read in reads:
        local = read.occurred_at.astimezone(zone)
        by_hour[local.hour] += 1
        by_weekday[local.weekday()] += 1
        grouped[read.reader_id].append(read)
    readers = [
        ReaderVisits(
            reader, len(seen), seen[0].occurred_at, seen[-1].occurred_at, seen[-1].lat, seen[-1].lon
        )
        for reader, seen in grouped.items()
    ]
    readers.sort(key=lambda v: (-v.count, v.reader_id))
    return TravelPattern(plate, reads, readers, by_hour, by_weekday, tz)


def co_travellers(
    store: PlateReadStore,
    plate: str,
    k: int = 2,
    window_s: float = 60.0,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[CoTraveller]:
    """Plates seen with the target at ≥ k distinct readers within ±window_s, best first."""
    plate = target_plate(plate)
    if not 1 <= k <= MAX_K:
        raise SearchError("k", "out_of_range", f"must be between 1 and {MAX_K}")
    if not 0 < window_s <= MAX_WINDOW_S:
        raise SearchError("window_s", "out_of_range", f"must be in (0, {MAX_WINDOW_S}] seconds")
    target_id = store.plate_id(plate)
    if target_id is None:
        return []
    reads = store.reads_of([target_id], since, until)
    delta = timedelta(seconds=window_s)
    met: dict[int, _Meetings] = defaultdict(_Meetings)
    for read in reads[:MAX_TARGET_READS]:
        start, end = read.occurred_at - delta, read.occurred_at + delta
        for other, at in store.reads_at_reader(read.reader_id, start, end):
            if other != target_id:
                meeting = met[other]
                meeting.readers.add(read.reader_id)
                meeting.times.add(at)
    companions = {pid: m for pid, m in met.items() if len(m.readers) >= k}
    if not companions:
        return []
    info = store.plate_info(list(companions))
    found = []
    for pid, meeting in companions.items():
        text, total = info[pid]
        total = max(total, len(meeting.times))
        rarity = math.sqrt(len(meeting.times) / total)
        found.append(
            CoTraveller(
                text,
                sorted(meeting.readers),
                len(meeting.times),
                total,
                round(len(meeting.readers) * rarity, 4),
                min(meeting.times),
                max(meeting.times),
            )
        )
    found.sort(key=lambda c: (-c.score, -len(c.readers), c.plate))
    return found
