"""A minimal adapter for testing the feed runtime: JSON lines of unit positions."""

import json
from typing import ClassVar

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent


class FakeOptions(AdapterOptions):
    unit_type: str = "patrol"


class FakeJsonLinesAdapter:
    name: ClassVar[str] = "fake_jsonl"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.UNIT_POSITION,)
    framing: ClassVar[Framing] = "lines"
    options_model: ClassVar[type[AdapterOptions]] = FakeOptions

    def __init__(self, options: FakeOptions) -> None:
        self.options = options

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("message", "too_large", "over the size limit")
        if message.strip() == b"ping":
            return []
        try:
            doc = json.loads(message)
        except ValueError as exc:
            raise AdapterError("message", "not_json", str(exc)) from None
        if "unit" not in doc:
            raise AdapterError("unit", "missing", "no unit id")
        return [
            {
                "kind": "unit_position",
                "id": f"{doc['unit']}-{doc['t']}",
                "occurred_at": doc["t"],
                "location": {"lat": doc["lat"], "lon": doc["lon"]},
                "payload": {"unit_id": doc["unit"], "unit_type": self.options.unit_type},
            }
        ]
