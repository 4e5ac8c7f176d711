"""Licence plate readers: a Flock-style webhook (JSON) and generic CSV read logs.

Both normalise plates to A-Z0-9 upper case and share one read builder (`read.py`).
A webhook batch skips its bad reads and lists them in `problems`; a body that yields
no read at all is refused as a whole.
"""

import csv
import io
from typing import ClassVar
from zoneinfo import ZoneInfo

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.base import RecordProblem as Problem
from rtcc.sources.lpr.options import LprColumns, LprCsvOptions, LprWebhookOptions
from rtcc.sources.lpr.read import Notes, RawRead, build
from rtcc.sources.lpr.webhook import parse_reads, raw_read

_REQUIRED_COLUMNS = ("plate", "time", "reader_id")


def _refuse_oversized(message: bytes, field: str) -> None:
    if len(message) > MAX_MESSAGE_BYTES:
        raise AdapterError(field, "too_large", f"{len(message)} bytes > {MAX_MESSAGE_BYTES}")


class LprWebhookAdapter:
    """One webhook body (a read, or a batch of reads) → one `lpr_read` per good read."""

    name: ClassVar[str] = "lpr_webhook"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.LPR_READ,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = LprWebhookOptions

    def __init__(self, options: LprWebhookOptions) -> None:
        self.options = options
        self._zone = ZoneInfo(options.timezone) if options.timezone else None
        self.problems: list[Problem] = []

    def translate(self, message: bytes) -> list[WireEvent]:
        self.problems = []
        _refuse_oversized(message, "body")
        try:
            batch, records = parse_reads(message)
            events: list[WireEvent] = []
            first: AdapterError | None = None
            for index, record in enumerate(records):
                notes = Notes()
                try:
                    events.append(build(raw_read(record), self._zone, notes))
                except AdapterError as exc:
                    if not batch:
                        raise
                    first = first or exc
                    self.problems.append(Problem(index, exc.field, exc.reason, exc.message))
                if notes.dropped:
                    self.problems.extend(Problem(index, *d, skipped=False) for d in notes.dropped)
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("body", "unreadable", f"{type(exc).__name__}: {exc}") from exc
        if first is not None and not events:
            raise AdapterError(first.field, first.reason, f"no readable read: {first.message}")
        return events


class LprCsvAdapter:
    """One header + row of a read log → one `lpr_read`, columns named by the options."""

    name: ClassVar[str] = "lpr_csv"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.LPR_READ,)
    framing: ClassVar[Framing] = "csv"
    options_model: ClassVar[type[AdapterOptions]] = LprCsvOptions

    def __init__(self, options: LprCsvOptions) -> None:
        self.options = options
        self._zone = ZoneInfo(options.timezone) if options.timezone else None
        # (canonical name, column, wire field, required) of every mapped column, once
        self._columns = [
            (canonical, column, f"row.{column}", canonical in _REQUIRED_COLUMNS)
            for canonical, column in options.columns.model_dump().items()
            if column is not None
        ]

    def translate(self, message: bytes) -> list[WireEvent]:
        _refuse_oversized(message, "row")
        try:
            raw = self._raw(message)
            return [build(raw, self._zone, Notes(), self.options.time_format)]
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("row", "unreadable", f"{type(exc).__name__}: {exc}") from exc

    def _raw(self, message: bytes) -> RawRead:
        try:
            rows = list(csv.reader(io.StringIO(message.decode("utf-8-sig"), newline="")))
        except UnicodeDecodeError as exc:
            raise AdapterError("row", "not_utf8", str(exc)[:200]) from exc
        except csv.Error as exc:
            raise AdapterError("row", "not_csv", str(exc)[:200]) from exc
        if len(rows) != 2:
            raise AdapterError("row", "missing", "a message is a header line and exactly one row")
        header, row = ([c.strip() for c in r] for r in rows)
        cells = dict(zip(header, row, strict=False))
        raw: RawRead = {}
        for canonical, column, wire_name, required in self._columns:
            value = cells.get(column)
            if value is None and required:
                raise AdapterError(wire_name, "missing", f"no column {column!r}")
            raw[canonical] = (wire_name, value)
        reader_column = self.options.columns.reader_id
        has_reader = reader_column is not None and bool(cells.get(reader_column))
        if not has_reader and self.options.reader_id is not None:
            raw["reader_id"] = ("reader_id", self.options.reader_id)
        return raw


__all__ = [
    "LprColumns",
    "LprCsvAdapter",
    "LprCsvOptions",
    "LprWebhookAdapter",
    "LprWebhookOptions",
    "Problem",
]
