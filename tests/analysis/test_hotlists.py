"""Hotlists: NCIC/WA/SFR parsing with line errors, refresh, expiry, four-eyes approval,
look-alike and state-aware matching, stale-hit suppression counted."""

import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rtcc.analysis.hotlists.hits import record_matches
from rtcc.analysis.hotlists.importing import import_file
from rtcc.analysis.hotlists.matching import STALE_ENTRY, HotlistIndex, LiveIndex
from rtcc.analysis.hotlists.models import HotlistError, NewEntry
from rtcc.analysis.hotlists.ncic import parse_file
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.core.payloads import LprRead
from rtcc.storage.base import Storage
from rtcc.storage.sqlite import SqliteStorage
from tests.storage.test_geofence_store import same_database

FIXTURES = Path(__file__).parent / "fixtures" / "hotlists"
FAR = datetime(2099, 1, 1, tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


def parse(name: str, fmt: str = "ncic") -> tuple[dict[str, NewEntry], dict[int, str]]:
    parsed = parse_file((FIXTURES / name).read_bytes(), name, fmt, FAR)  # type: ignore[arg-type]
    assert all(error.file == name for error in parsed.errors)
    return {e.plate: e for e in parsed.entries}, {e.line: e.reason for e in parsed.errors}


def test_national_extract_loads_good_lines_and_names_each_bad_one() -> None:
    entries, errors = parse("ncic_national.txt")
    assert sorted(entries) == ["NOST8TE", "SO8IL2", "TST1001", "TST1002", "TST1007"]
    assert sorted(errors) == [5, 6, 7, 9, 10]
    assert "unknown list type code 'Q'" in errors[5]
    assert "incident date" in errors[6] and "'2026113X'" in errors[6]
    assert "at least 39" in errors[7]
    assert "plate state" in errors[9] and "'9X'" in errors[9]
    assert "duplicate of line 2" in errors[10]
    stolen = entries["TST1001"]
    assert (stolen.state, stolen.list_type, stolen.case_number) == (
        "OH",
        "Stolen Vehicle",
        "123456789OH0250000",
    )
    assert stolen.reason == "NCIC Stolen Vehicle, entered 2026-11-01"
    assert stolen.vehicle == "2019 HOND CIV BLK"
    assert entries["TST1002"].list_type == "Stolen Plate"  # "TST-1002": dash stripped
    assert entries["TST1007"].state == "OH"  # digit 0 in the state read as letter O
    assert entries["NOST8TE"].vehicle is None  # a 39-character record has no vehicle fields


def test_wa_variant_reads_the_list_type_at_offset_two() -> None:
    entries, errors = parse("wa_ncic.txt", "wa")
    assert {p: e.list_type for p, e in entries.items()} == {
        "WTS3001": "Stolen Vehicle",
        "WTS3002": "Missing Person",
    }
    assert entries["WTS3001"].owner == "WA NCIC"
    assert list(errors) == [4] and "column 3" in errors[4]


def test_sfr_table_with_header_records_and_trailer() -> None:
    entries, errors = parse("sfr.tbl", "sfr")
    assert {p: e.state for p, e in entries.items()} == {"SFR4001": "CA", "SFR4002": "NV"}
    assert entries["SFR4001"].list_type == "SFR code 01"
    assert sorted(errors) == [4, 5]  # a space in the plate; a bad date
    _, truncated = parse("sfr_bad_trailer.tbl", "sfr")
    assert truncated == {3: "trailer counts 3 records, the file has 1"}


def test_empty_file_non_ascii_line_and_missing_trailer_are_reported() -> None:
    assert [str(e) for e in parse_file(b"", "x.txt", "ncic", FAR).errors] == [
        "x.txt:1: empty file: no header line"
    ]
    data = b"HEADER\n" + "V123456789OH025000020261101TÉST1    OH".encode() + b"\n"
    assert [str(e) for e in parse_file(data, "x.txt", "ncic", FAR).errors] == [
        "x.txt:2: not ASCII text"
    ]
    no_trailer = parse_file(b"DATE11/28/2026 09:00\nAB1 CA0120261127\n", "s.tbl", "sfr", FAR)
    assert [e.line for e in no_trailer.errors] == [2]
    assert "truncated" in no_trailer.errors[0].reason


def test_reimport_refreshes_the_list(storage: Storage) -> None:
    store = storage.hotlists
    data = (FIXTURES / "ncic_national.txt").read_bytes()
    first = import_file(store, "ncic", "ncic_national.txt", data, "ncic", "ana")
    assert (first.loaded, first.removed, len(first.errors)) == (5, 0, 5)
    kept_id = next(e.id for e in store.entries("ncic") if e.plate == "TST1001")
    refresh = (FIXTURES / "ncic_national_refresh.txt").read_bytes()
    second = import_file(store, "ncic", "refresh.txt", refresh, "ncic", "ana")
    assert (second.loaded, second.removed) == (2, 4)
    entries = {e.plate: e for e in store.entries("ncic")}
    assert sorted(entries) == ["TST1001", "TST2001"]
    assert entries["TST1001"].id == kept_id  # same entry, re-confirmed by the refresh
    assert entries["TST1001"].seen_at == second.refreshed_at
    hotlist = store.get_list("ncic")
    assert hotlist is not None and hotlist.refreshed_at == second.refreshed_at > first.refreshed_at
    assert entries["TST1001"].approved_by == "NCIC"


def test_files_do_not_import_into_a_custom_list(storage: Storage) -> None:
    storage.hotlists.create_list("gang-unit", "custom", now())
    with pytest.raises(HotlistError, match="custom list"):
        import_file(storage.hotlists, "gang-unit", "f.txt", b"HDR\n", "ncic", "ana")


def custom(plate: str, state: str | None = "OH", expires: datetime = FAR) -> NewEntry:
    return NewEntry(
        plate, state, "Custom", "burglary suspect vehicle", "26-004411", "det. ray", expires
    )


def test_custom_entries_need_a_second_person(storage: Storage) -> None:
    store = storage.hotlists
    store.create_list("burglary", "custom", now())
    entry = store.add_entry("burglary", custom("ABC1234"), "alice", now())
    assert entry.status == "pending" and store.approved_entries() == []
    assert LiveIndex(store).current().match("ABC1234", "OH", now()).matches == []
    with pytest.raises(HotlistError) as own:
        store.decide_entry(entry.id, True, "alice", now())
    assert own.value.field == "approved_by"
    with pytest.raises(HotlistError, match="needs a reason"):
        store.decide_entry(entry.id, False, "bob", now())
    decided_at = now()
    approved = store.decide_entry(entry.id, True, "bob", decided_at)
    assert approved is not None
    assert (approved.status, approved.approved_by, approved.decided_at) == (
        "approved",
        "bob",
        decided_at,
    )
    assert len(LiveIndex(store).current().match("ABC1234", "OH", now()).matches) == 1
    with pytest.raises(HotlistError, match="already approved by bob"):
        store.decide_entry(entry.id, False, "carol", now(), "changed my mind")
    other = store.add_entry("burglary", custom("XYZ9876"), "alice", now())
    rejected = store.decide_entry(other.id, False, "bob", now(), "no case on file")
    assert rejected is not None and rejected.status == "rejected"
    assert rejected.reject_reason == "no case on file" and rejected.approved_by is None
    assert store.decide_entry("no-such-id", True, "bob", now()) is None


def approved_index(storage: Storage, *entries: NewEntry) -> HotlistIndex:
    store = storage.hotlists
    if store.get_list("watch") is None:
        store.create_list("watch", "custom", now() - timedelta(days=1))
    for new in entries:
        added = store.add_entry("watch", new, "alice", now())
        store.decide_entry(added.id, True, "bob", now())
    return LiveIndex(store).current()


def test_expired_entries_stop_matching(storage: Storage) -> None:
    expires = now() + timedelta(hours=1)
    index = approved_index(storage, custom("EXP1234", expires=expires))
    assert len(index.match("EXP1234", "OH", expires - timedelta(seconds=1)).matches) == 1
    assert index.match("EXP1234", "OH", expires).matches == []
    assert index.match("EXP1234", "OH", expires).suppressed == []


def test_imported_entries_expire_unless_refreshed(storage: Storage) -> None:
    data = (FIXTURES / "ncic_national.txt").read_bytes()
    import_file(storage.hotlists, "ncic", "n.txt", data, "ncic", "ana", valid_days=2)
    index = LiveIndex(storage.hotlists).current()
    assert len(index.match("TST1001", "OH", now()).matches) == 1
    assert index.match("TST1001", "OH", now() + timedelta(days=2, minutes=1)).matches == []


def test_lookalike_match_is_flagged_with_the_differing_positions(storage: Storage) -> None:
    index = approved_index(storage, custom("SO8IL2"))
    exact = index.match("SO8IL2", "OH", now()).matches
    assert [(m.lookalike, m.positions) for m in exact] == [(False, ())]
    misread = index.match("50B112", "OH", now()).matches
    assert [(m.lookalike, m.positions) for m in misread] == [(True, (0, 1, 2, 3, 4))]
    assert index.match("SO8IL3", "OH", now()).matches == []  # 3 is nobody's look-alike
    assert index.match("so8-il2", None, now()).matches[0].lookalike is False  # normalised


def test_state_rules(storage: Storage) -> None:
    index = approved_index(storage, custom("OHI0001", "OH"), custom("ANY0001", None))
    assert len(index.match("OHI0001", "OH", now()).matches) == 1
    assert len(index.match("OHI0001", None, now()).matches) == 1  # reader missed the state
    assert index.match("OHI0001", "PA", now()).matches == []  # a different state: no match
    assert len(index.match("ANY0001", "PA", now()).matches) == 1  # entry without a state


def lpr_event(plate: str, state: str | None = "OH", hotlist: str | None = None) -> Event:
    item = EVENT_IN_ADAPTER.validate_python(
        {
            "kind": "lpr_read",
            "id": f"r-{plate}",
            "occurred_at": now().isoformat(),
            "location": {"lat": 39.96, "lon": -83.0},
            "payload": {"reader_id": "LPR-7", "plate": plate, "plate_state": state,
                        "hotlist": hotlist, "image_ref": "https://img.example/r.jpg"},
        }
    )  # fmt: skip
    return event_from_wire(item, "lpr", now())


def test_hit_on_an_entry_older_than_the_last_refresh_is_suppressed_and_counted(
    storage: Storage,
) -> None:
    store = storage.hotlists
    data = (FIXTURES / "ncic_national.txt").read_bytes()
    import_file(store, "ncic", "n.txt", data, "ncic", "ana")
    before = store.approved_entries()  # an index built before the next refresh …
    import_file(store, "ncic", "r.txt", (FIXTURES / "ncic_national_refresh.txt").read_bytes(),
                "ncic", "ana")  # fmt: skip
    stale = HotlistIndex(before, store.lists())  # … still holds entries the refresh re-dated
    result = stale.match("TST1001", "OH", now())
    assert result.matches == [] and [s.reason for s in result.suppressed] == [STALE_ENTRY]
    event = lpr_event("TST1001")
    assert isinstance(event.payload, LprRead)
    assert record_matches(store, event, event.payload, result) == []
    record_matches(store, event, event.payload, stale.match("TST1001", None, now()))
    [count] = store.suppressed()
    assert (count.list_name, count.reason, count.count) == ("ncic", STALE_ENTRY, 2)
    assert "before the refresh of list ncic" in count.last_message
    # The current index (rebuilt on the store's revision change) has the fresh entry.
    assert len(LiveIndex(store).current().match("TST1001", "OH", now()).matches) == 1


def test_live_index_rebuilds_when_the_store_changes(storage: Storage) -> None:
    live = LiveIndex(storage.hotlists)
    assert len(live.current()) == 0
    import_file(storage.hotlists, "ncic", "n.txt", (FIXTURES / "ncic_national.txt").read_bytes(),
                "ncic", "ana")  # fmt: skip
    assert len(live.current()) == 5
    assert live.current() is live.current()  # no change, no rebuild


def test_a_change_made_through_another_storage_is_seen_by_this_matcher(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The revision lives in the database: a list imported by another process (here a
    second storage on the same database) rebuilds this process's index, at the latest
    when its cached revision is REVISION_TTL_S old (0 here: the next read)."""
    store_module = sys.modules[type(storage.hotlists).__module__]
    monkeypatch.setattr(store_module, "REVISION_TTL_S", -1.0)
    other = same_database(storage)
    try:
        live = LiveIndex(storage.hotlists)
        before = storage.hotlists.revision()
        assert len(live.current()) == 0
        import_file(other.hotlists, "ncic", "n.txt", (FIXTURES / "ncic_national.txt").read_bytes(),
                    "ncic", "ana")  # fmt: skip
        imported = storage.hotlists.revision()
        assert imported != before and len(live.current()) == 5
        other.hotlists.create_list("burglary", "custom", now())
        entry = other.hotlists.add_entry("burglary", custom("ABC1234"), "alice", now())
        pending = storage.hotlists.revision()
        assert pending != imported and len(live.current()) == 5  # pending: not matched
        other.hotlists.decide_entry(entry.id, True, "bob", now())
        assert storage.hotlists.revision() != pending and len(live.current()) == 6
    finally:
        other.close()


def test_two_processes_refreshing_one_list_at_once_both_succeed(pg_url: str) -> None:
    """PostgreSQL: the list row is locked for a refresh, so two refreshes of one list
    run one after the other instead of both inserting the same new entries."""
    from rtcc.storage.postgres import PostgresStorage

    data = (FIXTURES / "ncic_national.txt").read_bytes()
    stores = [PostgresStorage(pg_url, pool_size=2) for _ in range(3)]
    start, results, failures = threading.Barrier(len(stores)), [], []

    def refresh(storage: Storage) -> None:
        try:
            start.wait()
            results.append(import_file(storage.hotlists, "ncic", "n.txt", data, "ncic", "ana"))
        except Exception as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=refresh, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert failures == [] and sorted(r.loaded for r in results) == [5, 5, 5]
        assert len(stores[0].hotlists.entries("ncic")) == 5
    finally:
        for s in stores:
            s.close()


def database_url(storage: Storage) -> str:
    if isinstance(storage, SqliteStorage):
        return f"sqlite:///{storage.db.path}"
    from rtcc.storage.postgres import PostgresStorage

    assert isinstance(storage, PostgresStorage)
    return storage.db.url


def test_cli_import_prints_file_line_reason(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from rtcc.cli import app

    monkeypatch.setenv("RTCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RTCC_DATABASE_URL", database_url(storage))
    path = FIXTURES / "ncic_national.txt"
    result = CliRunner().invoke(app, ["hotlist", "import", str(path), "--list", "ncic"])
    assert result.exit_code == 1  # some lines refused, the rest loaded
    assert f"{path}:5: unknown list type code 'Q' at column 1" in result.output
    assert f"{path}:10: duplicate of line 2" in result.output
    assert "ncic: 5 loaded, 0 removed, 5 lines refused" in result.output
    stored = storage.hotlists.entries("ncic")
    assert len(stored) == 5
    wrong = CliRunner().invoke(
        app, ["hotlist", "import", str(path), "--list", "x", "--format", "csv"]
    )
    assert wrong.exit_code == 2 and "--format must be one of ncic, wa, sfr" in wrong.output
    clean = FIXTURES / "ncic_national_refresh.txt"
    again = CliRunner().invoke(app, ["hotlist", "import", str(clean), "--list", "ncic"])
    assert again.exit_code == 0 and "2 loaded, 4 removed, 0 lines refused" in again.output
