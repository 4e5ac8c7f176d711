"""Plate search: exact, wildcard/substring and fuzzy, over a time window and an area.

Syntax (docs/lpr.md): in `wildcard` mode (the default) a pattern without wildcards is a
substring search (`AB12` finds 7AB123); with `?` (one character) or `*` (any run) it must
match the whole plate (`7AB?12*`); a leading `=` asks for the exact plate (`=7AB123`), as
does `exact` mode. `fuzzy` mode ranks plates by the confusion-weighted edit distance
(`plate_distance`, ≤ 1 by default), so a read of 7A8I23 is found for 7AB123. Spaces and
dashes are ignored, letters are upper-cased. Every search needs at least 2 letters or
digits side by side; a pattern that would match too many distinct plates is refused with
the count, so no pattern turns into a scan of every read. The store counts the matching
reads and builds only the page shown (`PlateReadStore.newest_reads`).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rtcc.analysis.plate_index import LivePlateIndex, fuzzy_gram_size
from rtcc.analysis.plate_text import normalize_plate
from rtcc.core.errors import FieldError
from rtcc.core.geo import bbox_around
from rtcc.storage.base import LatLonBox, PlateReadRow, PlateReadStore
from rtcc.storage.lpr import Circle

MAX_PATTERN = 10
#: Reads shown when the caller does not say (the API's default page).
DEFAULT_LIMIT = 500
#: A search may reach at most this many distinct plates (the store seeks each one).
MAX_PLATES = 20_000
#: A 2-character pattern is answered only when it is this selective.
MAX_PLATES_SHORT = 2_000
MAX_FUZZY_DISTANCE = 2.0
_ALLOWED = re.compile(r"^=?[A-Z0-9?*]+$")


class SearchMode(StrEnum):
    EXACT = "exact"
    WILDCARD = "wildcard"
    FUZZY = "fuzzy"


class SearchError(FieldError):
    """A search that cannot run: names the field and a machine reason."""


@dataclass(frozen=True, slots=True)
class PlatePattern:
    """A parsed pattern: the literal runs the index looks up and the full-plate regex."""

    text: str
    mode: SearchMode
    runs: tuple[str, ...]
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Area:
    """A box (min_lat, max_lat, min_lon, max_lon), optionally a circle inside it."""

    box: LatLonBox
    centre: tuple[float, float] | None = None
    radius_m: float | None = None

    @classmethod
    def circle(cls, lat: float, lon: float, radius_m: float) -> "Area":
        return cls(bbox_around(lat, lon, radius_m), (lat, lon), radius_m)

    @property
    def ring(self) -> Circle | None:
        """The circle the store tests exactly (great-circle distance) inside the box."""
        if self.centre is None or self.radius_m is None:
            return None
        return (self.centre[0], self.centre[1], self.radius_m)


@dataclass(frozen=True, slots=True)
class SearchResult:
    reads: list[PlateReadRow]  # at most `limit`: closest first (fuzzy), then newest first
    total: int  # matching reads in the window and area
    plates: int  # distinct plates the pattern matched
    distances: dict[str, float]  # plate → weighted distance (0 unless fuzzy)


def parse_pattern(text: str, mode: SearchMode = SearchMode.WILDCARD) -> PlatePattern:
    """Upper-case, drop spaces and dashes, then check what the mode needs."""
    cleaned = re.sub(r"[\s\-]", "", text.upper())
    if not cleaned:
        raise SearchError("pattern", "empty", "is empty")
    if not _ALLOWED.match(cleaned):
        bad = next(ch for ch in cleaned if not (ch.isascii() and (ch.isalnum() or ch in "?*=")))
        raise SearchError("pattern", "bad_character", f"{bad!r} is not a letter, digit, '?' or '*'")
    exact = cleaned.startswith("=") or mode is SearchMode.EXACT
    body = cleaned.lstrip("=")
    literals = re.sub(r"[?*]", "", body)
    if len(literals) < 2:
        raise SearchError("pattern", "too_short", "needs at least 2 letters or digits")
    if len(body.replace("*", "")) > MAX_PATTERN:
        raise SearchError("pattern", "too_long", f"longer than {MAX_PATTERN} characters")
    wild = any(ch in body for ch in "?*")
    if wild and mode is not SearchMode.WILDCARD:
        raise SearchError("pattern", "wildcard_in_mode", "'?' and '*' need mode=wildcard")
    if exact:
        if wild:
            raise SearchError("pattern", "wildcard_in_exact", "an exact plate has no '?' or '*'")
        plate = normalize_plate(body)
        return PlatePattern(plate, SearchMode.EXACT, (plate,), re.compile(re.escape(plate)))
    runs = tuple(run for run in re.split(r"[?*]+", body) if run)
    if not any(len(run) >= 2 for run in runs):
        raise SearchError(
            "pattern", "no_adjacent", "needs 2 letters or digits side by side (e.g. 7A?1*)"
        )
    if mode is SearchMode.FUZZY:
        if fuzzy_gram_size(len(body), 1) == 0:
            raise SearchError("pattern", "too_short", "fuzzy search needs at least 4 characters")
        return PlatePattern(body, mode, (body,), re.compile(re.escape(body)))
    if wild:
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else ch for ch in body)
    else:
        regex = f".*{body}.*"
    return PlatePattern(
        body, SearchMode.WILDCARD, tuple(r for r in runs if len(r) >= 2), re.compile(regex)
    )


class PlateSearch:
    """Finds the matching distinct plates in the in-memory index, then their reads."""

    def __init__(self, store: PlateReadStore, index: LivePlateIndex | None = None) -> None:
        self._store = store
        self.index = index if index is not None else LivePlateIndex(store)

    def matching_plates(
        self, pattern: PlatePattern, max_distance: float = 1.0
    ) -> list[tuple[int, str, float]]:
        """(plate id, plate, distance) of every distinct plate the pattern matches."""
        if pattern.mode is SearchMode.EXACT:
            plate_id = self._store.plate_id(pattern.text)
            return [] if plate_id is None else [(plate_id, pattern.text, 0.0)]
        if pattern.mode is SearchMode.FUZZY:
            if not 0 < max_distance <= MAX_FUZZY_DISTANCE:
                raise SearchError(
                    "max_distance", "out_of_range", f"must be in (0, {MAX_FUZZY_DISTANCE}]"
                )
            if fuzzy_gram_size(len(pattern.text), int(max_distance)) == 0:
                raise SearchError(
                    "max_distance", "too_far", f"too far for a {len(pattern.text)}-character plate"
                )
            return self.index.near(pattern.text, max_distance)
        self._refuse_broad(pattern)
        return [(i, t, 0.0) for i, t in self.index.matching(pattern.runs, pattern.regex)]

    def _refuse_broad(self, pattern: PlatePattern) -> None:
        """A 2-character search is answered only when selective; nothing reaches every plate."""
        longest = max(len(run) for run in pattern.runs)
        cap = MAX_PLATES_SHORT if longest < 3 else MAX_PLATES
        count = self.index.count_containing(pattern.runs)
        if count > cap:
            raise SearchError(
                "pattern",
                "too_broad",
                f"{pattern.text!r} matches {count:,} distinct plates (at most {cap:,}): "
                "add characters, or narrow with wildcards",
            )

    def search(
        self,
        pattern: PlatePattern,
        since: datetime | None = None,
        until: datetime | None = None,
        area: Area | None = None,
        limit: int | None = DEFAULT_LIMIT,
        max_distance: float = 1.0,
    ) -> SearchResult:
        """All matching reads counted; the first `limit` returned (closest, then newest).

        Fuzzy plates are asked for one distance at a time, closest first, each filling
        what is left of the page: the same order as sorting every read by distance."""
        if since is not None and until is not None and since > until:
            raise SearchError("since", "after_until", "is after 'until'")
        plates = self.matching_plates(pattern, max_distance)
        box = area.box if area is not None else None
        circle = area.ring if area is not None else None
        distances = {plate: d for _, plate, d in plates}
        shown: list[PlateReadRow] = []
        total = 0
        for ids in _by_distance(plates, pattern.mode is SearchMode.FUZZY):
            left = None if limit is None else max(0, limit - len(shown))
            page = self._store.newest_reads(ids, since, until, box, circle, left)
            total += page.total
            shown += page.reads
        return SearchResult(shown, total, len(plates), distances)


def _by_distance(plates: list[tuple[int, str, float]], fuzzy: bool) -> list[list[int]]:
    """Plate ids grouped by distance, closest first (one group unless fuzzy)."""
    if not fuzzy:
        return [[plate_id for plate_id, _, _ in plates]] if plates else []
    groups: dict[float, list[int]] = {}
    for plate_id, _, distance in plates:
        groups.setdefault(distance, []).append(plate_id)
    return [groups[d] for d in sorted(groups)]
