"""Body-worn cameras: a device-status webhook (JSON) → one `camera_status` per status.

One message is one webhook body: a status object, an array of them, or an envelope with
one (`statuses`, `data`, `devices`, `events`). A batch skips its bad statuses and lists them
in `problems`; a body that yields no status at all is refused as a whole, a lone status
without a GPS fix with `no_fix` (see docs/sources/bodycam.md).
"""

from typing import Any, ClassVar

from rtcc.core.events import EventKind
from rtcc.sources.base import (
    MAX_MESSAGE_BYTES,
    AdapterError,
    AdapterOptions,
    Framing,
    WireEvent,
    json_records,
)
from rtcc.sources.base import RecordProblem as Problem
from rtcc.sources.bodycam.options import BodycamOptions
from rtcc.sources.bodycam.status import to_event

BATCH_KEYS = ("statuses", "data", "devices", "events")


def parse_body(message: bytes) -> tuple[bool, list[Any]]:
    """(is a batch, the status objects) of one webhook body."""
    return json_records(message, BATCH_KEYS, "a status")


class BodycamAdapter:
    name: ClassVar[str] = "bodycam"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CAMERA_STATUS,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = BodycamOptions

    def __init__(self, options: BodycamOptions) -> None:
        self.options = options
        self.problems: list[Problem] = []

    def translate(self, message: bytes) -> list[WireEvent]:
        self.problems = []
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("body", "too_large", f"{len(message)} bytes > {MAX_MESSAGE_BYTES}")
        events: list[WireEvent] = []
        try:
            batch, records = parse_body(message)
            for index, record in enumerate(records):
                try:
                    events.append(to_event(record, self.options))
                except AdapterError as exc:
                    if not batch:
                        raise
                    self.problems.append(Problem(index, exc.field, exc.reason, exc.message))
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("body", "unreadable", f"{type(exc).__name__}: {exc}") from exc
        if self.problems and not events:
            # The first problem, not its exception: holding an exception keeps its traceback's
            # frames alive, which costs more than reading a whole status.
            first = self.problems[0]
            raise AdapterError(first.field, first.reason, f"no usable status: {first.message}")
        return events


__all__ = ["BodycamAdapter", "BodycamOptions", "Problem"]
