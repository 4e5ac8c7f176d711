"""Slack: Block Kit messages through slack_sdk, by incoming webhook or by bot token.

Options take exactly one of `webhook_url` (an incoming webhook, bound to one channel) or
`bot_token` + `channel_id` (chat.postMessage, which can post to any channel the bot is
in). slack_sdk's own retries are turned off: the dispatcher owns retries.
"""

from typing import Any, ClassVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.base import DeliveryError, Receipt
from rtcc.outputs.http_post import host_of, raise_for_status
from rtcc.outputs.slack_format import blocks, fallback_text
from rtcc.outputs.summary import OSM_LINK


class SlackOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: SecretStr | None = Field(None, description="incoming webhook URL (a secret)")
    bot_token: SecretStr | None = Field(None, description="xoxb-… bot token for chat.postMessage")
    channel_id: str | None = Field(None, pattern=r"^[A-Z0-9]{6,20}$", description="e.g. C0123ABCD")
    api_base_url: str = Field(
        "https://slack.com/api/", pattern=r"^https?://.+/$", description="Web API base URL"
    )
    timeout_s: int = Field(10, ge=1, le=120, description="per request, seconds")
    map_link: str = Field(OSM_LINK, description="location link, with {lat} and {lon}")

    @model_validator(mode="after")
    def _one_way_in(self) -> "SlackOptions":
        if (self.webhook_url is None) == (self.bot_token is None):
            raise ValueError("set exactly one of webhook_url or bot_token")
        if self.bot_token is not None and self.channel_id is None:
            raise ValueError("channel_id is required with bot_token")
        if self.webhook_url is not None and not self.webhook_url.get_secret_value().startswith(
            ("https://", "http://")
        ):
            raise ValueError("webhook_url must be an http(s) URL")
        return self


class SlackChannel:
    kind: ClassVar[str] = "slack"
    options_model: ClassVar[type[BaseModel]] = SlackOptions

    def __init__(self, name: str, options: SlackOptions) -> None:
        self.name = name
        self._options = options
        self._webhook: AsyncWebhookClient | None = None
        self._web: AsyncWebClient | None = None
        if options.webhook_url is not None:
            url = options.webhook_url.get_secret_value()
            self._host = host_of(url)
            self._webhook = AsyncWebhookClient(url, timeout=options.timeout_s, retry_handlers=[])
        else:
            assert options.bot_token is not None
            self._host = host_of(options.api_base_url)
            self._web = AsyncWebClient(
                token=options.bot_token.get_secret_value(),
                base_url=options.api_base_url,
                timeout=options.timeout_s,
                retry_handlers=[],
            )

    async def deliver(self, alert: Alert) -> Receipt:
        text, rendered = fallback_text(alert), blocks(alert, self._options.map_link)
        try:
            detail = await self._send(text, rendered)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryError(
                f"cannot reach {self._host}: {type(exc).__name__}", retryable=True
            ) from None
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            retryable = status == 429 or status >= 500
            raise DeliveryError(
                f"Slack refused chat.postMessage: HTTP {status} {error}", retryable=retryable
            ) from None
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def _send(self, text: str, rendered: list[dict[str, Any]]) -> dict[str, Any]:
        if self._webhook is not None:
            response = await self._webhook.send(text=text, blocks=rendered)
            raise_for_status(response.status_code, self._host, response.body)
            return {"status": response.status_code}
        assert self._web is not None and self._options.channel_id is not None
        answer = await self._web.chat_postMessage(
            channel=self._options.channel_id, text=text, blocks=rendered
        )
        return {"status": answer.status_code, "ts": answer.get("ts")}

    async def close(self) -> None:
        """slack_sdk opens a session per request when none is given; nothing to release."""
