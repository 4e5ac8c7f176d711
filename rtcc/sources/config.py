"""How a deployment declares its feeds (the `sources:` list of the settings file)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SourceConfig(BaseModel):
    """One live feed: which adapter reads it, how it arrives, how often it should speak."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,63}$", description="also its API key name")
    adapter: str = Field(description="a name from rtcc/sources/registry.py")
    options: dict[str, Any] = Field(default_factory=dict, description="the adapter's options")
    transport: Literal["http", "udp", "tcp", "mqtt", "poll", "file"] = Field(
        "http",
        description=(
            "http: the feed POSTs to /api/v1/sources/{name}/messages with its key; "
            "udp/tcp: we listen on host:port; mqtt: we subscribe to `topic` on the broker at "
            "host:port; poll: we GET `url` every `poll_s`; file: we follow the file at `path`"
        ),
    )
    host: str = Field("127.0.0.1", description="bind address (udp/tcp) or broker (mqtt)")
    port: int | None = Field(None, ge=1, le=65535)
    topic: str | None = Field(None, description="mqtt: topic filter, e.g. avl/+/nmea")
    url: str | None = Field(None, description="poll: the URL to GET (an API, a Socrata query)")
    headers: dict[str, str] = Field(default_factory=dict, description="poll: request headers")
    path: str | None = Field(None, description="file: the file to follow, like tail -F")
    poll_s: float = Field(10.0, gt=0, description="poll/file: how often to look")
    heartbeat_s: float = Field(
        60.0, gt=0, description="longest normal silence; once over it: degraded, twice: unavailable"
    )
    queue_size: int = Field(10_000, ge=10, description="messages buffered before dropping")

    @model_validator(mode="after")
    def _what_the_transport_needs(self) -> "SourceConfig":
        needs = {"udp": "port", "tcp": "port", "mqtt": "topic", "poll": "url", "file": "path"}
        field = needs.get(self.transport)
        if field and getattr(self, field) is None:
            raise ValueError(f"source {self.name}: transport {self.transport} needs a {field}")
        return self
