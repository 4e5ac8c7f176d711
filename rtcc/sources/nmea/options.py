"""Options of one NMEA source: NMEA carries no vehicle id, so the source names the unit."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from rtcc.core.payloads import Ident
from rtcc.sources.base import AdapterOptions

UnitType = Literal["patrol", "supervisor", "k9", "ems", "fire", "drone", "other"]


def _iso_date(value: object) -> object:
    """JSON/YAML give the date as text; strict mode would refuse it, so parse it here."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc
    return value


class NmeaOptions(AdapterOptions):
    unit_id: Ident = Field(description="the unit this receiver is in (NMEA has no vehicle id)")
    unit_type: UnitType = "patrol"
    assume_date: Annotated[date, BeforeValidator(_iso_date)] | None = Field(
        default=None,
        description="UTC date for GGA fixes seen before any RMC (default: today's UTC date)",
    )
    require_checksum: bool = Field(
        default=True, description="refuse sentences without the trailing *hh checksum"
    )
    unit_id_from_prefix: bool = Field(
        default=False,
        description="lines may start with '<unit id>,' (or ';', ':', space) before the '$' "
        "sentence, as AVL modems that relay several receivers send them; that id wins",
    )
