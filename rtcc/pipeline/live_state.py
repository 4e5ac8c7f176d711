"""The live picture a wall or phone needs on connect and after every resync."""

from datetime import timedelta
from typing import Any

from rtcc.core.clock import iso, utcnow
from rtcc.governance.attributes import without_stream
from rtcc.storage.base import EventStore

ACTIVE_CALL_WINDOW = timedelta(minutes=30)


def snapshot(
    store: EventStore, plate_reads: int = 100, gunshots: int = 25, alerts: int = 50
) -> dict[str, Any]:
    """Latest state of every entity, recent reads and shots, and recent alerts, from the store.

    Cameras come without their stream address: opening one is its own decision
    (`GET /api/v1/cameras/{id}/stream`, rtcc.governance.attributes).

    `recent` holds plate reads and gunshots newest first; gunshots are fetched on their
    own so a busy plate reader cannot push them out of the picture.
    """
    now = utcnow()
    entities: dict[str, list[dict[str, Any]]] = {
        "unit": [],
        "camera": [],
        "incident": [],
        "call": [],
    }
    for state in store.entities():
        entities.setdefault(state.entity_type, []).append(state.event)
    recent = store.recent_events(("lpr_read",), plate_reads) + store.recent_events(
        ("gunshot",), gunshots
    )
    recent.sort(key=lambda e: e["occurred_at"], reverse=True)
    call_cutoff = iso(now - ACTIVE_CALL_WINDOW)
    return {
        "server_time": iso(now),
        "units": entities["unit"],
        "cameras": [without_stream(e) for e in entities["camera"]],
        "incidents": [e for e in entities["incident"] if e["payload"].get("status") != "closed"],
        "calls": [e for e in entities["call"] if e["occurred_at"] >= call_cutoff],
        "recent": recent,
        "alerts": store.recent_alerts(alerts),
    }
