"""Acoustic gunshot detection: the ShotSpotter-style alert push and the cities' CSV exports.

`shotspotter` reads one pushed alert (XML or JSON) or a heartbeat (→ no event);
`gunshot_csv` reads the row exports San Francisco and Wilmington NC published.
"""

from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.shotspotter.alert import parse_body, to_event
from rtcc.sources.shotspotter.exports import DEFAULT_ZONES, DIALECTS, detect_dialect, read_row


def _refuse_oversized(message: bytes, field: str) -> None:
    if len(message) > MAX_MESSAGE_BYTES:
        raise AdapterError(field, "too_large", f"{len(message)} bytes > {MAX_MESSAGE_BYTES}")


class ShotSpotterAdapter:
    """One alert push body → one gunshot per alert; a heartbeat → []."""

    name: ClassVar[str] = "shotspotter"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.GUNSHOT,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = AdapterOptions

    def __init__(self, options: AdapterOptions) -> None:
        self.options = options

    def translate(self, message: bytes) -> list[WireEvent]:
        _refuse_oversized(message, "message")
        try:
            return [to_event(fields) for fields in parse_body(message)]
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("message", "unreadable", f"{type(exc).__name__}: {exc}") from exc


class GunshotCsvOptions(AdapterOptions):
    """`dialect`: which city's export ("auto": told apart by the header); `timezone`: IANA
    zone of its wall-clock times (default: America/Los_Angeles for sf, America/New_York
    for wilmington)."""

    dialect: Literal["auto", "sf", "wilmington"] = "auto"
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


class GunshotCsvAdapter:
    """One header + row message of a city export → one gunshot."""

    name: ClassVar[str] = "gunshot_csv"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.GUNSHOT,)
    framing: ClassVar[Framing] = "csv"
    options_model: ClassVar[type[AdapterOptions]] = GunshotCsvOptions

    def __init__(self, options: GunshotCsvOptions) -> None:
        self.options = options
        zone = ZoneInfo(options.timezone) if options.timezone else None
        self._zones = {name: zone or ZoneInfo(default) for name, default in DEFAULT_ZONES.items()}

    def translate(self, message: bytes) -> list[WireEvent]:
        _refuse_oversized(message, "row")
        try:
            row = read_row(message)
            dialect = self.options.dialect
            dialect = detect_dialect(row) if dialect == "auto" else dialect
            return [DIALECTS[dialect](row, self._zones[dialect])]
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("row", "unreadable", f"{type(exc).__name__}: {exc}") from exc


__all__ = ["GunshotCsvAdapter", "GunshotCsvOptions", "ShotSpotterAdapter"]
