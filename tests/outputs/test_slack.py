"""Slack: Block Kit through slack_sdk, by incoming webhook and by bot token (local receivers)."""

from typing import Any

import pytest

from rtcc.outputs.base import DeliveryError
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.dispatcher import build_channel
from rtcc.outputs.slack import SlackChannel, SlackOptions
from tests.outputs.alerts import gunshot_alert
from tests.outputs.receiver import closed_port_url, receiver

TOKEN = "xoxb-test-token"


def _check_blocks(sent: dict[str, Any]) -> None:
    assert sent["text"].startswith("[CRITICAL] Gunshot, 4 rounds")
    header, section, context = sent["blocks"]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert "CRITICAL" in header["text"]["text"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("*Gunshot, 4 rounds")
    fields = {f["text"].split("\n")[0]: f["text"].split("\n", 1)[1] for f in section["fields"]}
    assert fields["*Rule*"] == "gunshot_nearby"
    assert fields["*Time*"] == "2026-11-25 20:14:05 UTC"
    assert fields["*Location*"] == (
        "<https://www.openstreetmap.org/?mlat=39.961200&mlon=-82.998800"
        "#map=18/39.961200/-82.998800|39.961200, -82.998800 (±25 m)>"
    )
    assert fields["*Incident*"] == "CAD-2026-114"
    assert context["type"] == "context"
    counts = context["elements"][0]["text"]
    assert counts == "2 cameras (1 in view) · 1 plate reads · 3 units"


async def test_incoming_webhook_gets_block_kit() -> None:
    with receiver() as rx:
        options = SlackOptions.model_validate({"webhook_url": rx.url + "/services/T/B/X"})
        channel = SlackChannel("slack-rtcc", options)
        receipt = await channel.deliver(gunshot_alert())
        await channel.close()
    [request] = rx.requests
    assert request.path == "/services/T/B/X"
    _check_blocks(request.json())
    assert receipt.detail == {"status": 200}


async def test_bot_token_posts_with_chat_post_message() -> None:
    with receiver(content_type="application/json") as rx:
        rx.default = (200, '{"ok": true, "channel": "C0123ABCD", "ts": "1764390000.000100"}')
        options = SlackOptions.model_validate(
            {"bot_token": TOKEN, "channel_id": "C0123ABCD", "api_base_url": rx.url + "/api/"}
        )
        channel = SlackChannel("slack-bot", options)
        receipt = await channel.deliver(gunshot_alert())
    [request] = rx.requests
    assert request.path == "/api/chat.postMessage"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    sent = request.json()
    assert sent["channel"] == "C0123ABCD"
    _check_blocks(sent)
    assert receipt.detail["ts"] == "1764390000.000100"


async def test_mrkdwn_control_characters_are_escaped() -> None:
    alert = gunshot_alert()
    alert = type(alert)(**{**_fields(alert), "title": "Shots <@here> & more"})
    with receiver() as rx:
        channel = SlackChannel("s", SlackOptions.model_validate({"webhook_url": rx.url}))
        await channel.deliver(alert)
    section = rx.requests[0].json()["blocks"][1]
    assert section["text"]["text"] == "*Shots &lt;@here&gt; &amp; more*"


def _fields(alert: Any) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in alert.__slots__}


async def test_slack_api_errors_say_whether_to_retry() -> None:
    with receiver(content_type="application/json") as rx:
        rx.answers = [(200, '{"ok": false, "error": "channel_not_found"}'), (429, '{"ok": false}')]
        options = SlackOptions.model_validate(
            {"bot_token": TOKEN, "channel_id": "C0123ABCD", "api_base_url": rx.url + "/api/"}
        )
        channel = SlackChannel("slack-bot", options)
        with pytest.raises(DeliveryError) as refused:
            await channel.deliver(gunshot_alert())
        with pytest.raises(DeliveryError) as limited:
            await channel.deliver(gunshot_alert())
    assert not refused.value.retryable and "channel_not_found" in refused.value.reason
    assert limited.value.retryable and "429" in limited.value.reason


async def test_webhook_errors_and_a_dead_host() -> None:
    with receiver() as rx:
        rx.answers = [(404, "no_service"), (500, "oops")]
        channel = SlackChannel("s", SlackOptions.model_validate({"webhook_url": rx.url + "/x"}))
        with pytest.raises(DeliveryError) as gone:
            await channel.deliver(gunshot_alert())
        with pytest.raises(DeliveryError) as broken:
            await channel.deliver(gunshot_alert())
    assert not gone.value.retryable and broken.value.retryable
    down = SlackChannel("s", SlackOptions.model_validate({"webhook_url": closed_port_url()}))
    with pytest.raises(DeliveryError) as caught:
        await down.deliver(gunshot_alert())
    assert caught.value.retryable and "cannot reach 127.0.0.1" in caught.value.reason
    assert "/x" not in caught.value.reason  # the webhook path is the secret: never logged


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "set exactly one of webhook_url or bot_token"),
        ({"webhook_url": "https://h/x", "bot_token": TOKEN}, "set exactly one"),
        ({"bot_token": TOKEN}, "channel_id is required"),
        ({"webhook_url": "ftp://h/x"}, "must be an http"),
        ({"webhook_url": "https://h/x", "colour": "red"}, "Extra inputs"),
    ],
)
def test_bad_slack_options_are_refused_at_start(options: dict[str, Any], message: str) -> None:
    config = ChannelConfig(name="slack", kind="slack", options=options)
    with pytest.raises(ValueError, match=r"^outputs\[1\]\.options") as caught:
        build_channel(1, config)
    assert message in str(caught.value)
