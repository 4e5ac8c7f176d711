"""The `eido` channel: CAD/RMS write-back of each alert as a NENA EIDO incident update.

The CAD (or its EIDO gateway) receives a JSON POST; a 2xx is a delivery. Most CAD
interfaces take EIDO over HTTPS with a bearer token or mutual TLS at a proxy, so extra
headers are an option and nothing here is vendor specific.
"""

from typing import ClassVar

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.base import Receipt
from rtcc.outputs.eido_format import EidoSettings, build_eido
from rtcc.outputs.http_post import post

EIDO_CONTENT_TYPE = "application/json"  # STA-021 registers no media type of its own


class EidoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: HttpUrl = Field(description="the CAD's EIDO endpoint (POST)")
    agency_id: str = Field(
        pattern=r"^[A-Za-z0-9.\-_@]+$",
        description="this agency's globally unique id, e.g. police.example.gov",
    )
    agency_types: list[str] = Field(
        default_factory=lambda: ["police"],
        min_length=1,
        description="IANA urn:emergency:service:responder values, without the prefix",
    )
    issuing_element: str = Field(
        "rtcc", min_length=1, description="functional element id (a FQDN in NG9-1-1)"
    )
    camera_url: str = Field(
        "urn:rtcc:camera:{camera_id}",
        description="link for each camera (the wall's camera page); `{camera_id}` filled in",
    )
    web_url: str | None = Field(None, description="link to the alert; `{alert_id}` filled in")
    include_units: bool = Field(
        True, description="list units near the alert as emergency resources"
    )
    content_type: str = Field(EIDO_CONTENT_TYPE, description="what the CAD expects")
    headers: dict[str, str] = Field(default_factory=dict, description="e.g. Authorization")
    timeout_s: float = Field(10.0, gt=0, le=120)

    @field_validator("camera_url")
    @classmethod
    def _names_the_camera(cls, value: str) -> str:
        if "{camera_id}" not in value:
            raise ValueError("must contain {camera_id}")
        return value

    @field_validator("web_url")
    @classmethod
    def _names_the_alert(cls, value: str | None) -> str | None:
        if value is not None and "{alert_id}" not in value:
            raise ValueError("must contain {alert_id}")
        return value


class EidoChannel:
    kind: ClassVar[str] = "eido"
    options_model: ClassVar[type[BaseModel]] = EidoOptions

    def __init__(self, name: str, options: EidoOptions) -> None:
        self.name = name
        self.options = options
        self.settings = EidoSettings(
            agency_id=options.agency_id,
            agency_types=tuple(options.agency_types),
            issuing_element=options.issuing_element,
            camera_url=options.camera_url,
            web_url=options.web_url,
            include_units=options.include_units,
        )
        self._client = httpx.AsyncClient(timeout=options.timeout_s)

    def document(self, alert: Alert) -> bytes:
        return orjson.dumps(build_eido(self.settings, alert))

    async def deliver(self, alert: Alert) -> Receipt:
        body = self.document(alert)
        headers = {**self.options.headers, "Content-Type": self.options.content_type}
        response = await post(self._client, str(self.options.url), body, headers)
        detail = {"status": response.status_code, "bytes": len(body)}
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def close(self) -> None:
        await self._client.aclose()
