"""Microsoft Teams: an Adaptive Card posted to an incoming webhook or a Workflows URL.

Quirk: the old connector webhooks may answer HTTP 200 with an error in the body (e.g.
"Webhook message delivery failed with error: … 429"); that is read as a failure.
"""

import json
from typing import ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.base import DeliveryError, Receipt
from rtcc.outputs.http_post import host_of, post
from rtcc.outputs.summary import OSM_LINK
from rtcc.outputs.teams_format import message


class TeamsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: SecretStr = Field(description="incoming webhook / Workflows URL (a secret)")
    timeout_s: float = Field(10.0, gt=0, le=120, description="per request")
    map_link: str = Field(OSM_LINK, description="location link, with {lat} and {lon}")

    @field_validator("webhook_url")
    @classmethod
    def _http(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value


class TeamsChannel:
    kind: ClassVar[str] = "teams"
    options_model: ClassVar[type[BaseModel]] = TeamsOptions

    def __init__(self, name: str, options: TeamsOptions) -> None:
        self.name = name
        self._options = options
        self._url = options.webhook_url.get_secret_value()
        self._client = httpx.AsyncClient(timeout=options.timeout_s)

    async def deliver(self, alert: Alert) -> Receipt:
        body = json.dumps(message(alert, self._options.map_link)).encode()
        headers = {"Content-Type": "application/json"}
        response = await post(self._client, self._url, body, headers)
        text = response.text
        if "failed" in text.lower():  # connector webhooks: 200 with the error in the body
            retryable = "429" in text or "HTTP error 5" in text
            reason = f"{host_of(self._url)} answered 200 but: {text[:200]}"
            raise DeliveryError(reason, retryable=retryable)
        return Receipt(self.name, alert.id, utcnow(), {"status": response.status_code})

    async def close(self) -> None:
        await self._client.aclose()
