"""Cursor-on-Target: events valid against MITRE's CoT schemas, through a REAL TAK server
(taky, a subprocess) to a second TAK client (pytak's connection), reconnects, and the
fan-out server mode (order, replay on connect, slow clients cut off)."""

import asyncio
import configparser
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytak
import pytest
import xmlschema
from lxml import etree
from pydantic import ValidationError

from rtcc.outputs.base import DeliveryError
from rtcc.outputs.cot import CotChannel, CotOptions
from rtcc.outputs.cot_format import CotSettings, build_events
from rtcc.outputs.registry import channel_class
from tests.outputs.doc_alerts import full_gunshot, geofence_alert, no_location_alert

MITRE = (
    (
        Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "schemas" / "cot_tak"
    ).resolve()
    / "takcot"
    / "mitre"
)
SCHEMAS = (
    "CoT Base-Event Schema  (PUBLIC RELEASE).xsd",
    "CoT Contact Schema (PUBLIC RELEASE).xsd",
    "CoT Remarks Schema  (PUBLIC RELEASE).xsd",
)


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> xmlschema.XMLSchema:
    """MITRE's base event schema with the contact and remarks sub-schemas (checked in
    <detail>, which the base schema leaves open)."""
    includes = "".join(f'<xs:include schemaLocation="{(MITRE / n).as_uri()}"/>' for n in SCHEMAS)
    wrapper = tmp_path_factory.mktemp("cot") / "cot.xsd"
    wrapper.write_text(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{includes}</xs:schema>'
    )
    return xmlschema.XMLSchema(str(wrapper))


def _events(data: bytes) -> list[etree._Element]:
    """Split a TAK stream (concatenated <event>s) into elements."""
    parser = etree.XMLPullParser(events=("end",), tag="event")
    parser.feed(b"<stream>" + data + b"</stream>")
    return [el for _, el in parser.read_events()]


def _check(schema: xmlschema.XMLSchema, event: etree._Element) -> None:
    schema.validate(etree.tostring(event).decode())
    point = event.find("point")
    assert point is not None
    for name in ("hae", "ce", "le"):  # taky drops events without them, silently
        float(point.get(name) or "")
    for name in ("time", "start", "stale"):
        assert event.get(name), name


def _settings(prefix: str = "T") -> CotSettings:
    options = CotOptions(uid_prefix=prefix)
    return CotChannel("c", options).settings


def test_events_are_valid_cot_with_stable_uids(schema: xmlschema.XMLSchema) -> None:
    now = datetime(2026, 11, 25, 20, 14, 6, 123456, tzinfo=UTC)
    first = _events(b"".join(build_events(_settings(), full_gunshot("a1"), now)))
    second = _events(b"".join(build_events(_settings(), full_gunshot("a2"), now)))
    for event in first + second:
        _check(schema, event)
    alert, incident = first
    assert alert.get("uid") == "T.alert.a1" and alert.get("type") == "b-d-a"
    assert alert.get("how") == "m-v-u"
    assert incident.get("uid") == "T.incident.CAD-2026-114" == second[1].get("uid")
    assert alert.get("time") == "2026-11-25T20:14:06.123Z"
    assert alert.get("stale") == "2026-11-25T20:29:06.123Z"
    point = alert.find("point")
    assert point is not None and point.get("ce") == "25.0" and point.get("hae") == "9999999.0"
    assert alert.find("detail/contact").get("callsign") == "Gunshot a1"  # type: ignore[union-attr]
    remarks = alert.findtext("detail/remarks") or ""
    assert "Rounds: 4" in remarks and "ABC1234" not in remarks


def test_markup_and_control_characters_are_escaped(schema: xmlschema.XMLSchema) -> None:
    alert = replace(geofence_alert(), title='Caller "J & K" <inside>\x07 zone')
    [event] = _events(b"".join(build_events(_settings(), alert, datetime.now(UTC))))
    _check(schema, event)
    assert event.get("uid") == "T.alert.geo-77"
    assert (event.findtext("detail/remarks") or "").startswith('Caller "J & K" <inside> zone')


def test_the_validator_rejects_an_event_without_hae(schema: xmlschema.XMLSchema) -> None:
    [event, _] = _events(b"".join(build_events(_settings(), full_gunshot(), datetime.now(UTC))))
    point = event.find("point")
    assert point is not None
    del point.attrib["hae"]
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(etree.tostring(event).decode())


def test_types_per_rule_and_overrides(schema: xmlschema.XMLSchema) -> None:
    now = datetime.now(UTC)
    [geo] = _events(b"".join(build_events(_settings(), geofence_alert(), now)))
    _check(schema, geo)
    assert (geo.get("type"), geo.get("how")) == ("b-l-l-l", "m-p")
    assert geo.find("point").get("ce") == "9999999.0"  # type: ignore[union-attr]
    channel = CotChannel("c", CotOptions(type_by_rule={"caller_in_geofence": "a-h-G"}))
    [geo] = _events(b"".join(build_events(channel.settings, geofence_alert(), now)))
    assert geo.get("type") == "a-h-G"
    assert build_events(_settings(), no_location_alert(), now) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Taky:
    port: int
    process: subprocess.Popen[bytes]


def _start_taky(root: Path, port: int) -> subprocess.Popen[bytes]:
    root.mkdir(exist_ok=True)
    config = root / "taky.conf"
    config.write_text(
        "[taky]\nhostname = localhost\nnode_id = RTCCTEST\nbind_ip = 127.0.0.1\n"
        f"root_dir = {root}\n\n[cot_server]\nport = {port}\n\n"
        f"[dp_server]\nupload_path = {root / 'dp'}\n\n[ssl]\nenabled = false\n"
    )
    taky = Path(sys.executable).parent / "taky"
    process = subprocess.Popen(
        [str(taky), "-c", str(config), "-l", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "taky exited at start"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("taky did not start listening")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture
def taky(tmp_path: Path) -> Iterator[Taky]:
    port = _free_port()
    server = Taky(port, _start_taky(tmp_path, port))
    yield server
    _stop(server.process)


async def _tak_client(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A second TAK client, connected the way pytak connects, announced with its hello."""
    parser = configparser.ConfigParser()
    parser["client"] = {"COT_URL": f"tcp://127.0.0.1:{port}"}
    reader, writer = await pytak.protocol_factory(parser["client"])
    writer.write(pytak.hello_event(f"rtcc-test-{uuid.uuid4().hex[:8]}"))
    await writer.drain()
    return reader, writer


async def _read_until(
    reader: asyncio.StreamReader, prefix: str, count: int, wait_s: float = 10.0
) -> list[etree._Element]:
    """Events whose uid starts with `prefix` (taky replays others' stored events too)."""
    parser = etree.XMLPullParser(events=("end",), tag="event")
    parser.feed(b"<stream>")
    mine: list[etree._Element] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while len(mine) < count:
        chunk = await asyncio.wait_for(reader.read(65536), max(deadline - loop.time(), 0.01))
        if not chunk:
            break
        parser.feed(chunk)
        for _, event in parser.read_events():
            if (event.get("uid") or "").startswith(prefix):
                mine.append(event)
    return mine


async def test_alert_reaches_a_second_tak_client_through_taky(
    taky: Taky, schema: xmlschema.XMLSchema
) -> None:
    prefix = f"rtcc{uuid.uuid4().hex[:8]}"
    reader, writer = await _tak_client(taky.port)
    await asyncio.sleep(0.3)  # taky registers the client before it routes to it
    channel = CotChannel("tak", CotOptions(port=taky.port, uid_prefix=prefix))
    receipt = await channel.deliver(full_gunshot("a1"))
    got = await _read_until(reader, prefix, 2)
    assert [e.get("uid") for e in got] == [f"{prefix}.alert.a1", f"{prefix}.incident.CAD-2026-114"]
    for event in got:
        _check(schema, event)
    assert got[0].get("type") == "b-d-a"
    assert "Rounds: 4" in (got[0].findtext("detail/remarks") or "")
    assert receipt.detail["events"] == 2
    writer.close()
    await channel.close()


async def test_taky_down_is_retryable_and_the_channel_reconnects(
    taky: Taky, tmp_path: Path
) -> None:
    prefix = f"rtcc{uuid.uuid4().hex[:8]}"
    channel = CotChannel("tak", CotOptions(port=taky.port, uid_prefix=prefix))
    await channel.deliver(full_gunshot("before"))
    _stop(taky.process)
    with pytest.raises(DeliveryError) as caught:  # the first write may land in the kernel
        for attempt in range(50):
            await channel.deliver(full_gunshot(f"down{attempt}"))
            await asyncio.sleep(0.1)
    assert caught.value.retryable
    taky.process = _start_taky(tmp_path / "again", taky.port)
    reader, writer = await _tak_client(taky.port)
    await asyncio.sleep(0.3)
    await channel.deliver(full_gunshot("after"))
    got = await _read_until(reader, f"{prefix}.alert.after", 1)
    assert [e.get("uid") for e in got] == [f"{prefix}.alert.after"]
    writer.close()
    await channel.close()


async def test_nothing_listening_is_retryable() -> None:
    channel = CotChannel("tak", CotOptions(port=_free_port(), connect_timeout_s=1))
    with pytest.raises(DeliveryError) as caught:
        await channel.deliver(full_gunshot())
    assert caught.value.retryable and "cannot connect" in caught.value.reason
    await channel.close()


async def test_an_alert_without_location_is_refused() -> None:
    channel = CotChannel("tak", CotOptions())
    with pytest.raises(DeliveryError) as caught:
        await channel.deliver(no_location_alert())
    assert not caught.value.retryable


@pytest.fixture
async def fanout() -> AsyncIterator[CotChannel]:
    channel = CotChannel("tak-direct", CotOptions(mode="server", port=0, max_client_buffer=65536))
    await channel.start()
    yield channel
    await channel.close()


async def test_server_mode_fans_out_in_order_and_replays_to_late_clients(
    fanout: CotChannel, schema: xmlschema.XMLSchema
) -> None:
    assert fanout.server is not None
    host, port = fanout.server.address
    clients = [await asyncio.open_connection(host, port) for _ in range(3)]
    await asyncio.sleep(0.05)
    ids = [f"n{i:03d}" for i in range(40)]
    for alert_id in ids:
        receipt = await fanout.deliver(full_gunshot(alert_id))
    assert receipt.detail["clients"] == 3
    expected = [
        uid for i in ids for uid in (f"OpenRTCC.alert.{i}", "OpenRTCC.incident.CAD-2026-114")
    ]
    for reader, _ in clients:
        got = await _read_until(reader, "OpenRTCC.", len(expected))
        assert [e.get("uid") for e in got] == expected
    _check(schema, got[0])
    late_reader, late_writer = await asyncio.open_connection(host, port)
    replayed = await _read_until(late_reader, "OpenRTCC.", 41)
    uids = [e.get("uid") for e in replayed]
    assert len(uids) == 41 and uids[-1] == "OpenRTCC.incident.CAD-2026-114"
    assert fanout.server.stats.replayed == 41
    for _, writer in [*clients, (late_reader, late_writer)]:
        writer.close()


async def test_server_mode_cuts_off_a_client_that_does_not_read(fanout: CotChannel) -> None:
    assert fanout.server is not None
    host, port = fanout.server.address
    stalled = socket.create_connection((host, port))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader, writer = await asyncio.open_connection(host, port)
    await asyncio.sleep(0.05)
    total = 3000  # ~7 MB of events: more than the stalled client's socket and buffer hold
    reading = asyncio.create_task(_read_until(reader, "OpenRTCC.alert.", total, wait_s=30))
    for i in range(total):
        await fanout.deliver(full_gunshot(f"s{i:04d}"))
        if i % 20 == 0:
            await asyncio.sleep(0)  # let the reading client read, as a live one would
    got = await reading
    assert fanout.server.stats.slow_disconnects == 1
    assert fanout.server.stats.connected == 1
    assert [e.get("uid") for e in got] == [f"OpenRTCC.alert.s{i:04d}" for i in range(total)]
    stalled.close()
    writer.close()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"mode": "relay"}, "mode"),
        ({"port": 70000}, "port"),
        ({"uid_prefix": "a b"}, "uid_prefix"),
        ({"type_by_rule": {"gunshot_nearby": "b d a"}}, "type_by_rule"),
    ],
)
def test_bad_options_are_refused_naming_the_field(options: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        CotOptions.model_validate(options)


def test_the_registry_knows_cot() -> None:
    assert channel_class("cot") is CotChannel
