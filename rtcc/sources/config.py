"""How a deployment declares its feeds (the `sources:` list of the settings file)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SourceConfig(BaseModel):
    """One live feed: which adapter reads it, how it arrives, how often it should speak."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,63}$", description="also its API key name")
    adapter: str = Field(description="a name from rtcc/sources/registry.py")
    options: dict[str, Any] = Field(default_factory=dict, description="the adapter's options")
    transport: Literal["http", "udp", "tcp"] = Field(
        "http", description="http: POST /api/v1/sources/{name}/messages with the source's key"
    )
    host: str = Field("127.0.0.1", description="bind address for udp/tcp")
    port: int | None = Field(None, ge=1, le=65535)
    heartbeat_s: float = Field(
        60.0, gt=0, description="longest normal silence; once over it: degraded, twice: unavailable"
    )
    queue_size: int = Field(10_000, ge=10, description="messages buffered before dropping")

    @model_validator(mode="after")
    def _port_for_sockets(self) -> "SourceConfig":
        if self.transport in ("udp", "tcp") and self.port is None:
            raise ValueError(f"source {self.name}: transport {self.transport} needs a port")
        return self
