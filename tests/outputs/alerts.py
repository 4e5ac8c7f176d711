"""Alerts shaped as the rules make them (rtcc/pipeline/rules/gunshot.py, hotlist hits)."""

from datetime import UTC, datetime
from typing import Any

from rtcc.core.alerts import Alert
from rtcc.core.events import Hops
from rtcc.core.geo import Location


def gunshot_alert(alert_id: str = "a1", created_at: datetime | None = None) -> Alert:
    at = created_at or datetime(2026, 11, 25, 20, 14, 5, tzinfo=UTC)
    camera: dict[str, Any] = {"camera_id": "cam-7", "name": "High & Broad <NE>", "in_view": True}
    detail: dict[str, Any] = {
        "detection_id": "1881",
        "rounds": 4,
        "incident": {"id": "CAD-2026-114", "source": "cad", "joined": True},
        "detections": [],
        "cameras": [camera, {"camera_id": "cam-9", "name": "Gay St", "in_view": False}],
        "plate_reads": [{"plate": "ABC1234", "plate_state": "OH", "event_id": "e9"}],
        "units": [{"unit_id": "1A12"}, {"unit_id": "1A14"}, {"unit_id": "K9-2"}],
    }
    return Alert(
        id=alert_id,
        rule="gunshot_nearby",
        created_at=at,
        severity="critical",
        title="Gunshot, 4 rounds: 2 cameras (1 in view), 1 plate reads, 3 units within 1 km",
        event_id="ev-1881",
        location=Location(lat=39.9612, lon=-82.9988, accuracy_m=25.0),
        detail=detail,
        hops=Hops(received_at=at, persisted_at=at, alerted_at=at),
    )


def pending_hit_alert() -> Alert:
    """A hotlist hit awaiting an analyst: addressed to confirmers only."""
    return Alert(
        id="pending-1",
        rule="lpr_hotlist",
        created_at=datetime(2026, 11, 25, 20, 15, tzinfo=UTC),
        severity="warning",
        title="Hotlist hit to confirm: ABC1234 (OH) on stolen",
        event_id="ev-2",
        location=None,
        detail={"audience": "lpr.hits.confirm", "hits": [], "units": []},
    )
