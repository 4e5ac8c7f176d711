"""Generic webhook: the alert's wire form as JSON, POSTed and signed (HMAC-SHA256 + time).

Receivers verify with `rtcc/outputs/webhook_verify.py` and refuse stale timestamps, so a
captured request cannot be replayed. `cad_note` reuses the signing.
"""

import json
import time
from typing import Any, ClassVar

import httpx
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.base import Receipt
from rtcc.outputs.http_post import post
from rtcc.outputs.webhook_verify import sign


class SignedPostOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: AnyHttpUrl = Field(description="where to POST")
    secret: SecretStr = Field(min_length=16, description="shared HMAC key (≥ 16 characters)")
    timeout_s: float = Field(10.0, gt=0, le=120, description="per request")
    headers: dict[str, str] = Field(
        default_factory=dict, description="extra headers, e.g. the receiver's API key"
    )


def signed_headers(secret: SecretStr, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "X-RTCC-Timestamp": str(ts),
        "X-RTCC-Signature": sign(secret.get_secret_value().encode(), ts, body),
    }


class SignedPoster:
    """Shared by the webhook-shaped channels: one HTTP client, a signed JSON POST."""

    def __init__(self, options: SignedPostOptions) -> None:
        self.options = options
        self._client = httpx.AsyncClient(timeout=options.timeout_s)

    async def send(self, document: dict[str, Any]) -> httpx.Response:
        body = json.dumps(document, separators=(",", ":")).encode()
        headers = {**self.options.headers, **signed_headers(self.options.secret, body)}
        return await post(self._client, str(self.options.url), body, headers)

    async def close(self) -> None:
        await self._client.aclose()


class WebhookChannel:
    kind: ClassVar[str] = "webhook"
    options_model: ClassVar[type[BaseModel]] = SignedPostOptions

    def __init__(self, name: str, options: SignedPostOptions) -> None:
        self.name = name
        self._poster = SignedPoster(options)

    async def deliver(self, alert: Alert) -> Receipt:
        response = await self._poster.send(alert.to_wire())
        detail = {"status": response.status_code}
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def close(self) -> None:
        await self._poster.close()
