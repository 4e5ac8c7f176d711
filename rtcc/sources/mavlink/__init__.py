"""MAVLink v1/v2 drone telemetry over UDP (common.xml dialect, decoded by pymavlink).

One datagram holds one or more frames. The adapter keeps the latest telemetry per system
id, so it is stateful: one instance per configured drone link.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import StringConstraints

from rtcc.core.clock import utcnow
from rtcc.core.events import EventKind
from rtcc.sources.base import (
    MAX_MESSAGE_BYTES,
    AdapterError,
    AdapterOptions,
    Framing,
    WireEvent,
)
from rtcc.sources.mavlink.frames import parse_datagram
from rtcc.sources.mavlink.telemetry import SystemState, position_event, update


class MavlinkOptions(AdapterOptions):
    """`unit_id_prefix`: unit ids are "<prefix>-<system id>", e.g. "UAV-1"."""

    unit_id_prefix: Annotated[
        str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.:\-]+$")
    ] = "UAV"


class MavlinkAdapter:
    name: ClassVar[str] = "mavlink"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.UNIT_POSITION,)
    framing: ClassVar[Framing] = "datagram"
    options_model: ClassVar[type[AdapterOptions]] = MavlinkOptions

    def __init__(self, options: MavlinkOptions) -> None:
        self.options = options
        self.systems: dict[int, SystemState] = {}
        # The receive time of a datagram (the wire has no wall clock until SYSTEM_TIME).
        self.clock: Callable[[], datetime] = utcnow

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("frame", "too_large", f"{len(message)} bytes")
        received_at = self.clock()
        frames = parse_datagram(message)
        events: list[WireEvent] = []
        for frame in frames:
            state = self.systems.get(frame.sysid)
            if state is None:
                state = self.systems[frame.sysid] = SystemState()
            if frame.name != "GLOBAL_POSITION_INT":
                update(state, frame)
                continue
            unit_id = f"{self.options.unit_id_prefix}-{frame.sysid}"
            try:
                event = position_event(state, frame, unit_id, received_at)
            except AdapterError:
                raise
            except Exception as exc:  # a surprise in a decoded field must stay an AdapterError
                raise AdapterError("GLOBAL_POSITION_INT", "unreadable", str(exc)) from exc
            if event is not None:
                events.append(event)
        return events


__all__ = ["MavlinkAdapter", "MavlinkOptions"]
