"""Cursor-on-Target (MITRE CoT base event 2.0, as ATAK/WinTAK/TAK Server send it).

One message is one `<event>`; friendly ground and air atoms become unit positions,
everything else (drawings, routes, markers, other affiliations) yields no event.
"""

from typing import ClassVar

from rtcc.core.events import EventKind
from rtcc.sources.base import (
    MAX_MESSAGE_BYTES,
    AdapterError,
    AdapterOptions,
    Framing,
    WireEvent,
)
from rtcc.sources.cot.mapping import UnitType, to_unit_position
from rtcc.sources.cot.parse import parse_event


class CotOptions(AdapterOptions):
    """`ground_unit_type`: what a friendly ground track is when its ATAK role says nothing."""

    ground_unit_type: UnitType = "patrol"


class CotAdapter:
    name: ClassVar[str] = "cot"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.UNIT_POSITION,)
    framing: ClassVar[Framing] = "cot"
    options_model: ClassVar[type[AdapterOptions]] = CotOptions

    def __init__(self, options: CotOptions) -> None:
        self.options = options

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("event", "too_large", f"{len(message)} bytes")
        try:
            event = parse_event(message)
            wire = to_unit_position(event, self.options.ground_unit_type)
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("event", "unreadable", f"{type(exc).__name__}: {exc}") from exc
        return [wire] if wire is not None else []


__all__ = ["CotAdapter", "CotOptions"]
