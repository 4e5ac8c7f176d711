"""An MQTT subscription as a push feed: each message's payload is one or more messages."""

import asyncio
import logging

import aiomqtt

from rtcc.sources.base import split_messages
from rtcc.sources.pollers import MAX_BACKOFF_S
from rtcc.sources.transports import QueuedFeed

log = logging.getLogger(__name__)


async def subscribe_mqtt(queued: QueuedFeed) -> None:
    """Stay subscribed to `topic` on the broker; reconnect with backoff, logged once."""
    config = queued.feed.config
    assert config.topic is not None and config.port is not None
    framing = (
        "document" if queued.feed.adapter.framing == "datagram" else queued.feed.adapter.framing
    )
    wait, down = 1.0, False
    while True:
        try:
            async with aiomqtt.Client(
                config.host, config.port, identifier=f"rtcc-{config.name}"
            ) as client:
                await client.subscribe(config.topic, qos=1)
                if down:
                    log.warning("source %s: broker reachable again", config.name)
                wait, down = 1.0, False
                async for message in client.messages:
                    payload = message.payload
                    if isinstance(payload, bytes | bytearray):
                        for part in split_messages(framing, bytes(payload)):
                            queued.offer(part)
        except aiomqtt.MqttError as exc:
            if not down:
                log.warning(
                    "source %s: broker %s:%s unreachable (%s)",
                    config.name,
                    config.host,
                    config.port,
                    exc,
                )
                down = True
            await asyncio.sleep(wait)
            wait = min(wait * 2, MAX_BACKOFF_S)
