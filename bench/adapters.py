"""Parse-and-normalise throughput of every adapter beside its bare parser library.

For each registered adapter, messages from its conformance fixtures (recorded files and
real data read in place from ../shared/data) are translated over and over; the same
messages go through the bare library call the adapter builds on (pynmea2, defusedxml,
protobuf, pymavlink, json, csv). The ratio shows what the adapter adds: validation,
unit conversion, ids, UTC times. Targets: overhead ≤ 2 times the bare parser; NMEA and CoT
≥ 20,000 messages/s.
"""

import argparse
import csv
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import load_average, markdown_table, print_table, record_section
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rtcc.sources.registry import ADAPTERS  # noqa: E402
from tests.sources.test_conformance import good_files, make_adapter, read_good  # noqa: E402

TARGET_RATIO = 2.0
TARGET_FAST = {"nmea": 20_000, "cot": 20_000}
HEADERS = ["adapter", "messages", "events/msg", "bare msg/s", "adapter msg/s", "overhead", "target"]


def _bare_csv(message: bytes) -> object:
    return list(csv.reader(io.StringIO(message.decode("utf-8", "replace"))))


def _bare_xml(message: bytes) -> object:
    from defusedxml.ElementTree import fromstring

    return fromstring(message, forbid_dtd=True)


def _bare_lxml(message: bytes) -> object:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(message, parser)


def _bare_json_or_xml(message: bytes) -> object:
    return _bare_xml(message) if message.lstrip()[:1] == b"<" else json.loads(message)


def _bare_nmea(message: bytes) -> object:
    import pynmea2

    return pynmea2.parse(message.decode("ascii", "replace"), check=True)


def _bare_gtfs(message: bytes) -> object:
    from google.transit import gtfs_realtime_pb2

    return gtfs_realtime_pb2.FeedMessage.FromString(message)


def _bare_mavlink(message: bytes) -> object:
    from pymavlink.dialects.v20 import common as mavlink2

    return mavlink2.MAVLink(None).parse_buffer(message)


BARE: dict[str, Callable[[bytes], object]] = {
    "nmea": _bare_nmea,
    "gtfs_rt": _bare_gtfs,
    "cot": __import__("functools").partial(
        __import__("lxml.etree", fromlist=["_"]).fromstring,
        parser=__import__("rtcc.sources.cot.parse", fromlist=["_"]).PARSER,
    ),
    "mavlink": _bare_mavlink,
    "eido": json.loads,
    "pidf_lo": _bare_xml,
    "cad_csv": _bare_csv,
    "shotspotter": _bare_json_or_xml,
    "gunshot_csv": _bare_csv,
    "lpr_webhook": json.loads,
    "lpr_csv": _bare_csv,
    "camera_registry": _bare_json_or_xml,
    "onvif": _bare_lxml,
    "bodycam": json.loads,
}


def _rate(fn: Callable[[bytes], object], messages: list[bytes], seconds: float) -> float:
    """Messages per second over repeated passes lasting at least `seconds`."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or done == 0:
        for message in messages:
            fn(message)
        done += len(messages)
    return done / elapsed


def _messages(name: str, limit: int) -> list[bytes]:
    adapter = make_adapter(name)
    found: list[bytes] = []
    for path in good_files(name):
        found += read_good(path, adapter.framing)[:limit]
    return [m for m in found if _translates(name, m)]


def _translates(name: str, message: bytes) -> bool:
    try:
        return bool(make_adapter(name).translate(message))
    except Exception:
        return False


def measure(name: str, seconds: float, limit: int) -> dict[str, Any] | None:
    messages = _messages(name, limit)
    if not messages:
        return None
    adapter = make_adapter(name)
    events = sum(len(adapter.translate(m)) for m in messages)
    bare = _rate(BARE[name], messages, seconds)
    translated = _rate(adapter.translate, messages, seconds)
    return {
        "adapter": name,
        "messages": len(messages),
        "events_per_message": events / len(messages),
        "bare": bare,
        "adapter_rate": translated,
        "overhead": bare / translated,
    }


def _target(row: dict[str, Any]) -> str:
    ok = row["overhead"] <= TARGET_RATIO
    fast = TARGET_FAST.get(row["adapter"])
    parts = [f"≤{TARGET_RATIO:g}x {'met' if ok else 'MISSED'}"]
    if fast:
        parts.append(f"≥{fast:,}/s {'met' if row['adapter_rate'] >= fast else 'MISSED'}")
    return ", ".join(parts)


def table_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            r["adapter"],
            f"{r['messages']:,}",
            f"{r['events_per_message']:.2f}",
            f"{r['bare']:,.0f}",
            f"{r['adapter_rate']:,.0f}",
            f"{r['overhead']:.2f}x",
            _target(r),
        ]
        for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    parser.add_argument("--limit", type=int, default=300, help="messages per fixture file")
    args = parser.parse_args()
    console = Console(width=max(110, Console().width))
    load_before = load_average()
    results = [r for name in sorted(ADAPTERS) if (r := measure(name, args.seconds, args.limit))]
    print_table(
        console,
        "Adapter parse-and-normalise throughput (higher is better)",
        HEADERS,
        table_rows(results),
    )
    if args.record:
        body = markdown_table(HEADERS, table_rows(results)) + (
            "\n\nOverhead = bare messages/s ÷ adapter messages/s on the same messages "
            "(the adapter's fixtures, real data included). One process, one core."
        )
        record_section("adapters", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
