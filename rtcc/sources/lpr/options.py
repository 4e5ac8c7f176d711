"""Options of the two LPR adapters (strict: unknown keys are refused)."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from rtcc.sources.base import AdapterOptions


def _zone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


class LprWebhookOptions(AdapterOptions):
    """`timezone`: IANA zone for a timestamp sent without an offset (default: refuse it)."""

    timezone: str | None = None

    _check_zone = field_validator("timezone")(_zone)


class LprColumns(BaseModel):
    """Which CSV column holds what; `None` = the file has no such column."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    plate: str = "plate"
    time: str = "time"
    state: str | None = None
    lat: str | None = None
    lon: str | None = None
    reader_id: str | None = "reader_id"
    confidence: str | None = None
    direction: str | None = None
    image_ref: str | None = None
    hotlist: str | None = None
    id: str | None = None
    make: str | None = None
    color: str | None = None


class LprCsvOptions(AdapterOptions):
    """`time_format`: "iso" (ISO 8601 or epoch digits), "epoch_s", "epoch_ms" or a strptime
    pattern; `timezone`: IANA zone for times without an offset; `reader_id`: a fixed reader
    for files without a reader column."""

    columns: LprColumns = LprColumns()
    time_format: str = "iso"
    timezone: str | None = None
    reader_id: str | None = None

    _check_zone = field_validator("timezone")(_zone)

    @model_validator(mode="after")
    def _zone_for_naive_pattern(self) -> "LprCsvOptions":
        fixed = ("iso", "epoch_s", "epoch_ms")
        if self.time_format not in fixed and "%z" not in self.time_format and not self.timezone:
            raise ValueError("a time_format without %z needs `timezone`")
        if self.columns.reader_id is None and self.reader_id is None:
            raise ValueError("set columns.reader_id or a fixed reader_id")
        return self
