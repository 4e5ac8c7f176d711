"""One settings model: defaults < YAML file (RTCC_CONFIG) < environment (RTCC_*)."""

import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from rtcc.analysis.dfr_config import DfrSettings
from rtcc.governance.camera_grants import GrantPolicy
from rtcc.governance.fairness_areas import FairnessSettings
from rtcc.governance.misuse import MisuseRules
from rtcc.governance.oidc_config import OidcSettings
from rtcc.governance.purpose import DEFAULT_PURPOSES, Purpose
from rtcc.governance.retention_policy import RetentionSettings
from rtcc.outputs.config import ChannelConfig
from rtcc.sources.config import SourceConfig


class CameraDockSettings(BaseModel):
    """Auto-dock: which cameras are put on an incident, gunshot or hotlist hit, and how."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(4, ge=1, le=50, description="N: the nearest cameras that can see it")
    radius_m: float = Field(1000.0, gt=0, le=20_000, description="only cameras this close")
    slew_to_cue: bool = Field(True, description="build a PTZ AbsoluteMove toward the point")
    mount_height_m: float = Field(
        6.0, gt=0, le=500, description="camera height above the point, for the tilt"
    )
    ptz_profile_token: str = Field(
        "Profile_1", min_length=1, max_length=64, description="ONVIF media profile to move"
    )
    footprints_path: Path | None = Field(
        None, description="building footprints that block sight (.geojson, .osm, .osm.bz2)"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RTCC_", extra="forbid")

    data_dir: Path = Field(Path("var"), description="where the database and demo files live")
    host: str = Field("127.0.0.1", description="bind address; loopback unless deployed")
    port: int = Field(8080, ge=1, le=65535)
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = Field(
        "FULL", description="FULL: every acknowledged batch survives power loss"
    )
    database_url: str = Field(
        "",
        description="unset: SQLite in data_dir; sqlite:///<path>; or postgresql://user@host/db",
    )
    database_pool_size: int = Field(8, ge=1, le=200, description="PostgreSQL connections")
    bus_url: str = Field(
        "", description="unset: one process; nats://host:4222: queue to workers over JetStream"
    )
    bus_partitions: int = Field(
        8, ge=1, le=256, description="ingest partitions; workers share them (p % N == i)"
    )
    bus_max_bytes: int = Field(
        1 << 30, ge=1 << 20, description="queued-but-unprocessed bytes before ingest says 503"
    )
    primary: bool = Field(
        True,
        description="runs feeds, output channels and periodic jobs; false on extra API processes",
    )
    ingest_max_inflight: int = Field(
        32, ge=1, le=10_000, description="batches stored at once; more get 503 + Retry-After"
    )
    bus_queue_size: int = Field(2000, ge=10, description="per-subscriber backlog before resync")
    heartbeat_s: float = Field(5.0, gt=0, description="websocket heartbeat interval")
    session_ttl_hours: float = Field(12.0, gt=0)
    cookie_secure: bool = Field(False, description="set true behind HTTPS")
    basemap_path: Path | None = Field(None, description="GeoJSON of streets/districts for the wall")
    dfr: DfrSettings = Field(
        default_factory=DfrSettings, description="drone docks, airspace zones, launch weather"
    )
    camera_dock: CameraDockSettings = Field(
        default_factory=CameraDockSettings, description="auto-dock and PTZ slew-to-cue"
    )
    retention: RetentionSettings = Field(
        default_factory=RetentionSettings, description="retention policy file, purge interval"
    )
    misuse: MisuseRules = Field(
        default_factory=MisuseRules, description="misuse detection thresholds, working hours"
    )
    audit_checkpoint_minutes: float = Field(
        60.0, gt=0, description="how often the server signs a checkpoint of the audit trail"
    )
    agency_name: str = Field(
        "OpenRTCC agency", min_length=1, max_length=120, description="shown to camera owners"
    )
    camera_grants: GrantPolicy = Field(
        default_factory=GrantPolicy, description="private cameras: longest grant, alarm radius"
    )
    purposes: list[Purpose] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES),
        description="purposes a sensitive search or camera view may state (codes, case rule)",
    )
    sources: list[SourceConfig] = Field(
        default_factory=list, description="live feeds: adapter, transport, options, heartbeat"
    )
    outputs: list[ChannelConfig] = Field(
        default_factory=list,
        description="output channels (Slack, Teams, webhooks…): kind, options, retries, queue",
    )
    oidc: OidcSettings = Field(
        default_factory=OidcSettings, description="sign-in through the agency identity provider"
    )
    fairness: FairnessSettings = Field(
        default_factory=FairnessSettings,
        description="neighbourhoods (GeoJSON + census fields) for the public fairness report",
    )
    playbooks_dir: Path | None = Field(
        None, description="folder of playbook YAML files; unset: the starter playbooks shipped"
    )
    playbooks_reload_s: float = Field(
        5.0, gt=0, description="how often the playbooks folder is checked for changed files"
    )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "rtcc.db"

    @property
    def keys_dir(self) -> Path:
        """Signing keys (audit checkpoints); back this folder up apart from the data."""
        return self.data_dir / "keys"

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
