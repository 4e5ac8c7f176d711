"""Alerts with everything the rules put in them (docked/slewed cameras, units with places),
for the document channels (CAP, EIDO, CoT) that map each part to a field of a standard."""

from datetime import UTC, datetime
from typing import Any

from rtcc.core.alerts import Alert, Severity
from rtcc.core.geo import Location

AT = datetime(2026, 11, 25, 20, 14, 5, 250000, tzinfo=UTC)


def full_gunshot(
    alert_id: str = "9f1c2d3e4b5a", incident: str = "CAD-2026-114", joined: bool = True
) -> Alert:
    cameras: list[dict[str, Any]] = [
        {
            "camera_id": "cam-7",
            "name": "High & Broad <NE>",
            "distance_m": 41.5,
            "in_view": True,
            "docked": True,
            "slew": {"pan": 0.2, "tilt": -0.1, "zoom": 0.4},
            "location": {"lat": 39.9615, "lon": -82.9985},
        },
        {"camera_id": "cam-9", "name": "Gay St", "distance_m": 380.0, "in_view": False},
    ]
    units = [
        {
            "unit_id": "1A12",
            "unit_type": "patrol",
            "status": "available",
            "distance_m": 420.3,
            "location": {"lat": 39.9640, "lon": -82.9990},
        },
        {
            "unit_id": "K9-2",
            "unit_type": "k9",
            "status": "enroute",
            "distance_m": 810.0,
            "location": {"lat": 39.9550, "lon": -83.0010},
        },
    ]
    detail: dict[str, Any] = {
        "detection_id": "1881",
        "rounds": 4,
        "classification": "multiple_gunshots",
        "location_method": "multilateration",
        "location_note": "rear of 100 N High St",
        "incident": {"id": incident, "source": "cad" if joined else "rtcc", "joined": joined},
        "detections": [{"event_id": "ev-1881"}],
        "cameras": cameras,
        "plate_reads": [{"plate": "ABC1234", "plate_state": "OH", "event_id": "e9"}],
        "units": units,
    }
    return Alert(
        id=alert_id,
        rule="gunshot_nearby",
        created_at=AT,
        severity="critical",
        title="Gunshot, 4 rounds: 2 cameras (1 in view), 1 plate reads, 2 units within 1 km",
        event_id="ev-1881",
        location=Location(lat=39.9612, lon=-82.9988, accuracy_m=25.0),
        detail=detail,
    )


def geofence_alert(severity: Severity = "warning") -> Alert:
    return Alert(
        id="geo-77",
        rule="caller_in_geofence",
        created_at=AT,
        severity=severity,
        title="911 caller inside School zone: Linden",
        event_id="ev-call-5",
        location=Location(lat=40.0, lon=-83.0),
        detail={
            "call_id": "C-5",
            "geofences": [{"id": "g1", "name": "School zone: Linden", "inside": True}],
            "accuracy_m": None,
            "method": "device",
        },
    )


def no_location_alert() -> Alert:
    return Alert(
        id="pending-1",
        rule="hotlist_match",
        created_at=AT,
        severity="info",
        title="Hotlist hit to confirm: ABC1234 (OH) on stolen",
        event_id="ev-2",
        location=None,
        detail={"hits": [{"list_name": "stolen"}], "units": []},
    )
