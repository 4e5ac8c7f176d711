"""Options of the camera registry import (strict: unknown keys are refused)."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from rtcc.sources.base import AdapterOptions

CameraType = Literal[
    "fixed", "ptz", "body_worn", "private_registered", "private_integrated", "drone"
]


class CameraRegistryOptions(AdapterOptions):
    """How to read one registry file. `registered_at` is required: a registry has no event
    time and the import time would make every re-import a new event (see the docs page).

    Field names are GeoJSON property paths (`tags.direction` descends into `tags`) or CSV
    column names. `id_field` absent or empty on a record → an id from its coordinates.
    """

    format: Literal["geojson", "csv"] = "geojson"
    registered_at: str
    id_prefix: Annotated[str, StringConstraints(max_length=24, pattern=r"^[A-Za-z0-9_.:\-]*$")] = ""
    id_field: str | None = "id"
    name_fields: list[str] = Field(default_factory=lambda: ["name"])
    lat_field: str = "lat"
    lon_field: str = "lon"
    heading_fields: list[str] = Field(
        default_factory=lambda: ["direction", "tags.direction", "tags.camera:direction"]
    )
    owner_fields: list[str] = Field(
        default_factory=lambda: ["operator", "brand", "tags.operator", "tags.brand"]
    )
    camera_type: CameraType = "fixed"
    fov_deg: Annotated[float, Field(gt=0, le=360)] = 90.0
    range_m: Annotated[float, Field(gt=0, le=2_000)] = 150.0

    @field_validator("registered_at")
    @classmethod
    def _aware_iso(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"registered_at {value!r} is not ISO 8601") from exc
        if parsed.utcoffset() is None:
            raise ValueError("registered_at needs a zone offset, e.g. 2025-10-04T00:00:00Z")
        return parsed.astimezone(UTC).isoformat()
