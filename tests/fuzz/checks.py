"""The properties every fuzzed input must hold, shared by the tests and bench/fuzz.py.

Each check raises AssertionError (or lets an unexpected exception through) on a
violation; the tests let it fail, the bench counts it.
"""

import re
from datetime import UTC, datetime
from typing import Any

import orjson

from rtcc.analysis.hotlists.ncic import FileFormat, parse_file
from rtcc.core.events import event_from_stored
from rtcc.pipeline.validate import validate_items
from rtcc.sources.base import Adapter, AdapterError, Framing, split_messages
from rtcc.sources.transports import StreamSplitter
from tests.fuzz.profile import within

REASON = re.compile(r"^[a-z][a-z0-9_]*$")
RECEIVED_AT = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
EXPIRES_AT = datetime(2026, 12, 25, tzinfo=UTC)
PLATE = re.compile(r"^[A-Z0-9]{1,10}$")


def check_refusal(field: str, reason: str, message: str) -> None:
    """A refusal names the field, gives a snake_case reason and words for people."""
    assert isinstance(field, str) and field, f"refusal without a field ({reason}: {message})"
    assert REASON.match(reason), f"reason {reason!r} is not a snake_case code"
    assert isinstance(message, str) and message, f"refusal of {field} without a message"


def check_translate(adapter: Adapter, message: bytes) -> list[dict[str, Any]] | None:
    """Events, or AdapterError naming field and reason; nothing else, and no hang."""
    with within():
        try:
            events = adapter.translate(message)
        except AdapterError as exc:
            check_refusal(exc.field, exc.reason, exc.message)
            return None
    assert isinstance(events, list), f"translate returned {type(events).__name__}"
    assert all(isinstance(e, dict) for e in events), "translate returned a non-dict event"
    check_items(events)
    return events


def check_framing(framing: Framing, data: bytes, cut: int) -> None:
    """A recorded file, or a TCP stream arriving `cut` bytes at a time, is cut into
    non-empty messages without an exception."""
    with within():
        messages = list(split_messages(framing, data))
        splitter = StreamSplitter(framing)
        streamed = [m for i in range(0, len(data), cut) for m in splitter.feed(data[i : i + cut])]
        streamed += splitter.finish()
    assert all(messages) and all(streamed), "an empty message"


def check_items(items: list[Any]) -> None:
    """Every item of a batch becomes an event or at least one ItemError; events survive
    the JSON round trip the queue and the storage give them."""
    with within():
        events, errors = validate_items(items, "fuzz", RECEIVED_AT)
    refused = {e.index for e in errors}
    assert refused <= set(range(len(items))), "an error points outside the batch"
    assert len(events) + len(refused) == len(items), "an item was lost or judged twice"
    for error in errors:
        check_refusal(error.field, error.reason, error.message)
    for event in events:
        text = orjson.dumps(event.to_wire())  # how the queue carries it (NaN becomes null)
        back = event_from_stored(orjson.loads(text))
        assert orjson.dumps(back.to_wire()) == text, "event changed in a JSON round trip"
        assert event.occurred_at.utcoffset() is not None


def check_hotlist_file(data: bytes, fmt: FileFormat) -> None:
    """A hotlist file never raises: every bad line is a LineError, good ones entries."""
    with within():
        parsed = parse_file(data, "fuzz.txt", fmt, EXPIRES_AT)
    lines = data.count(b"\n") + 1
    for error in parsed.errors:
        assert 1 <= error.line <= lines, f"error on line {error.line} of a {lines}-line file"
        assert str(error)
    for entry in parsed.entries:
        assert PLATE.match(entry.plate), f"plate {entry.plate!r} kept"
        assert entry.state is None or re.match(r"^[A-Z]{2}$", entry.state)
