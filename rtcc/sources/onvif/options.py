"""Options of one ONVIF camera (or one VMS/ONVIF bridge): who it is, where it stands and
how its normalised PTZ space maps onto compass degrees (strict: unknown keys are refused).

An ONVIF device names neither itself nor its position in events, so `camera_id` (or a
SimpleItem to take it from) and `lat`/`lon` come from here, as the camera registry knows them.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from rtcc.sources.base import AdapterOptions

CameraType = Literal[
    "fixed", "ptz", "body_worn", "private_registered", "private_integrated", "drone"
]
Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_.:\-]+$")
]
Compass = Annotated[float, Field(ge=0, lt=360)]
Span = Annotated[float, Field(gt=0, le=360)]


class OnvifOptions(AdapterOptions):
    """`camera_id_item`: the SimpleItem (Source or Data) naming the camera behind a bridge,
    e.g. `VideoSourceConfigurationToken`; its value is appended to `camera_id` when both are
    given. `preset_headings`: PTZ preset token (or name) → compass heading, for
    `PTZPresets/Reached` events."""

    camera_id: Ident | None = None
    camera_id_item: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    accuracy_m: Annotated[float, Field(ge=0, le=100_000)] | None = None
    camera_type: CameraType = "ptz"
    pan_zero_heading_deg: Compass = 0.0
    pan_range_deg: Span = 360.0
    tilt_zero_deg: Annotated[float, Field(ge=-90, le=90)] = 0.0
    tilt_range_deg: Span = 180.0
    fov_deg: Span | None = None
    range_m: Annotated[float, Field(gt=0, le=2_000)] | None = None
    owner: Annotated[str, StringConstraints(max_length=200)] | None = None
    stream_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    preset_headings: dict[str, Compass] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names_the_camera(self) -> "OnvifOptions":
        if self.camera_id is None and self.camera_id_item is None:
            raise ValueError("give camera_id, camera_id_item or both: ONVIF events name no camera")
        return self
