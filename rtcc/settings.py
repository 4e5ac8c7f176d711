"""One settings model: defaults < YAML file (RTCC_CONFIG) < environment (RTCC_*)."""

import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from rtcc.analysis.dfr_config import DfrSettings
from rtcc.governance.purpose import DEFAULT_PURPOSES, Purpose
from rtcc.sources.config import SourceConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RTCC_", extra="forbid")

    data_dir: Path = Field(Path("var"), description="where the database and demo files live")
    host: str = Field("127.0.0.1", description="bind address; loopback unless deployed")
    port: int = Field(8080, ge=1, le=65535)
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = Field(
        "FULL", description="FULL: every acknowledged batch survives power loss"
    )
    bus_queue_size: int = Field(2000, ge=10, description="per-subscriber backlog before resync")
    heartbeat_s: float = Field(5.0, gt=0, description="websocket heartbeat interval")
    session_ttl_hours: float = Field(12.0, gt=0)
    cookie_secure: bool = Field(False, description="set true behind HTTPS")
    basemap_path: Path | None = Field(None, description="GeoJSON of streets/districts for the wall")
    dfr: DfrSettings = Field(
        default_factory=DfrSettings, description="drone docks, airspace zones, launch weather"
    )
    purposes: list[Purpose] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES),
        description="purposes a sensitive search or camera view may state (codes, case rule)",
    )
    sources: list[SourceConfig] = Field(
        default_factory=list, description="live feeds: adapter, transport, options, heartbeat"
    )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "rtcc.db"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls))


class _YamlSource(PydanticBaseSettingsSource):
    """Reads the YAML file named by RTCC_CONFIG, if any."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("RTCC_CONFIG")
        if not path:
            return {}
        data = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the settings file must be a YAML mapping")
        return data


def settings_json_schema() -> str:
    return json.dumps(Settings.model_json_schema(), indent=2)
