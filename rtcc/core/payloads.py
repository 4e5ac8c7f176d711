"""Typed payloads, one per event kind, as real feeds describe them.

Strict at the edge: no type coercion ("12" is not a number), unknown fields are
refused, every number has the range a real device can produce.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Heading = Annotated[float, Field(ge=0, lt=360, description="degrees clockwise from north")]
Probability = Annotated[float, Field(ge=0, le=1)]


class _Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CadIncident(_Payload):
    """A CAD call for service and its lifecycle step (one event per change)."""

    incident_id: Ident
    status: Literal["created", "dispatched", "enroute", "on_scene", "closed", "updated"]
    call_type: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    description: ShortText | None = None
    priority: Annotated[int, Field(ge=1, le=9)] = 3
    address: ShortText | None = None
    district: Annotated[str, StringConstraints(max_length=32)] | None = None
    units: Annotated[list[Ident], Field(max_length=50)] = []


class CallerLocation(_Payload):
    """The live location of a 911 caller on an active call (as PIDF-LO carries it)."""

    call_id: Ident
    method: Literal["gps", "wifi", "cell", "hybrid", "manual", "civic"] = "hybrid"
    confidence_pct: Annotated[int, Field(ge=0, le=100)] | None = None
    civic_address: ShortText | None = None
    shape: Literal["point", "circle", "ellipse", "polygon", "civic"] = Field(
        "point", description="the PIDF-LO shape the location came as (accuracy_m covers it)"
    )
    location_method: Literal["civic_address_point", "civic_hundred_block"] | None = Field(
        None, description="shape civic: how the address was found in the agency address data"
    )


class UnitPosition(_Payload):
    """An AVL fix for a unit: patrol car, supervisor, K9, EMS, fire or drone."""

    unit_id: Ident
    unit_type: Literal["patrol", "supervisor", "k9", "ems", "fire", "drone", "other"] = "patrol"
    status: Literal["available", "enroute", "on_scene", "busy", "out_of_service"] = "available"
    speed_mps: Annotated[float, Field(ge=0, le=120)] | None = None
    heading_deg: Heading | None = None
    altitude_m: Annotated[float, Field(ge=-500, le=20_000)] | None = None
    battery_pct: Annotated[float, Field(ge=0, le=100)] | None = None


class LprRead(_Payload):
    """One licence plate read; `hotlist` is set when the reader matched on-device."""

    reader_id: Ident
    plate: Annotated[str, StringConstraints(min_length=1, max_length=10, pattern=r"^[A-Z0-9]+$")]
    plate_state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    confidence: Probability | None = None
    direction_deg: Heading | None = None
    vehicle: ShortText | None = None
    hotlist: Annotated[str, StringConstraints(max_length=64)] | None = None
    image_ref: Annotated[str, StringConstraints(max_length=500)] | None = None


def _aware_time(value: object) -> object:
    """ISO 8601 text (or a datetime) with a zone; a zone-less time is an error."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if isinstance(value, datetime):
        return value
    raise ValueError("must be an ISO 8601 string with a time zone")


ArrivalTime = Annotated[
    AwareDatetime,
    BeforeValidator(_aware_time),
    PlainSerializer(
        lambda t: t.astimezone(UTC).isoformat(timespec="microseconds"), return_type=str
    ),
]


class SensorArrival(_Payload):
    """When the shot's sound reached one acoustic sensor (UTC, microseconds kept)."""

    sensor_id: Ident
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    arrived_at: ArrivalTime


class Gunshot(_Payload):
    """An acoustic gunshot detection: located by the vendor (envelope location) or
    reported per sensor (`sensors` + `temperature_c`) and located at ingest."""

    detection_id: Ident
    rounds: Annotated[int, Field(ge=1, le=500)] = 1
    classification: Literal["single_gunshot", "multiple_gunshots", "possible_gunshot"] = (
        "single_gunshot"
    )
    confidence: Probability | None = None
    sensors: Annotated[list[SensorArrival], Field(max_length=200)] = []
    temperature_c: Annotated[float, Field(ge=-60, le=60)] | None = None
    location_method: Literal["vendor", "multilateration"] | None = None
    location_note: ShortText | None = None
    incident_id: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = Field(
        None, description="the CAD or RTCC incident this shot belongs to (set at ingest)"
    )


class CameraStatus(_Payload):
    """A camera's registration/heartbeat: where it looks and whether it is up."""

    camera_id: Ident
    name: ShortText | None = None
    camera_type: Literal[
        "fixed", "ptz", "body_worn", "private_registered", "private_integrated", "drone"
    ] = "fixed"
    status: Literal["online", "offline", "degraded"] = "online"
    heading_deg: Heading | None = None
    fov_deg: Annotated[float, Field(gt=0, le=360)] = 90.0
    range_m: Annotated[float, Field(gt=0, le=2_000)] = 150.0
    tilt_deg: Annotated[float, Field(ge=-90, le=90)] | None = None
    zoom: Annotated[float, Field(ge=0, le=1)] | None = Field(None, description="0 wide … 1 tele")
    recording: bool | None = None
    owner: ShortText | None = None
    stream_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    group: Ident | None = Field(
        None, description="camera group (e.g. schools, transit): only users granted it open it"
    )


Payload = CadIncident | CallerLocation | UnitPosition | LprRead | Gunshot | CameraStatus
