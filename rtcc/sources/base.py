"""What every adapter is: a translator from one wire format's messages to event dicts.

An adapter never stores, alerts or checks permissions. It returns wire dicts in the
`EventIn` shape (rtcc/core/events.py), which then take the one ingest path, so the
strict validation, dedup and counting are the same for every feed. A message the
adapter cannot read raises `AdapterError` naming the field and the reason.
"""

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from rtcc.core.errors import FieldError
from rtcc.core.events import EventKind

WireEvent = dict[str, Any]
Framing = Literal["datagram", "lines", "cot", "document", "csv"]
MAX_MESSAGE_BYTES = 1024 * 1024


class AdapterError(FieldError):
    """A message that cannot be translated: which field, which reason, in words."""


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """In a document of many records: one skipped (`skipped`), or a value dropped from a
    record that was kept, and why. A bad record must not sink the document."""

    index: int
    field: str
    reason: str
    message: str
    skipped: bool = True


def json_records(message: bytes, batch_keys: tuple[str, ...], what: str) -> tuple[bool, list[Any]]:
    """(is a batch, the records) of a JSON webhook body: one object, an array of them, or
    an envelope holding the array under one of `batch_keys`."""
    try:
        body: Any = json.loads(message)
    except (ValueError, RecursionError) as exc:
        raise AdapterError("body", "not_json", str(exc)[:200]) from exc
    if isinstance(body, list):
        return True, body
    if not isinstance(body, dict):
        raise AdapterError("body", "not_an_object", f"{what}, an array or an envelope")
    for key in batch_keys:
        if isinstance(body.get(key), list):
            return True, body[key]
    return False, [body]


class AdapterOptions(BaseModel):
    """Per-source options of an adapter (subclassed by adapters that need any)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Adapter(Protocol):
    """One wire format. Constructed once per configured source with its options."""

    name: ClassVar[str]
    kinds: ClassVar[tuple[EventKind, ...]]
    framing: ClassVar[Framing]
    options_model: ClassVar[type[AdapterOptions]]

    def translate(self, message: bytes) -> list[WireEvent]:
        """Events carried by one message (possibly none, e.g. a heartbeat)."""
        ...


def split_messages(framing: Framing, data: bytes) -> Iterator[bytes]:
    """Cut a recorded file or a stream buffer into the messages an adapter translates.

    `csv` yields the header line joined to each row, so every message stands alone.
    """
    if framing in ("datagram", "document"):
        if data.strip():
            yield data
    elif framing == "lines":
        for line in data.splitlines():
            if line.strip():
                yield line.strip()
    elif framing == "cot":
        yield from _cot_events(data)
    elif framing == "csv":
        yield from _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[bytes]:
    """Header + one row per message; quoted fields may span lines, so use the csv module."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    header = next(rows, None)
    if header is None:
        return
    for row in rows:
        if any(cell.strip() for cell in row):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows([header, row])
            yield out.getvalue().encode()


def _cot_events(data: bytes) -> Iterator[bytes]:
    """CoT streams are concatenated `<event>…</event>` documents with no delimiter."""
    end_tag = b"</event>"
    start = 0
    while True:
        end = data.find(end_tag, start)
        if end < 0:
            rest = data[start:].strip()
            if rest:
                yield rest  # truncated tail: the adapter reports it
            return
        yield data[start : end + len(end_tag)].strip()
        start = end + len(end_tag)
