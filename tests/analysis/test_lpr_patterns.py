"""Travel pattern of a plate, and the plates that travel with it (co-travel score)."""

from datetime import timedelta
from typing import Any

import pytest

from rtcc.analysis.lpr_patterns import co_travellers, travel_pattern
from rtcc.analysis.plate_search import SearchError
from rtcc.storage.base import Storage
from tests.storage.test_plate_reads import T0, lpr_read, store_reads

ROUTE = [("R1", 0), ("R2", 600), ("R3", 1200)]  # the target's drive: reader, seconds after T0


def _at(seconds: float) -> Any:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def storage(backend: Storage) -> Storage:
    items = []
    for reader, t in ROUTE:
        items.append(lpr_read("TGT100", reader, _at(t)))
        items.append(lpr_read("CMP200", reader, _at(t + 20)))  # right behind, all the way
    items.append(lpr_read("BUS300", "R1", _at(-30)))  # a bus: at R1 and R2 by chance,
    items.append(lpr_read("BUS300", "R2", _at(630)))
    items += [lpr_read("BUS300", f"R{9 + i % 5}", _at(5000 + 300 * i)) for i in range(30)]
    items.append(lpr_read("ONE400", "R1", _at(10)))  # once, beside the target
    items.append(lpr_read("LATE500", "R2", _at(600 + 300)))  # same reader, 5 min later
    items.append(lpr_read("LATE500", "R3", _at(1200 + 300)))
    store_reads(backend, items)
    return backend


def test_co_travellers_need_k_readers_within_the_window(storage: Storage) -> None:
    found = co_travellers(storage.plate_reads, "TGT100", k=2, window_s=60)
    assert [c.plate for c in found] == ["CMP200", "BUS300"]
    companion, bus = found
    assert companion.readers == ["R1", "R2", "R3"] and companion.co_reads == 3
    assert companion.total_reads == 3 and companion.score == pytest.approx(3.0)
    # The bus met the target twice out of 32 reads: rarity √(2/32) = 0.25.
    assert bus.readers == ["R1", "R2"] and bus.total_reads == 32
    assert bus.score == pytest.approx(2 * 0.25)
    assert (companion.first_seen, companion.last_seen) == (_at(20), _at(1220))


def test_a_wider_window_or_lower_k_admits_more(storage: Storage) -> None:
    wide = {c.plate for c in co_travellers(storage.plate_reads, "tgt-100", k=2, window_s=400)}
    assert wide == {"CMP200", "BUS300", "LATE500"}
    one = {c.plate for c in co_travellers(storage.plate_reads, "TGT100", k=1, window_s=60)}
    assert one == {"CMP200", "BUS300", "ONE400"}
    three = [c.plate for c in co_travellers(storage.plate_reads, "TGT100", k=3, window_s=60)]
    assert three == ["CMP200"]


def test_co_travel_of_an_unknown_plate_is_empty(storage: Storage) -> None:
    assert co_travellers(storage.plate_reads, "NOPE1") == []


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"k": 0}, "k"), ({"window_s": 0}, "window_s"), ({"k": 21}, "k")]
)
def test_co_travel_bounds_are_named(storage: Storage, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(SearchError) as refused:
        co_travellers(storage.plate_reads, "TGT100", **kwargs)
    assert refused.value.field == field


def test_travel_pattern_groups_reads_by_reader_hour_and_weekday(storage: Storage) -> None:
    found = travel_pattern(storage.plate_reads, "BUS300")
    assert len(found.reads) == 32
    assert [r.occurred_at for r in found.reads] == sorted(r.occurred_at for r in found.reads)
    assert sum(found.by_hour) == 32 and sum(found.by_weekday) == 32
    top = found.readers[0]
    assert (top.reader_id, top.count) == ("R10", 6)  # ties: by reader id
    assert {v.reader_id for v in found.readers} == {"R1", "R2", "R9", "R10", "R11", "R12", "R13"}
    # T0 is Wednesday 2026-11-25 20:00 UTC: 15:00 in New York, same day.
    target = travel_pattern(storage.plate_reads, "TGT100", tz="America/New_York")
    assert target.by_hour[15] == 3 and target.by_weekday[2] == 3
    utc = travel_pattern(storage.plate_reads, "TGT100")
    assert utc.by_hour[20] == 3


def test_travel_pattern_window_and_bad_input(storage: Storage) -> None:
    window = travel_pattern(storage.plate_reads, "TGT100", since=_at(300), until=_at(900))
    assert [r.reader_id for r in window.reads] == ["R2"]
    assert travel_pattern(storage.plate_reads, "NOPE1").reads == []
    with pytest.raises(SearchError) as refused:
        travel_pattern(storage.plate_reads, "TGT100", tz="Mars/Olympus")
    assert refused.value.field == "tz"
    with pytest.raises(SearchError) as bad:
        travel_pattern(storage.plate_reads, "--")
    assert bad.value.field == "plate"
