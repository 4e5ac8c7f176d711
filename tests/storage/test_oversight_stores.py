"""Oversight store contracts on both backends: 28 CFR Part 23 intelligence, partner sharing,
retention (purges with everything derived, holds, certificates, and on PostgreSQL the
VACUUM that reclaims what a purge deleted)."""

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rtcc.analysis.hotlists.models import Hit
from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.storage.base import AlertState, PurgedKind, Storage

T0 = datetime(2020, 3, 1, 12, 0, tzinfo=UTC)
FIVE_YEARS = timedelta(days=5 * 365 + 1)
CUTOFF = T0 + timedelta(days=30)
OLD, NEW = T0, T0 + timedelta(days=60)
CASE = "2020-000777"


def store(backend: Storage, items: list[dict[str, Any]]) -> list[Event]:
    events = [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", T0) for i in items]
    return backend.events.append(events).stored


def read(ref: str, plate: str, at: datetime) -> dict[str, Any]:
    return {
        "kind": "lpr_read",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": 41.88, "lon": -87.63, "accuracy_m": 10.0},
        "payload": {"reader_id": "R-7", "plate": plate, "plate_state": "IL"},
    }


def incident(ref: str, number: str, at: datetime) -> dict[str, Any]:
    return {
        "kind": "cad_incident",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": 41.881, "lon": -87.631, "accuracy_m": 20.0},
        "payload": {"incident_id": number, "status": "created", "call_type": "ROBBERY"},
    }


def database(backend: Storage) -> Any:
    """The backend's own database object (SQLite or PostgreSQL), for raw SQL checks."""
    return backend.db  # type: ignore[attr-defined]


def digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


# --- 28 CFR Part 23 intelligence -------------------------------------------------------


def test_intel_record_round_trips_and_lists_newest_first(backend: Storage) -> None:
    body = {"criminal_predicate": "trafficking", "source": {"reliability": "B"}}
    first = backend.intel.add("Subject A", body, "ana", T0, T0 + FIVE_YEARS)
    second = backend.intel.add("Subject B", {}, "ana", T0 + timedelta(days=1), T0 + FIVE_YEARS)
    assert backend.intel.get(first.id) == first
    assert first.body == body and first.validation_note == "submitted"
    assert (first.validated_at, first.validated_by) == (iso(T0), "ana")
    assert [r.id for r in backend.intel.recent(10)] == [second.id, first.id]
    assert [r.id for r in backend.intel.recent(1)] == [second.id]
    assert backend.intel.get("no-such-record") is None


def test_a_record_not_revalidated_in_five_years_is_purged(backend: Storage) -> None:
    intel = backend.intel
    old = intel.add("Old", {"n": 1}, "ana", T0, T0 + FIVE_YEARS)
    kept = intel.add("Kept", {"n": 2}, "ana", T0, T0 + FIVE_YEARS)
    review = T0 + timedelta(days=4 * 365)
    assert intel.revalidate(kept.id, "sup", "still active", review, review + FIVE_YEARS)
    assert not intel.revalidate("no-such-record", "sup", "x", review, review + FIVE_YEARS)
    intel.add_dissemination(old.id, {"recipient": "det. smith", "agency": "CPD"}, T0)
    after = T0 + FIVE_YEARS + timedelta(days=1)

    assert intel.overdue(T0 + FIVE_YEARS) == 0  # due is not yet past
    assert intel.overdue(after) == 1
    assert intel.purge_due(after) == [old.id]
    assert intel.get(old.id) is None and intel.overdue(after) == 0
    revalidated = intel.get(kept.id)
    assert revalidated is not None
    assert (revalidated.validated_by, revalidated.validation_note) == ("sup", "still active")
    assert revalidated.review_due == iso(review + FIVE_YEARS)
    assert intel.purge_due(after) == []
    # Who received the purged record, and when, outlives it.
    assert intel.disseminations(old.id) == [
        {"released_at": iso(T0), "recipient": "det. smith", "agency": "CPD"}
    ]


# --- partner sharing -------------------------------------------------------------------


def test_partners_and_their_shares(backend: Storage) -> None:
    sharing = backend.sharing
    sheriff = sharing.add_partner("county-sheriff", "County Sheriff", "PEM-1")
    sharing.add_partner("state-police", "State Police", "PEM-2")
    assert sharing.partner("county-sheriff") == sheriff
    assert sharing.partner("nobody") is None
    assert {p.id for p in sharing.partners()} == {"county-sheriff", "state-police"}

    area = {"type": "Polygon", "coordinates": [[[-87.7, 41.8], [-87.6, 41.8], [-87.6, 41.9]]]}
    until = T0 + timedelta(days=90)
    share = sharing.add_share(
        "county-sheriff", ["lpr_read", "gunshot"], area, ["stolen_vehicle"], until, "sup"
    )
    other = sharing.add_share(
        "state-police", ["gunshot"], area, ["crime_in_progress"], until, "sup"
    )
    assert (share.partner_id, share.kinds, share.area) == (
        "county-sheriff",
        ["lpr_read", "gunshot"],
        area,
    )
    assert (share.purposes, share.until, share.created_by) == (["stolen_vehicle"], until, "sup")
    assert share.revoked_at is None and other.id != share.id
    assert sharing.shares("county-sheriff") == [share]
    assert [s.id for s in sharing.shares()] == [share.id, other.id]

    assert sharing.revoke_share(share.id, T0)
    assert not sharing.revoke_share(share.id, T0 + timedelta(hours=1))  # already revoked
    assert not sharing.revoke_share(999_999, T0)
    assert sharing.shares("county-sheriff")[0].revoked_at == iso(T0)


def test_a_request_signature_is_good_once(backend: Storage) -> None:
    sharing = backend.sharing
    assert sharing.first_use_of_signature("sig-1", T0)
    assert not sharing.first_use_of_signature("sig-1", T0 + timedelta(minutes=1))  # replay
    assert sharing.first_use_of_signature("sig-2", T0 + timedelta(minutes=1))
    # Long after the request window, old signatures are swept (the request is stale anyway).
    assert sharing.first_use_of_signature("sig-1", T0 + timedelta(hours=2))


# --- retention -------------------------------------------------------------------------


def test_purge_events_removes_events_with_their_state_and_plate_index(backend: Storage) -> None:
    old1, old2, held, new, inc_old, inc_new = store(
        backend,
        [
            read("old-1", "EXPIRD1", OLD),
            read("old-2", "EXPIRD2", OLD + timedelta(hours=1)),
            read("old-held", "HELDPL8", OLD),
            read("new-1", "RECENT1", NEW),
            incident("inc-old", "2020-000001", OLD),
            incident("inc-new", "2020-000002", NEW),
        ],
    )
    retention = backend.retention
    assert sorted(retention.expired_event_ids("lpr_read", CUTOFF)) == sorted(
        [old1.id, old2.id, held.id]
    )
    purged = retention.purge_events("lpr_read", CUTOFF, frozenset({held.id}))
    assert purged == PurgedKind(
        kind="lpr_read",
        cutoff=iso(CUTOFF),
        count=2,
        oldest=iso(OLD),
        newest=iso(OLD + timedelta(hours=1)),
        held=1,
        ids_sha256=digest([old1.id, old2.id]),
    )
    assert backend.events.get_event(old1.id) is None and backend.events.get_event(old2.id) is None
    assert backend.events.get_event(held.id) is not None
    plates = backend.plate_reads
    assert plates.plate_id("EXPIRD1") is None and plates.plate_id("EXPIRD2") is None
    assert [p for _, p in plates.plates_since(0)] == ["HELDPL8", "RECENT1"]
    assert plates.count_reads() == 2

    by_incident = retention.purge_events("cad_incident", CUTOFF, frozenset())
    assert (by_incident.count, by_incident.held) == (1, 0)
    assert backend.events.entity("incident:2020-000001") is None
    assert backend.events.entity("incident:2020-000002") is not None
    assert backend.events.get_event(inc_old.id) is None
    assert backend.events.get_event(inc_new.id) is not None
    assert backend.events.get_event(new.id) is not None
    again = retention.purge_events("lpr_read", CUTOFF, frozenset({held.id}))
    assert (again.count, again.held, again.oldest) == (0, 1, None)


def camera(ref: str, camera_id: str, at: datetime) -> dict[str, Any]:
    return {
        "kind": "camera_status",
        "id": ref,
        "occurred_at": iso(at),
        "location": {"lat": 41.882, "lon": -87.632},
        "payload": {"camera_id": camera_id, "status": "online", "camera_type": "fixed"},
    }


def test_live_state_event_ids_are_each_cameras_current_status(backend: Storage) -> None:
    _, current_a, only_b, _ = store(
        backend,
        [
            camera("a-old", "CAM-A", OLD),
            camera("a-new", "CAM-A", NEW),
            camera("b-old", "CAM-B", OLD),
            read("r1", "7AB123", OLD),
        ],
    )
    live = backend.retention.live_state_event_ids("camera")
    assert live == frozenset({current_a.id, only_b.id})
    purged = backend.retention.purge_events("camera_status", CUTOFF, live)
    assert (purged.count, purged.held) == (1, 1)  # CAM-A's history; CAM-B's only status stays
    assert backend.events.entity("camera:CAM-A") is not None
    assert backend.events.entity("camera:CAM-B") is not None


def test_a_plate_read_by_later_reads_keeps_its_text_and_true_count(backend: Storage) -> None:
    store(
        backend,
        [
            read("r1", "7AB123", OLD),
            read("r2", "7AB123", NEW),
            read("r3", "7AB123", NEW + timedelta(days=1)),
        ],
    )
    assert backend.retention.purge_events("lpr_read", CUTOFF, frozenset()).count == 1
    plate_id = backend.plate_reads.plate_id("7AB123")
    assert plate_id is not None
    assert backend.plate_reads.plate_info([plate_id]) == {plate_id: ("7AB123", 2)}


def test_holds_keep_named_events_and_their_incident(backend: Storage) -> None:
    named, _, inc_held, inc_other = store(
        backend,
        [
            read("named", "HELDPL8", OLD),
            read("plain", "PLAIN01", OLD),
            incident("inc-held", CASE, OLD),
            incident("inc-other", "2020-000001", OLD),
        ],
    )
    retention = backend.retention
    hold = retention.add_hold(CASE, "homicide trial", [named.id], "sup")
    assert (hold.case_number, hold.event_ids, hold.created_by) == (CASE, [named.id], "sup")
    assert hold.released_at is None and hold.id > 0
    assert retention.holds() == [hold]
    held = retention.held_event_ids(retention.holds())
    assert held == {named.id, inc_held.id} and inc_other.id not in held
    assert retention.held_event_ids([]) == frozenset()

    purged = retention.purge_events("cad_incident", CUTOFF, held)
    assert (purged.count, purged.held) == (1, 1)
    assert backend.events.get_event(inc_held.id) is not None
    assert retention.purge_events("lpr_read", CUTOFF, held).count == 1
    assert backend.events.get_event(named.id) is not None

    assert retention.release_hold(hold.id, "sup2", T0)
    assert not retention.release_hold(hold.id, "sup2", T0)
    assert retention.holds() == []
    (released,) = retention.holds(live_only=False)
    assert (released.released_by, released.released_at) == ("sup2", iso(T0))


def test_purge_hits_takes_the_hit_and_its_read_unless_held(backend: Storage) -> None:
    hit_read, held_read = store(
        backend, [read("hit-1", "STOLEN1", OLD), read("hit-2", "STOLEN2", OLD)]
    )
    hits = [
        _hit("h1", hit_read, {"case_number": "2020-000100"}),
        _hit("h2", held_read, {"case_number": CASE}),
    ]
    backend.hotlists.add_hits(hits)
    retention = backend.retention
    assert retention.hit_event_ids() == {hit_read.id, held_read.id}
    held = retention.held_event_ids([retention.add_hold(CASE, "trial", [], "sup")])
    assert held == {held_read.id}
    purged = retention.purge_hits(CUTOFF, held)
    assert (purged.count, purged.held, purged.ids_sha256) == (1, 1, digest(["h1"]))
    assert backend.hotlists.get_hit("h1") is None and backend.hotlists.get_hit("h2") is not None
    assert backend.events.get_event(hit_read.id) is None
    assert backend.plate_reads.plate_id("STOLEN1") is None
    assert backend.events.get_event(held_read.id) is not None


def _hit(hit_id: str, event: Event, entry: dict[str, Any]) -> Hit:
    return Hit(
        id=hit_id, event_id=event.id, list_name="ncic", entry=entry, plate_read="X",
        state_read=None, lookalike=False, positions=(), image_ref=None, reader_id="R-7",
        lat=None, lon=None, read_at=event.occurred_at, created_at=event.occurred_at,
        origin="server",
    )  # fmt: skip


def test_purge_table_takes_old_alerts_and_what_goes_with_them(backend: Storage) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=400), now - timedelta(days=1)
    backend.events.add_alerts(
        [
            Alert("a-old", "lpr_hotlist", old, "warning", "Old", "e1", None, {}),
            Alert("a-new", "lpr_hotlist", recent, "warning", "New", "e2", None, {}),
        ]
    )
    closed = {"closed_at": iso(old), "closed_by": "o", "disposition": "confirmed"}
    backend.alert_states.save(AlertState("a-old", "closed", **closed))
    backend.alert_states.save(AlertState("a-new", "acknowledged", acknowledged_by="o"))
    cutoff = now - timedelta(days=365)

    purged = backend.retention.purge_table("alerts", cutoff)
    assert purged == PurgedKind("alerts", iso(cutoff), 1, iso(old), iso(old), 0, digest(["a-old"]))
    assert backend.events.get_alert("a-old") is None and backend.events.get_alert("a-new")
    states = backend.alert_states.states(["a-old", "a-new"])
    assert states["a-old"].status == "new"  # its closed state went with it
    assert states["a-new"].status == "acknowledged"
    assert backend.retention.purge_table("alerts", cutoff).count == 0

    backend.dead_letters.add("feed", "payload", "bad json", "x", b"{")
    letters = backend.retention.purge_table("dead_letters", utcnow() + timedelta(seconds=1))
    assert letters.count == 1 and backend.dead_letters.list(None, 10) == []
    assert backend.retention.purge_table("video", cutoff).count == 0


def test_certificates_are_kept_newest_first_and_never_rewritten(backend: Storage) -> None:
    retention = backend.retention
    first = retention.add_certificate({"at": iso(T0), "digest": "d1", "kinds": []})
    second = retention.add_certificate({"at": iso(NEW), "digest": "d2", "kinds": []})
    assert second > first > 0
    assert retention.certificates(10) == [
        {"id": second, "at": iso(NEW), "digest": "d2", "kinds": []},
        {"id": first, "at": iso(T0), "digest": "d1", "kinds": []},
    ]
    assert [c["id"] for c in retention.certificates(1)] == [second]
    with (
        pytest.raises(Exception, match="purge certificates are append-only"),
        database(backend).transaction() as conn,
    ):
        conn.execute("UPDATE retention_certificates SET at = 'forged'")
    assert retention.certificates(1)[0]["at"] == iso(NEW)
    retention.compact()  # nothing purged: nothing to do, and no error


# --- PostgreSQL only: VACUUM after a purge, one purge at a time -------------------------
# SQLite's counterpart (secure_delete, a WAL checkpoint) is tested on its file's bytes in
# tests/governance/test_retention.py.
POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


@POSTGRES_ONLY
def test_compact_vacuums_what_a_purge_deleted_from(backend: Storage) -> None:
    store(backend, [read(f"old-{n}", f"EXPIRD{n}", OLD) for n in range(20)])
    store(backend, [read("new-1", "RECENT1", NEW), incident("inc-old", "2020-000001", OLD)])
    db = database(backend)
    with db.reading() as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    backend.retention.purge_events("lpr_read", CUTOFF, frozenset())
    backend.retention.purge_events("cad_incident", CUTOFF, frozenset())
    with db.reading() as conn:
        assert conn.execute("SELECT dead_tuple_count FROM pgstattuple('events')").fetchone()[0]
    backend.retention.compact()

    with db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM plates").fetchone()[0] == 1
        for table in ("events", "plate_reads", "plates", "entity_state"):
            dead = conn.execute("SELECT dead_tuple_count FROM pgstattuple(%s)", (table,))
            assert dead.fetchone()[0] == 0, table
            vacuumed = conn.execute(
                "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
                (table,),
            )
            assert vacuumed.fetchone()[0], table


@POSTGRES_ONLY
def test_purges_from_two_processes_delete_each_row_once(backend: Storage) -> None:
    stored = store(backend, [read(f"old-{n}", f"EXPIRD{n}", OLD) for n in range(200)])
    from rtcc.storage.postgres.retention import PostgresRetentionStore

    # Two stores on separate pooled connections contend like two processes: the advisory
    # lock belongs to a database session, not to a Python object.
    stores = [PostgresRetentionStore(database(backend)) for _ in range(2)]
    start = threading.Barrier(2)
    results: list[PurgedKind] = []

    def purge(retention: PostgresRetentionStore) -> None:
        start.wait()
        results.append(retention.purge_events("lpr_read", CUTOFF, frozenset()))

    threads = [threading.Thread(target=purge, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.count for r in results) == [0, 200]
    assert {r.ids_sha256 for r in results if r.count} == {digest([e.id for e in stored])}
