"""Camera registries: a whole GeoJSON or CSV file → one `camera_status` per camera.

A bad record (no or out-of-range coordinates, a repeated id) is skipped and listed in
`problems` after `translate`; only a file that cannot be read at all, or one where no
record is usable, is refused with AdapterError.
"""

from datetime import datetime
from typing import ClassVar

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.base import RecordProblem as Problem
from rtcc.sources.cameras.camera import CameraReader
from rtcc.sources.cameras.options import CameraRegistryOptions
from rtcc.sources.cameras.records import Record, csv_records, geojson_records


class CameraRegistryAdapter:
    name: ClassVar[str] = "camera_registry"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CAMERA_STATUS,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = CameraRegistryOptions

    def __init__(self, options: CameraRegistryOptions) -> None:
        self.options = options
        self._reader = CameraReader(options, datetime.fromisoformat(options.registered_at))
        self.problems: list[Problem] = []

    def translate(self, message: bytes) -> list[WireEvent]:
        self.problems = []
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("document", "too_large", f"{len(message)} bytes")
        try:
            return self._translate(message)
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("document", "unreadable", f"{type(exc).__name__}: {exc}") from exc

    def _records(self, message: bytes) -> list[Record]:
        if self.options.format == "geojson":
            return list(geojson_records(message))
        return list(csv_records(message, self.options.lat_field, self.options.lon_field))

    def _translate(self, message: bytes) -> list[WireEvent]:
        events: list[WireEvent] = []
        seen: set[str] = set()
        first: Problem | None = None  # not the exception: it would keep its frames alive
        to_event = self._reader.to_event
        for index, fields, lat, lon in self._records(message):
            notes: list[tuple[str, str, str]] = []
            try:
                event = to_event(fields, lat, lon, notes)
                if event["id"] in seen:
                    camera = event["payload"]["camera_id"]
                    raise AdapterError("id", "duplicate", f"camera {camera} already in this file")
            except AdapterError as exc:
                problem = Problem(index, exc.field, exc.reason, exc.message)
                first = first or problem
                self.problems.append(problem)
                continue
            seen.add(event["id"])
            events.append(event)
            if notes:
                self.problems.extend(Problem(index, *n, skipped=False) for n in notes)
        if first is not None and not events:
            raise AdapterError(first.field, first.reason, f"no usable camera: {first.message}")
        return events


__all__ = ["CameraRegistryAdapter", "CameraRegistryOptions", "Problem"]
