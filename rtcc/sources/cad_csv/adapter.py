"""A configurable CAD export CSV (header + rows) → cad_incident lifecycle events."""

import csv
import io
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.cad_csv.codes import CallTypeEntry, load_code_map
from rtcc.sources.cad_csv.options import CadCsvOptions, Status
from rtcc.sources.pidf_lo.ids import ident
from rtcc.sources.timeformat import TimeFormat


class CadCsvAdapter:
    name: ClassVar[str] = "cad_csv"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CAD_INCIDENT,)
    framing: ClassVar[Framing] = "csv"
    options_model: ClassVar[type[AdapterOptions]] = CadCsvOptions

    def __init__(self, options: CadCsvOptions) -> None:
        self.options = options
        self.zone = ZoneInfo(options.timezone)
        self.codes: dict[str, CallTypeEntry] = load_code_map(
            options.call_type_map_file, options.call_type_map
        )
        self.nulls = {v.strip() for v in options.null_values}
        ids = options.incident_id
        self.id_columns = [ids] if isinstance(ids, str) else list(ids)
        self.time_format = TimeFormat(options.time_format)

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("row", "too_large", f"{len(message)} bytes")
        try:
            text = message.decode(self.options.encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise AdapterError("row", "bad_encoding", str(exc)[:200]) from exc
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise AdapterError("row", "malformed_csv", str(exc)[:200]) from exc
        rows = [r for r in rows if "".join(r).strip()]  # rows of blank cells are skipped
        if len(rows) < 2:
            raise AdapterError("row", "missing", "a message is the header and at least one row")
        header = [h.strip() for h in rows[0]]
        events: list[WireEvent] = []
        for row in rows[1:]:
            if len(row) != len(header):
                raise AdapterError("row", "column_count_mismatch", f"{len(row)} of {len(header)}")
            try:
                events.extend(self.row_events(dict(zip(header, row, strict=True))))
            except AdapterError:
                raise
            except Exception as exc:  # a library surprise must not escape as anything else
                raise AdapterError("row", "unreadable", f"{type(exc).__name__}: {exc}") from exc
        return events

    # -- one row -----------------------------------------------------------------------

    def cell(self, row: dict[str, str], column: str | None) -> str | None:
        if column is None:
            return None
        raw = row.get(column)
        if raw is None:
            raise AdapterError(f"header.{column}", "missing", f"no column {column!r}")
        value = raw.strip()
        return None if value in self.nulls else value

    def time(self, row: dict[str, str], column: str) -> datetime | None:
        value = self.cell(row, column)
        if value is None:
            return None
        try:
            stamp = self.time_format.parse(value, self.zone)
        except ValueError:
            raise AdapterError(
                f"row.{column}", "bad_timestamp", f"{value[:40]!r} ≠ {self.options.time_format}"
            ) from None
        return stamp.astimezone(UTC)

    def number(
        self, row: dict[str, str], column: str | None, low: float, high: float
    ) -> float | None:
        value = self.cell(row, column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            message = f"{value[:40]!r} is not a number"  # "" too, unless a null value
            raise AdapterError(f"row.{column}", "not_a_number", message) from None
        if not low <= number <= high:  # NaN and ±inf fail this too
            raise AdapterError(
                f"row.{column}", "out_of_range", f"{value[:40]} not in {low}..{high}"
            )
        return number

    def steps(self, row: dict[str, str]) -> list[tuple[Status, datetime]]:
        options = self.options
        if options.occurred_at is not None:
            at = self.time(row, options.occurred_at)
            if at is None:
                raise AdapterError(f"row.{options.occurred_at}", "missing", "no time")
            status = options.status
            raw = self.cell(row, options.status_column)
            if raw is not None:
                if raw not in options.status_map:
                    message = f"unknown status {raw[:40]!r}"
                    raise AdapterError(f"row.{options.status_column}", "unknown_status", message)
                status = options.status_map[raw]
            return [(status, at)]
        found = [(s.status, t) for s in options.timeline if (t := self.time(row, s.column))]
        if not found:
            first = options.timeline[0].column
            raise AdapterError(f"row.{first}", "missing", "no lifecycle time in this row")
        return found

    def call_type(self, row: dict[str, str]) -> tuple[str, str | None, int | None]:
        code = self.cell(row, self.options.call_type)
        if code is None:
            if self.options.call_type_default is None:
                raise AdapterError(f"row.{self.options.call_type}", "missing", "no call type")
            return self.options.call_type_default, None, None
        entry = self.codes.get(code)
        if entry is not None:
            return entry.call_type, entry.description, entry.priority
        if len(code) > 32:  # descriptive types (Seattle) keep their full text as description
            return code[:32].rstrip(), code[:200], None
        return code, None, None

    def incident_id(self, row: dict[str, str]) -> str:
        """Several columns make one id; blank ones are left out, all blank is refused."""
        parts = [self.cell(row, column) or "" for column in self.id_columns]
        if not any(parts):
            raise AdapterError(f"row.{self.id_columns[0]}", "missing", "no incident id")
        return ident("_".join(parts))

    def row_events(self, row: dict[str, str]) -> list[WireEvent]:
        o = self.options
        incident_id = self.incident_id(row)
        call_type, map_description, map_priority = self.call_type(row)
        raw_priority = self.number(row, o.priority, 1, 9)
        if raw_priority is not None and not raw_priority.is_integer():
            raise AdapterError(f"row.{o.priority}", "out_of_range", "priority is a whole 1..9")
        payload: dict[str, Any] = {
            "incident_id": incident_id,
            "call_type": call_type,
            "priority": int(raw_priority or map_priority or o.priority_default),
        }
        description = self.cell(row, o.description) or map_description
        for name, value, limit in (
            ("description", description, 200),
            ("address", self.cell(row, o.address), 200),
            ("district", self.cell(row, o.district), 32),
        ):
            if value:
                payload[name] = value[:limit]
        units = [ident(u) for c in o.units if (u := self.cell(row, c))]
        payload["units"] = list(dict.fromkeys(units))[:50]
        location = self.location(row)
        events: list[WireEvent] = []
        for status, at in self.steps(row):
            event: WireEvent = {
                "kind": "cad_incident",
                "id": f"{incident_id}:{status}:{int(at.timestamp())}",
                "occurred_at": at.isoformat(),
                "payload": {**payload, "status": status},
            }
            if location is not None:
                event["location"] = location
            events.append(event)
        return events

    def location(self, row: dict[str, str]) -> dict[str, float] | None:
        lat = self.number(row, self.options.lat, -90, 90)
        lon = self.number(row, self.options.lon, -180, 180)
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            column = self.options.lat if lat is None else self.options.lon
            raise AdapterError(f"row.{column}", "missing", "only one coordinate given")
        if lat == 0 and lon == 0:  # "no fix" in many CAD exports, never a real US address
            return None
        return {"lat": lat, "lon": lon}
