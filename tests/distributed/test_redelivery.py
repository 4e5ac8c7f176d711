"""A batch delivered again after a worker died mid-way stores nothing twice and loses
no alert: events keep their ids, and alert ids are derived from rule and event."""

from datetime import UTC, datetime

from rtcc.core.bus import Bus
from rtcc.core.events import EVENT_IN_ADAPTER, Event, event_from_wire
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.rules import RuleEngine
from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
from rtcc.storage.base import Storage
from tests.conftest import camera, gunshot


def _events(*items: dict[str, object]) -> list[Event]:
    now = datetime.now(UTC)
    return [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", now) for i in items]


def test_redelivered_batch_after_crash_between_store_and_alert(backend: Storage) -> None:
    backend.events.append(_events(camera("CAM-1", 39.9620, -82.9988, 180.0)))
    pipeline = IngestPipeline(backend, Bus(), RuleEngine([GunshotNearbyRule()]))
    batch = _events(gunshot(ref="g-crash"))
    now = datetime.now(UTC)
    # The first worker stored the batch, then was killed before judging it.
    backend.events.append(batch)
    assert backend.events.recent_alerts(10) == []
    # The batch comes back to a worker: the stored event is judged, its alert kept once.
    first = pipeline.process_events("t", batch, [], 1, now, redelivered=True)
    assert [e.id for e in first.stored] == [batch[0].id] and len(first.alerts) == 1
    # And once more (the second worker also died before it acknowledged).
    second = pipeline.process_events("t", batch, [], 1, now, redelivered=True)
    assert [a.id for a in second.alerts] == [a.id for a in first.alerts]
    assert len(backend.events.recent_alerts(10)) == 1
    assert backend.events.count_events() == 2


def test_a_true_duplicate_is_not_judged_again(backend: Storage) -> None:
    """A source re-sending a shot (new ids, same dedup key) is a duplicate, not a redelivery."""
    pipeline = IngestPipeline(backend, Bus(), RuleEngine([GunshotNearbyRule()]))
    now = datetime.now(UTC)
    pipeline.process_events("t", _events(gunshot(ref="g1")), [], 1, now)
    resent = pipeline.process_events("t", _events(gunshot(ref="g1")), [], 1, now, True)
    assert resent.stored == [] and len(resent.duplicates) == 1 and resent.alerts == []
    assert len(backend.events.recent_alerts(10)) == 1
