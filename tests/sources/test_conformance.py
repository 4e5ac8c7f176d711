"""The conformance kit: every registered adapter passes the same checks on its fixtures.

Fixture layout (tests/sources/fixtures/<adapter>/):
  options.json            the adapter's options (optional)
  good/<file>             a recorded message file in the real format (split by framing)
  good/<file>.shared      a path under ../shared/data (+ optional "limit: N"), read in place
  bad/<file> + .expect    one message, and the "<field> <reason>" it must be refused with
"""

import contextlib
import json
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import MAX_MESSAGE_BYTES, Adapter, AdapterError, split_messages
from rtcc.sources.registry import ADAPTERS, adapter_class

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(
    os.environ.get(
        "RTCC_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)


def make_adapter(name: str) -> Adapter:
    cls = adapter_class(name)
    options_file = FIXTURES / name / "options.json"
    raw = json.loads(options_file.read_text()) if options_file.exists() else {}
    options = cls.options_model.model_validate_json(json.dumps(raw))
    return cls(options)  # type: ignore[call-arg]


def good_files(name: str) -> list[Path]:
    folder = FIXTURES / name / "good"
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []


def read_good(path: Path, framing: str) -> list[bytes]:
    if path.suffix != ".shared":
        return list(split_messages(framing, path.read_bytes()))  # type: ignore[arg-type]
    lines = path.read_text().splitlines()
    target = SHARED / lines[0].strip()
    if not target.exists():
        pytest.skip(f"real data not found: {target} (set RTCC_SHARED_DATA)")
    limit = int(lines[1].split(":", 1)[1]) if len(lines) > 1 else None
    messages = list(split_messages(framing, target.read_bytes()))  # type: ignore[arg-type]
    return messages[:limit] if limit else messages


def bad_cases(name: str) -> Iterator[tuple[Path, str, str]]:
    folder = FIXTURES / name / "bad"
    for expect in sorted(folder.glob("*.expect")) if folder.is_dir() else []:
        field, reason = expect.read_text().strip().rsplit(maxsplit=1)  # fields may hold spaces
        yield expect.with_suffix(""), field, reason


def check_events(events: list[dict[str, object]]) -> None:
    for event in events:
        item = EVENT_IN_ADAPTER.validate_python(event)
        assert item.occurred_at.utcoffset() is not None
        assert item.occurred_at.astimezone(UTC) == item.occurred_at


NAMES = sorted(ADAPTERS)


@pytest.mark.parametrize("name", NAMES)
def test_adapter_declares_its_shape(name: str) -> None:
    cls = adapter_class(name)
    assert cls.name == name
    assert cls.kinds and cls.framing in ("datagram", "lines", "cot", "document", "csv")
    assert len(good_files(name)) >= 2, "at least two good fixtures"
    assert len(list(bad_cases(name))) >= 3, "at least three bad fixtures"


@pytest.mark.parametrize("name", NAMES)
def test_good_fixtures_translate_to_valid_utc_events(name: str) -> None:
    adapter = make_adapter(name)
    for path in good_files(name):
        total = 0
        for message in read_good(path, adapter.framing):
            events = adapter.translate(message)
            check_events(events)
            assert {e["kind"] for e in events} <= {k.value for k in adapter.kinds}
            total += len(events)
        assert total >= 1, f"{path.name} yielded no events"


@pytest.mark.parametrize("name", NAMES)
def test_bad_fixtures_are_refused_with_field_and_reason(name: str) -> None:
    adapter = make_adapter(name)
    for path, field, reason in bad_cases(name):
        with pytest.raises(AdapterError) as refused:
            adapter.translate(path.read_bytes())
        assert (refused.value.field, refused.value.reason) == (field, reason), path.name
        assert refused.value.message


def _survives(adapter: Adapter, message: bytes) -> None:
    try:
        events = adapter.translate(message)
    except AdapterError as exc:
        assert exc.field and exc.reason
        return
    # Events the strict ingest model refuses are refused there item by item; what matters
    # here is that the adapter neither crashed nor hung.
    with contextlib.suppress(ValidationError):
        check_events(events)


@pytest.mark.parametrize("name", NAMES)
def test_survives_truncation_garbage_and_size(name: str) -> None:
    adapter = make_adapter(name)
    rng = random.Random(1881)
    samples = [m for p in good_files(name) for m in read_good(p, adapter.framing)[:3]]
    for message in samples:
        for cut in sorted({1, len(message) // 3, len(message) // 2, len(message) - 1}):
            _survives(adapter, message[:cut])
    for size in (0, 1, 17, 512, 4096):
        _survives(adapter, rng.randbytes(size))
    _survives(adapter, b"\xff\xfe\x00garbage\xc3\x28")
    with pytest.raises(AdapterError) as too_big:
        adapter.translate(b"0" * (MAX_MESSAGE_BYTES + 1))
    assert too_big.value.reason == "too_large"


@pytest.mark.parametrize("name", NAMES)
def test_timestamps_round_trip_in_utc(name: str) -> None:
    adapter = make_adapter(name)
    for path in good_files(name)[:1]:
        for message in read_good(path, adapter.framing)[:20]:
            for event in adapter.translate(message):
                stamp = str(event["occurred_at"])
                parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
