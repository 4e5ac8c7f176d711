"""Plate search: substring, wildcards, exact, fuzzy with look-alikes, window, area, refusals."""

import itertools
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from rtcc.analysis import plate_search
from rtcc.analysis.plate_index import LivePlateIndex, PlateIndex
from rtcc.analysis.plate_search import (
    Area,
    PlatePattern,
    PlateSearch,
    SearchError,
    SearchMode,
    parse_pattern,
)
from rtcc.analysis.plate_text import plate_distance
from rtcc.core.geo import offset_m
from rtcc.storage.base import PlateReadRow, Storage
from rtcc.storage.lpr import ReadPage, in_circle
from tests.storage.test_plate_reads import T0, lpr_read, store_reads

PLATES = ["7AB123", "7AB3124", "7AC123", "XAB129", "17AB312", "7AB12", "ABC1234", "7A8I23"]


@pytest.fixture
def storage(backend: Storage) -> Storage:
    store_reads(backend, [lpr_read(p, at=T0 + timedelta(minutes=i)) for i, p in enumerate(PLATES)])
    return backend


def _plates(storage: Storage, pattern: str, mode: SearchMode = SearchMode.WILDCARD) -> set[str]:
    result = PlateSearch(storage.plate_reads).search(parse_pattern(pattern, mode))
    return {read.plate for read in result.reads}


def test_a_pattern_without_wildcards_is_a_substring(storage: Storage) -> None:
    assert _plates(storage, "ab12") == {"7AB123", "XAB129", "7AB12"}
    assert _plates(storage, "B31") == {"7AB3124", "17AB312"}
    assert _plates(storage, "7a-b 1") == {"7AB123", "7AB12"}


def test_wildcards_match_the_whole_plate(storage: Storage) -> None:
    assert _plates(storage, "7AB?12*") == {"7AB3124"}
    assert _plates(storage, "7AB1*") == {"7AB123", "7AB12"}
    assert _plates(storage, "*AB?12*") == {"7AB3124", "17AB312", "ABC1234"}
    assert _plates(storage, "??B12?") == {"7AB123", "XAB129"}


def test_exact_finds_only_that_plate(storage: Storage) -> None:
    assert _plates(storage, "=7AB12") == {"7AB12"}
    assert _plates(storage, "7ab123", SearchMode.EXACT) == {"7AB123"}
    assert _plates(storage, "=7ZZ999") == set()


def test_fuzzy_finds_look_alikes_first_then_one_edit(storage: Storage) -> None:
    result = PlateSearch(storage.plate_reads).search(parse_pattern("7AB123", SearchMode.FUZZY))
    ranked = [(r.plate, result.distances[r.plate]) for r in result.reads]
    # 7A8I23: B→8 and 1→I are look-alikes (0.25 each); 7AC123 and 7AB12 are one full edit.
    assert ranked == [("7AB123", 0.0), ("7A8I23", 0.5), ("7AB12", 1.0), ("7AC123", 1.0)]
    strict = PlateSearch(storage.plate_reads).search(
        parse_pattern("7AB123", SearchMode.FUZZY), max_distance=0.5
    )
    assert [r.plate for r in strict.reads] == ["7AB123", "7A8I23"]


def test_time_window_and_area_filter_the_reads(backend: Storage) -> None:
    storage = backend
    store_reads(
        storage,
        [
            lpr_read("7AB123", at=T0, lat=39.9612, lon=-82.9988),
            lpr_read("7AB123", at=T0 + timedelta(hours=2), lat=39.9612, lon=-82.9988),
            lpr_read("7AB123", at=T0 + timedelta(hours=3), lat=40.2, lon=-83.3),
        ],
    )
    search = PlateSearch(storage.plate_reads)
    pattern = parse_pattern("AB1")
    windowed = search.search(pattern, since=T0 + timedelta(hours=1))
    assert [r.occurred_at for r in windowed.reads] == [
        T0 + timedelta(hours=3),
        T0 + timedelta(hours=2),
    ]
    near = search.search(pattern, area=Area.circle(39.9612, -82.9988, 500))
    assert near.total == 2 and all(r.lat == 39.9612 for r in near.reads)
    boxed = search.search(pattern, area=Area((40.0, 40.5, -83.5, -83.0)))
    assert [r.lat for r in boxed.reads] == [40.2]
    with pytest.raises(SearchError, match="since"):
        search.search(pattern, since=T0 + timedelta(hours=1), until=T0)


def test_limit_returns_the_newest_and_counts_all(storage: Storage) -> None:
    result = PlateSearch(storage.plate_reads).search(parse_pattern("7A"), limit=2)
    assert result.total == 6 and len(result.reads) == 2
    assert [r.plate for r in result.reads] == ["7A8I23", "7AB12"]


def _every_read_then_cut(
    search: PlateSearch,
    pattern: PlatePattern,
    since: datetime | None,
    area: Area | None,
    limit: int,
) -> tuple[int, list[PlateReadRow]]:
    """What search answered before the store counted: every read built, filtered, sorted
    (closest, then newest) and cut to `limit`."""
    plates = search.matching_plates(pattern)
    box = area.box if area is not None else None
    reads = search._store.reads_of([i for i, _, _ in plates], since, None, box)
    if area is not None and area.ring is not None:
        reads = [r for r in reads if in_circle(area.ring, r.lat, r.lon)]
    distance = {plate: d for _, plate, d in plates}
    reads.sort(key=lambda r: distance[r.plate])  # stable: newest first within a distance
    return len(reads), reads[:limit]


def test_total_and_page_are_what_every_read_cut_to_the_page_gave(backend: Storage) -> None:
    """300 reads of 40 look-alike plates, many at the same minute, scattered over 3 km:
    substring, wildcard and fuzzy searches with windows, boxes, circles and page sizes
    answer the same total and the same page as building every read and cutting it."""
    rng = random.Random(7)
    plates = [f"7AB{n:03d}" for n in range(20)] + [f"7A8{n:03d}" for n in range(20)]
    centre = (39.9612, -82.9988)
    items = []
    for i in range(300):
        north, east = rng.uniform(-1_500, 1_500), rng.uniform(-1_500, 1_500)
        at = T0 + timedelta(minutes=rng.randrange(60))
        spot = offset_m(*centre, north, east)
        items.append(lpr_read(rng.choice(plates), f"R{i % 9}", at, *spot, ref=f"r{i}"))
    store_reads(backend, items)
    search = PlateSearch(backend.plate_reads)
    areas = [None, Area.circle(*centre, 900), Area((39.955, 39.965, -83.01, -82.99))]
    patterns = [
        parse_pattern("7A"),
        parse_pattern("AB01"),
        parse_pattern("7A?0*"),
        parse_pattern("7AB012", SearchMode.FUZZY),
    ]
    for pattern, area, since, limit in itertools.product(
        patterns, areas, [None, T0 + timedelta(minutes=30)], [1, 7, 500]
    ):
        found = search.search(pattern, since=since, area=area, limit=limit)
        expected = _every_read_then_cut(search, pattern, since, area, limit)
        assert (found.total, found.reads) == expected, (pattern.text, area, since, limit)
    ring = areas[1]
    assert ring is not None
    assert (
        search.search(patterns[0], area=ring).total
        < search.search(patterns[0], area=Area(ring.box)).total
    )  # the circle cut reads its box held
    fuzzy = search.search(patterns[-1], limit=None)
    assert len({fuzzy.distances[r.plate] for r in fuzzy.reads}) > 1  # the pages span tiers


def test_search_builds_only_the_page(storage: Storage) -> None:
    """A broad pattern counts every read in the store and builds just `limit` rows."""
    store_reads(storage, [lpr_read("7AB123", at=T0 + timedelta(hours=h)) for h in range(1, 41)])
    built: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            if name == "reads_of":
                raise AssertionError("search fetched every read")
            return getattr(storage.plate_reads, name)

        def newest_reads(self, *args: object, **kwargs: object) -> ReadPage:
            page = storage.plate_reads.newest_reads(*args, **kwargs)  # type: ignore[arg-type]
            built.append(len(page.reads))
            return page

    result = PlateSearch(Counting()).search(parse_pattern("7A"), limit=3)  # type: ignore[arg-type]
    assert (result.total, len(result.reads), built) == (46, 3, [3])
    assert result.reads[0].occurred_at == T0 + timedelta(hours=40)


@pytest.mark.parametrize(
    ("pattern", "mode", "reason"),
    [
        ("", SearchMode.WILDCARD, "empty"),
        ("A", SearchMode.WILDCARD, "too_short"),
        ("A?B*", SearchMode.WILDCARD, "no_adjacent"),
        ("7AB#1", SearchMode.WILDCARD, "bad_character"),
        ("7ABÄ1", SearchMode.WILDCARD, "bad_character"),
        ("12345678901", SearchMode.WILDCARD, "too_long"),
        ("=7AB?", SearchMode.WILDCARD, "wildcard_in_exact"),
        ("7AB*", SearchMode.FUZZY, "wildcard_in_mode"),
        ("ABC", SearchMode.FUZZY, "too_short"),
    ],
)
def test_bad_patterns_are_refused_naming_field_and_reason(
    pattern: str, mode: SearchMode, reason: str
) -> None:
    with pytest.raises(SearchError) as refused:
        parse_pattern(pattern, mode)
    assert (refused.value.field, refused.value.reason) == ("pattern", reason)
    assert str(refused.value).startswith("pattern: ")


def test_the_message_says_what_is_missing() -> None:
    with pytest.raises(SearchError, match="pattern: needs at least 2 letters or digits"):
        parse_pattern("7")


def test_two_characters_are_answered_when_selective_else_refused(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _plates(storage, "XA") == {"XAB129"}
    monkeypatch.setattr(plate_search, "MAX_PLATES_SHORT", 3)
    with pytest.raises(SearchError) as refused:
        _plates(storage, "AB")
    assert refused.value.reason == "too_broad" and "matches 6 distinct plates" in str(refused.value)
    assert _plates(storage, "XA") == {"XAB129"}


def test_fuzzy_distance_out_of_range_is_refused(storage: Storage) -> None:
    search = PlateSearch(storage.plate_reads)
    with pytest.raises(SearchError) as refused:
        search.search(parse_pattern("7AB123", SearchMode.FUZZY), max_distance=3)
    assert refused.value.field == "max_distance"
    with pytest.raises(SearchError, match="too far"):
        search.search(parse_pattern("7AB1", SearchMode.FUZZY), max_distance=2)


def test_plates_read_after_the_index_was_built_are_found(storage: Storage) -> None:
    index = LivePlateIndex(storage.plate_reads, rebuild_after=1)
    search = PlateSearch(storage.plate_reads, index)
    assert _count(search, "QQ9") == 0
    store_reads(storage, [lpr_read("QQ9876", ref="late-1")])
    assert _count(search, "QQ9") == 1  # from the delta list
    store_reads(storage, [lpr_read("QQ9877", ref="late-2"), lpr_read("QQ9878", ref="late-3")])
    assert _count(search, "QQ9") == 3  # the delta outgrew 1: rebuilt
    assert len(index.refresh()[0]) == len(PLATES) + 3


def _count(search: PlateSearch, pattern: str) -> int:
    return search.search(parse_pattern(pattern)).plates


def _random_plates(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters, digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
    shapes = ["DLLLDDD", "LLLDDDD", "DDDLLL", "LLDDDD", "DLLDD"]
    found = set()
    while len(found) < n:
        shape = rng.choice(shapes)
        found.add("".join(rng.choice(digits if c == "D" else letters) for c in shape))
    return sorted(found)


def test_the_index_agrees_with_a_scan_of_every_plate() -> None:
    """Substring, wildcard and fuzzy answers equal brute force over 4,000 random plates."""
    plates = _random_plates(4_000, seed=5)
    index = PlateIndex(list(range(1, len(plates) + 1)), plates)
    rng = random.Random(9)
    for _ in range(60):
        plate = rng.choice(plates)
        start = rng.randrange(len(plate) - 1)
        sub = plate[start : start + rng.randint(2, 4)]
        got = {t for _, t in index.matching([sub], re.compile(f".*{sub}.*"))}
        assert got == {p for p in plates if sub in p}, sub
        glob = "*" + plate[1:3] + "?" + plate[4:]
        rx = re.compile(".*" + plate[1:3] + "." + plate[4:])
        got = {t for _, t in index.matching([plate[1:3], plate[4:]], rx)}
        assert got == {p for p in plates if rx.fullmatch(p)}, glob
        noisy = plate[:2] + rng.choice("08B5S") + plate[3:]
        near = {t: d for _, t, d in index.near(noisy, 1.0)}
        assert near == {
            p: plate_distance(noisy, p) for p in plates if plate_distance(noisy, p) <= 1
        }


def test_real_openalpr_plates_are_found_exactly_partly_and_misread(
    shared_data: Path, backend: Storage
) -> None:
    """Ground-truth plate texts of the OpenALPR US benchmark photos, ingested as reads."""
    truth = sorted((shared_data / "lpr" / "openalpr_endtoend" / "us").glob("*.txt"))
    plates = sorted({line.split()[-1] for f in truth for line in f.read_text().splitlines()})
    assert len(plates) >= 40
    storage = backend
    store_reads(storage, [lpr_read(p, ref=f"alpr-{i}") for i, p in enumerate(plates)])
    search = PlateSearch(storage.plate_reads)
    swap = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5"}
    for plate in plates:
        exact = search.search(parse_pattern(plate, SearchMode.EXACT))
        assert [r.plate for r in exact.reads] == [plate]
        middle = plate[1:4]
        found = {r.plate for r in search.search(parse_pattern(middle)).reads}
        assert found == {p for p in plates if middle in p}
        misread = "".join(swap.get(ch, ch) for ch in plate)  # every look-alike swapped
        fuzzy = search.search(parse_pattern(misread, SearchMode.FUZZY), max_distance=1.0)
        expected = {p for p in plates if plate_distance(misread, p) <= 1.0}
        assert {r.plate for r in fuzzy.reads} == expected
        if sum(ch in swap for ch in plate) <= 4:
            assert plate in expected
