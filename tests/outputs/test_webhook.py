"""Generic webhook and CAD note: payload shape, HMAC signature, replay refusal, errors."""

import json
import time

import pytest

from rtcc.outputs.base import DeliveryError
from rtcc.outputs.cad_note import CadNoteChannel, CadNoteOptions, note_text
from rtcc.outputs.config import ChannelConfig
from rtcc.outputs.dispatcher import build_channel
from rtcc.outputs.webhook import SignedPostOptions, WebhookChannel
from rtcc.outputs.webhook_verify import SignatureError, sign, verify
from tests.outputs.alerts import gunshot_alert
from tests.outputs.receiver import closed_port_url, receiver

SECRET = "s3cret-s3cret-s3cret"


def _check_signed(headers: dict[str, str], body: bytes) -> None:
    verify(SECRET.encode(), body, headers.get("X-RTCC-Timestamp"), headers.get("X-RTCC-Signature"))


async def test_webhook_posts_the_alert_wire_form_signed() -> None:
    alert = gunshot_alert()
    with receiver() as rx:
        options = SignedPostOptions.model_validate({"url": rx.url + "/hook", "secret": SECRET})
        channel = WebhookChannel("hook", options)
        receipt = await channel.deliver(alert)
        await channel.close()
    [request] = rx.requests
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    _check_signed(request.headers, request.body)
    sent = request.json()
    assert sent["id"] == "a1" and sent["rule"] == "gunshot_nearby"
    assert sent["location"] == {"lat": 39.9612, "lon": -82.9988, "accuracy_m": 25.0}
    assert sent["detail"]["incident"]["id"] == "CAD-2026-114"
    assert receipt.alert_id == "a1" and receipt.channel == "hook"
    assert receipt.detail == {"status": 200}


def test_verify_refuses_a_forged_a_tampered_and_a_replayed_request() -> None:
    body = b'{"id":"a1"}'
    now = int(time.time())
    good = sign(SECRET.encode(), now, body)
    verify(SECRET.encode(), body, str(now), good)  # the genuine one passes
    forged = sign(b"someone-elses-secret-key", now, body)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET.encode(), body, str(now), forged)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET.encode(), b'{"id":"a2"}', str(now), good)
    with pytest.raises(SignatureError, match="does not match"):  # a fresh time on an old MAC
        verify(SECRET.encode(), body, str(now + 1), good)
    old = now - 3600
    with pytest.raises(SignatureError, match="replay"):
        verify(SECRET.encode(), body, str(old), sign(SECRET.encode(), old, body))
    with pytest.raises(SignatureError, match="missing"):
        verify(SECRET.encode(), body, None, good)
    with pytest.raises(SignatureError, match="Unix seconds"):
        verify(SECRET.encode(), body, "yesterday", good)
    # During a secret rotation the sender may list two signatures; one match is enough.
    verify(SECRET.encode(), body, str(now), f"{forged}, {good}")


async def test_cad_note_body_is_a_signed_narrative_for_the_incident() -> None:
    alert = gunshot_alert()
    with receiver() as rx:
        options = CadNoteOptions.model_validate(
            {"url": rx.url + "/cad/notes", "secret": SECRET, "author": "RTCC-Columbus"}
        )
        channel = CadNoteChannel("cad", options)
        receipt = await channel.deliver(alert)
        await channel.close()
    [request] = rx.requests
    _check_signed(request.headers, request.body)
    note = request.json()
    assert set(note) == {"incident_id", "note_text", "author", "created_at"}
    assert note["incident_id"] == "CAD-2026-114"
    assert note["author"] == "RTCC-Columbus"
    assert note["created_at"] == "2026-11-25T20:14:05.000000+00:00"
    text = note["note_text"]
    assert text.startswith("RTCC CRITICAL ALERT: Gunshot, 4 rounds")
    assert "Location 39.961200, -82.998800 (±25 m)." in text
    assert "Cameras: High & Broad <NE>, Gay St." in text  # plain text: no escaping
    assert "Plates: ABC1234 (OH)." in text and "Units: 1A12, 1A14, K9-2." in text
    assert receipt.detail["incident_id"] == "CAD-2026-114"


def test_cad_note_text_respects_the_cad_field_limit() -> None:
    text = note_text(gunshot_alert(), max_chars=200)
    assert len(text) == 200 and text.endswith("…")


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (401, False)]
)
async def test_http_errors_are_retryable_only_when_trying_later_can_work(
    status: int, retryable: bool
) -> None:
    with receiver() as rx:
        rx.default = (status, "nope")
        options = SignedPostOptions.model_validate({"url": rx.url, "secret": SECRET})
        channel = WebhookChannel("hook", options)
        with pytest.raises(DeliveryError) as caught:
            await channel.deliver(gunshot_alert())
        await channel.close()
    assert caught.value.retryable is retryable
    assert f"HTTP {status}" in caught.value.reason


async def test_a_receiver_that_is_down_is_a_retryable_failure() -> None:
    options = SignedPostOptions.model_validate({"url": closed_port_url(), "secret": SECRET})
    channel = WebhookChannel("hook", options)
    with pytest.raises(DeliveryError) as caught:
        await channel.deliver(gunshot_alert())
    await channel.close()
    assert caught.value.retryable and "cannot reach 127.0.0.1" in caught.value.reason


def test_bad_options_are_refused_with_the_setting_name() -> None:
    short = ChannelConfig(name="hook", kind="webhook", options={"url": "http://x", "secret": "k"})
    with pytest.raises(ValueError, match=r"^outputs\[3\]\.options\.secret: "):
        build_channel(3, short)
    no_url = ChannelConfig(name="cad", kind="cad_note", options={"secret": SECRET})
    with pytest.raises(ValueError, match=r"^outputs\[0\]\.options\.url: Field required"):
        build_channel(0, no_url)


def test_the_signature_covers_the_exact_bytes_sent() -> None:
    body = json.dumps({"a": 1}).encode()
    assert sign(b"k", 1, body) != sign(b"k", 1, body + b" ")
