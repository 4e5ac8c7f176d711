"""Plate reads against the hotlists: a pending hit and an analysts-only alert, never more."""

import pytest

from rtcc.analysis.hotlists.delivery import AUDIENCE_KEY
from rtcc.analysis.hotlists.importing import import_file
from rtcc.core.alerts import Alert
from rtcc.pipeline.rules import RuleEngine, default_rules
from rtcc.pipeline.rules.lpr_hotlist import DEVICE_LIST_OUTDATED
from rtcc.storage.base import Storage
from tests.analysis.test_hotlists import FIXTURES, lpr_event


@pytest.fixture
def storage(backend: Storage) -> Storage:
    data = (FIXTURES / "ncic_national.txt").read_bytes()
    import_file(backend.hotlists, "ncic", "ncic_national.txt", data, "ncic", "ana")
    return backend


def run(
    storage: Storage, plate: str, state: str | None = "OH", hotlist: str | None = None
) -> list[Alert]:
    event = lpr_event(plate, state, hotlist)
    storage.events.append([event])
    return RuleEngine(default_rules(storage)).run([event], storage.events)


def test_a_read_on_the_list_becomes_a_pending_hit_for_analysts(storage: Storage) -> None:
    [alert] = run(storage, "50B112")  # a misread of SO8IL2
    assert alert.rule == "hotlist_match"
    assert alert.detail[AUDIENCE_KEY] == "lpr.hits.confirm"
    [hit] = alert.detail["hits"]
    assert (hit["status"], hit["origin"], hit["plate_read"]) == ("pending", "server", "50B112")
    assert hit["entry"]["plate"] == "SO8IL2" and hit["entry"]["list_type"] == "Wanted Person"
    assert hit["lookalike"] is True and hit["positions"] == [0, 1, 2, 3, 4]
    assert hit["image_ref"] == "https://img.example/r.jpg" and hit["reader_id"] == "LPR-7"
    assert hit["location"] == {"lat": 39.96, "lon": -83.0}
    [stored] = storage.hotlists.hits("pending")
    assert stored.id == hit["id"] and stored.event_id == alert.event_id
    assert stored.decided_by is None


def test_no_match_no_hit(storage: Storage) -> None:
    assert run(storage, "NOTLISTED") == []
    assert run(storage, "TST1001", "PA") == []  # listed for OH, read in PA
    assert storage.hotlists.hits() == []


def test_device_flag_matched_by_the_server_gives_one_hit(storage: Storage) -> None:
    alerts = run(storage, "TST1001", "OH", hotlist="ncic")
    assert [a.rule for a in alerts] == ["hotlist_match"]
    assert len(storage.hotlists.hits()) == 1


def test_device_flag_on_an_outdated_copy_of_our_list_is_suppressed(storage: Storage) -> None:
    assert run(storage, "GONE123", "OH", hotlist="ncic") == []
    assert storage.hotlists.hits() == []
    [count] = storage.hotlists.suppressed()
    assert (count.list_name, count.reason, count.count) == ("ncic", DEVICE_LIST_OUTDATED, 1)
    assert "LPR-7" in count.last_message


def test_device_flag_on_a_list_we_do_not_hold_waits_for_an_analyst(storage: Storage) -> None:
    [alert] = run(storage, "DEV4242", "OH", hotlist="state-amber")
    assert alert.rule == "lpr_hotlist" and alert.detail[AUDIENCE_KEY] == "lpr.hits.confirm"
    [hit] = storage.hotlists.hits("pending")
    assert (hit.origin, hit.list_name, hit.entry["plate"]) == ("device", "state-amber", "DEV4242")
