"""Which CSV column is which field: one option set per agency export."""

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rtcc.sources.base import AdapterOptions

Status = Literal["created", "dispatched", "enroute", "on_scene", "closed", "updated"]


class TimelineStep(BaseModel):
    """One lifecycle step with its own time column (emitted when the cell is not blank)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    status: Status
    column: str = Field(min_length=1)


class CadCsvOptions(AdapterOptions):
    """Column names are the CSV header's, exactly. Times are local to `timezone`."""

    incident_id: str | list[str] = Field(description="column(s); several are joined with '_'")
    timezone: str = Field(description="IANA zone of the export's local times")
    time_format: str = Field(default="%m/%d/%Y %I:%M:%S %p", description="strptime pattern")
    occurred_at: str | None = Field(default=None, description="time column (one event per row)")
    status: Status = Field(default="created", description="constant status with occurred_at")
    status_column: str | None = None
    status_map: dict[str, Status] = Field(default={}, description="status column value → status")
    timeline: list[TimelineStep] = Field(default=[], description="one event per step with a time")
    call_type: str | None = Field(default=None, description="call type / code column")
    call_type_default: str | None = Field(default=None, min_length=1, max_length=32)
    call_type_map: dict[str, str] = Field(default={}, description="code → call type")
    call_type_map_file: str | None = Field(default=None, description="CSV or YAML code map")
    description: str | None = None
    address: str | None = None
    district: str | None = None
    lat: str | None = None
    lon: str | None = None
    priority: str | None = None
    priority_default: int = Field(default=3, ge=1, le=9)
    units: list[str] = Field(default=[], description="unit id columns (blank cells skipped)")
    null_values: list[str] = Field(default=["", "NULL", "null", "N/A"])
    encoding: str = "utf-8-sig"

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _one_time_source(self) -> "CadCsvOptions":
        if (self.occurred_at is None) == (not self.timeline):
            raise ValueError("set exactly one of occurred_at (one event) or timeline (steps)")
        if self.call_type is None and self.call_type_default is None:
            raise ValueError("set call_type (a column) or call_type_default")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("set both lat and lon, or neither")
        return self
