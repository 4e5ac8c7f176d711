"""One queued batch on the wire: the source, when it arrived, its validated events."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from rtcc.core.clock import iso
from rtcc.core.events import Event, event_from_stored


@dataclass(frozen=True, slots=True)
class QueuedBatch:
    source: str
    received_at: datetime
    events: list[Event]


def encode(source: str, received_at: datetime, events: list[Event]) -> bytes:
    doc: dict[str, Any] = {
        "source": source,
        "received_at": iso(received_at),
        "events": [e.to_wire(hops=False) for e in events],
    }
    return orjson.dumps(doc)


def decode(data: bytes) -> QueuedBatch:
    doc = orjson.loads(data)
    return QueuedBatch(
        doc["source"],
        datetime.fromisoformat(doc["received_at"]),
        [event_from_stored(w) for w in doc["events"]],
    )


def message_id(source: str, events: list[Event]) -> str:
    """Same events re-sent by the source → same id → JetStream keeps the first only."""
    digest = hashlib.sha256(source.encode())
    for e in events:
        digest.update(b"\x1f" + e.dedup_key.encode())
    return digest.hexdigest()
