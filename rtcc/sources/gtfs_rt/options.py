"""Options of one GTFS-realtime VehiclePositions source."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from rtcc.sources.base import AdapterOptions

UnitType = Literal["patrol", "supervisor", "k9", "ems", "fire", "drone", "other"]


class GtfsRtOptions(AdapterOptions):
    unit_type: UnitType = "other"
    unit_id_prefix: Annotated[
        str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9_.:\-]*$")
    ] = Field(
        default="",
        description="put before every vehicle id (e.g. 'psta:'), so two agencies' bus 1201 "
        "stay two units",
    )
    skip_bad_entities: bool = Field(
        default=False,
        description="skip (and count) a vehicle whose position or time is invalid instead of "
        "refusing the whole feed",
    )
