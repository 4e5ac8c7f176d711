"""Parse-and-normalise throughput of every adapter beside its bare parser library.

For each registered adapter, messages from its conformance fixtures (recorded files and
real data read in place from ../shared/data) are translated over and over; the same
messages go through the bare library call the adapter builds on (pynmea2, lxml,
defusedxml, protobuf, pymavlink, json, csv; for EIDO, the JSON and its embedded XML), each
set up once. The ratio shows what the adapter adds: validation, unit conversion, ids, UTC
times. Targets: overhead ≤ 2 times the bare parser; NMEA and CoT
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
from functools import partial
from pathlib import Path
from typing import Any

import pynmea2
from common import load_average, markdown_table, print_table, record_section
from defusedxml.ElementTree import fromstring as defused_fromstring
from google.transit import gtfs_realtime_pb2
from lxml import etree
from pymavlink.dialects.v20 import common as mavlink2
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from rtcc.sources.cot.parse import PARSER as COT_PARSER  # noqa: E402
from rtcc.sources.registry import ADAPTERS  # noqa: E402
from tests.sources.test_conformance import good_files, make_adapter, read_good  # noqa: E402

TARGET_RATIO = 2.0
TARGET_FAST = {"nmea": 20_000, "cot": 20_000}
HEADERS = ["adapter", "messages", "events/msg", "bare msg/s", "adapter msg/s", "overhead", "target"]


def _bare_csv(message: bytes) -> object:
    return list(csv.reader(io.StringIO(message.decode("utf-8", "replace"))))


def _bare_xml(message: bytes) -> object:
    return defused_fromstring(message, forbid_dtd=True)


_LXML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_LXML_RECOVER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, recover=True
)


def _bare_lxml(message: bytes) -> object:
    return etree.fromstring(message, _LXML_PARSER)


def _bare_eido(message: bytes) -> object:
    """The JSON, and the PIDF-LO XML embedded in its location components (read leniently,
    as the adapter does: the official sample's XML is malformed)."""
    doc = json.loads(message)
    components = doc.get("locationComponent") if isinstance(doc, dict) else None
    for component in components if isinstance(components, list) else []:
        xml = component.get("locationByValue") if isinstance(component, dict) else None
        if isinstance(xml, str) and xml.strip():
            etree.fromstring(xml.strip().encode(), _LXML_RECOVER)
    return doc


def _bare_json_or_xml(message: bytes) -> object:
    return _bare_xml(message) if message.lstrip()[:1] == b"<" else json.loads(message)


def _bare_nmea(message: bytes) -> object:
    return pynmea2.parse(message.decode("ascii", "replace"), check=True)


def _bare_mavlink(message: bytes) -> object:
    return mavlink2.MAVLink(None).parse_buffer(message)


# The bare library call each adapter builds on, set up once (parsers, imports) so the
# baseline is the library at its fastest and the ratio is all the adapter's own work.
BARE: dict[str, Callable[[bytes], object]] = {
    "nmea": _bare_nmea,
    "gtfs_rt": gtfs_realtime_pb2.FeedMessage.FromString,
    "cot": partial(etree.fromstring, parser=COT_PARSER),
    "mavlink": _bare_mavlink,
    "eido": _bare_eido,
    "pidf_lo": _bare_lxml,
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
