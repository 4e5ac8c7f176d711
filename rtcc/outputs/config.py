"""How a deployment declares its output channels (the `outputs:` list of the settings file)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChannelConfig(BaseModel):
    """One channel: which kind, its own options (validated by that kind's model at start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,63}$", description="shown on the wall")
    kind: str = Field(description="a name from rtcc/outputs/registry.py")
    options: dict[str, Any] = Field(default_factory=dict, description="the channel's options")
    enabled: bool = True
    max_attempts: int = Field(5, ge=1, le=50, description="tries before dead-lettering")
    backoff_s: float = Field(1.0, gt=0, le=600, description="first retry delay; doubles")
    queue_size: int = Field(1000, ge=1, description="alerts waiting before the oldest is dropped")
