"""Configuration of Drone as First Responder: docks, airspace zones, weather (under `dfr:`)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from shapely.geometry import Polygon

_Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
_Position = Annotated[list[float], Field(min_length=2, max_length=3)]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DroneDock(_Config):
    """A dock (drone-in-a-box) and the drone that lives in it."""

    id: _Id
    name: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    unit_id: _Id = Field(description="unit_id of the drone's unit_position events")
    cruise_speed_mps: float = Field(18.0, gt=0, le=100)
    launch_time_s: float = Field(25.0, ge=0, le=600, description="lid open + climb")
    max_range_m: float = Field(gt=0, le=100_000, description="one-way, from battery endurance")
    min_launch_battery_pct: float = Field(40.0, ge=0, le=100)


class GeoJsonPolygon(_Config):
    """A GeoJSON Polygon: [lon, lat] rings, the first one outer, each closed."""

    type: Literal["Polygon"]
    coordinates: list[Annotated[list[_Position], Field(min_length=4)]] = Field(min_length=1)

    @field_validator("coordinates")
    @classmethod
    def _valid_rings(cls, rings: list[list[list[float]]]) -> list[list[list[float]]]:
        for ring in rings:
            if ring[0][:2] != ring[-1][:2]:
                raise ValueError("each ring must be closed (first position == last)")
            for lon, lat, *_ in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(f"position [{lon}, {lat}] is not [lon, lat] in range")
        if not Polygon(rings[0], rings[1:]).is_valid:
            raise ValueError("the polygon is not valid (self-intersecting ring?)")
        return rings


class AirspaceZone(_Config):
    """Airspace a DFR flight must avoid (no_fly) or may enter only with authorization."""

    id: _Id
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["no_fly", "authorization_required"]
    polygon: GeoJsonPolygon


class DfrWeather(_Config):
    """The operator's current call on the weather (set in config; not a live feed)."""

    wind_mps: float | None = Field(None, ge=0, le=100, description="shown, not modelled")
    grounded: bool = False
    reason: str = Field("", max_length=200, description='e.g. "gusts above 12 m/s"')


class DfrSettings(_Config):
    """Docks, airspace and weather for Drone as First Responder."""

    docks: list[DroneDock] = Field(default_factory=list)
    zones: list[AirspaceZone] = Field(default_factory=list)
    weather: DfrWeather = Field(default_factory=DfrWeather)
    telemetry_stale_s: float = Field(
        600.0, gt=0, description="flag a drone whose latest position is older than this"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> "DfrSettings":
        for what, ids in (
            ("dock", [d.id for d in self.docks]),
            ("zone", [z.id for z in self.zones]),
        ):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{what} ids must be unique: {', '.join(repeated)} repeated")
        return self
