"""`rtcc replay`: a recorded file through the same adapter and the public ingest API.

The file is cut into messages by the adapter's framing and translated exactly as a
live feed would be; the events are then posted in time order, paced by their own
`occurred_at` divided by `speed` (0 = as fast as the server takes them).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from rtcc.core.clock import utcnow
from rtcc.simulator.ingest import BatchSender, SimStats
from rtcc.sources.base import Adapter, AdapterError, WireEvent, split_messages

BATCH = 1000
MIN_PAUSE_S = 0.05  # events closer together than this go in one batch


@dataclass(frozen=True, slots=True)
class Refusal:
    message_number: int  # 1-based: the line of a line-framed file, the row of a CSV
    field: str
    reason: str
    text: str


@dataclass(slots=True)
class ReplayPlan:
    events: list[WireEvent] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    messages: int = 0


def plan_replay(path: Path, adapter: Adapter) -> ReplayPlan:
    """Translate the whole file; refused messages are kept with their number and reason."""
    plan = ReplayPlan()
    for number, message in enumerate(split_messages(adapter.framing, path.read_bytes()), 1):
        plan.messages += 1
        try:
            plan.events.extend(adapter.translate(message))
        except AdapterError as exc:
            plan.refusals.append(Refusal(number, exc.field, exc.reason, exc.message))
    return plan


def _when(event: WireEvent) -> datetime:
    return datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00"))


def paced_batches(events: list[WireEvent], speed: float) -> list[tuple[float, list[WireEvent]]]:
    """(seconds after start, batch) pairs in time order; speed 0 sends all at once."""
    ordered = sorted(events, key=_when)
    if not ordered:
        return []
    start = _when(ordered[0])
    batches: list[tuple[float, list[WireEvent]]] = []
    for event in ordered:
        offset = (_when(event) - start).total_seconds() / speed if speed > 0 else 0.0
        if batches and offset - batches[-1][0] < MIN_PAUSE_S and len(batches[-1][1]) < BATCH:
            batches[-1][1].append(event)
        else:
            batches.append((offset, [event]))
    return batches


async def send_replay(
    base_url: str,
    api_key: str,
    batches: list[tuple[float, list[WireEvent]]],
    on_progress: Callable[[int], None],
    transport: httpx.AsyncBaseTransport | None = None,
) -> SimStats:
    """Post each batch at its offset; the sender retries outages with the same event ids."""
    stats = SimStats()
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with httpx.AsyncClient(transport=transport, timeout=30.0) as client:
        sender = BatchSender(client, base_url, api_key, stats, utcnow, asyncio.sleep)
        for offset, batch in batches:
            delay = started + offset - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await sender.send(batch)
            on_progress(len(batch))
    return stats
