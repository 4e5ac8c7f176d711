"""CoT fan-out: deliveries/s to N TAK clients, taky (a real TAK server) beside OpenRTCC.

Same run, same events, same receiving clients (one separate process holding N TCP
connections, counting each client's events by uid, checking order and loss):

- taky: one sender process connection writes the events to taky, which parses and
  forwards each to every other connected client (taky's own rate);
- OpenRTCC: the `cot` channel in `mode: server` (rtcc/outputs/cot_server.py); each event is
  made from an alert by `deliver()` (the real path) and written to every client.

Rate = deliveries received / (first send → last event received at the clients).
"""

import argparse
import asyncio
import json
import operator
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import (
    busy_warning,
    free_port,
    load_average,
    markdown_table,
    print_table,
    record_section,
)
from rich.console import Console

from rtcc.core.alerts import Alert
from rtcc.core.geo import Location
from rtcc.outputs.cot import CotChannel, CotOptions
from rtcc.outputs.cot_format import build_events

HEADERS = [
    "server",
    "clients",
    "events",
    "deliveries",
    "lost",
    "out of order",
    "cut off (slow)",
    "seconds",
    "deliveries/s",
    "vs taky",
]
TARGET_RATIO = 3.0


def _alert(seq: int) -> Alert:
    return Alert(
        id=f"{seq:07d}",
        rule="gunshot_nearby",
        created_at=datetime(2026, 11, 25, 20, 14, 5, tzinfo=UTC),
        severity="critical",
        title=f"Gunshot, 3 rounds: 4 cameras (2 in view), 6 plate reads, 3 units (#{seq})",
        event_id=f"ev-{seq}",
        location=Location(lat=39.9612 + seq * 1e-6, lon=-82.9988, accuracy_m=25.0),
        detail={"rounds": 3, "classification": "multiple_gunshots"},
    )


# ---- the receiving clients (a separate process) ---------------------------------------


async def _client(host: str, port: int, prefix: bytes, count: int, out: dict[str, Any]) -> None:
    """One TAK client: counts its events by sequence number, checks order (C-level work per
    chunk, so the receiving side is not what limits the rate)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b'<event version="2.0" uid="bench-rx" type="t-x-d-d" how="m-g"/>')
    pattern = re.compile(rb'uid="' + re.escape(prefix) + rb'(\d+)"')
    seen: set[int] = set()
    received = out_of_order = 0
    last = -1
    tail = b""
    while received < count:
        chunk = await reader.read(1 << 20)
        if not chunk:
            break
        data = tail + chunk
        cut = data.rfind(b"</event>")
        if cut < 0:
            tail = data
            continue
        cut += len(b"</event>")
        tail = data[cut:]
        seqs = list(map(int, pattern.findall(data, 0, cut)))
        if not seqs:
            continue
        out_of_order += sum(map(operator.le, seqs, [last, *seqs[:-1]]))
        last = seqs[-1]
        seen.update(seqs)
        received += len(seqs)
    out.update(seen=seen, out_of_order=out_of_order, done_at=time.monotonic())
    writer.close()


async def _receive(
    host: str, port: int, clients: int, count: int, prefix: str, wait: float
) -> None:
    outs: list[dict[str, Any]] = [{} for _ in range(clients)]
    tasks = [asyncio.create_task(_client(host, port, prefix.encode(), count, out)) for out in outs]
    await asyncio.sleep(0.2)
    cpu_at_ready = time.process_time()
    print("ready", flush=True)
    await asyncio.wait(tasks, timeout=wait)
    for task in tasks:
        task.cancel()
    result = [
        {
            "received": len(o.get("seen", ())),
            "out_of_order": o.get("out_of_order", 0),
            "done_at": o.get("done_at"),
        }
        for o in outs
    ]
    print(json.dumps({"clients": result, "cpu_s": time.process_time() - cpu_at_ready}), flush=True)


# ---- the two servers ------------------------------------------------------------------


@dataclass
class Outcome:
    server: str
    clients: int
    events: int
    received: int
    lost: int
    out_of_order: int
    cut_off: int
    seconds: float
    receiver_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.received / self.seconds if self.seconds > 0 else 0.0


def _start_receivers(port: int, clients: int, count: int, prefix: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, __file__, "--receive", str(port), str(clients), str(count), prefix]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        raise RuntimeError(f"receivers did not start: {line!r}")
    return proc


def _finish(
    proc: subprocess.Popen[str], name: str, clients: int, count: int, started: float, cut: int
) -> Outcome:
    out, _ = proc.communicate(timeout=600)
    report = json.loads(out.strip().splitlines()[-1])
    results = report["clients"]
    received = sum(r["received"] for r in results)
    done = [r["done_at"] for r in results if r["done_at"]]
    seconds = (max(done) - started) if done else float("nan")
    return Outcome(
        name,
        clients,
        count,
        received,
        clients * count - received,
        sum(r["out_of_order"] for r in results),
        cut,
        seconds,
        report["cpu_s"],
    )


def _taky(root: Path, clients: int, count: int, settle: float) -> Outcome:
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    (root / "taky.conf").write_text(
        f"[taky]\nhostname = localhost\nnode_id = BENCH\nbind_ip = 127.0.0.1\nroot_dir = {root}\n"
        f"\n[cot_server]\nport = {port}\n\n[dp_server]\nupload_path = {root / 'dp'}\n"
        "\n[ssl]\nenabled = false\n"
    )
    taky = Path(sys.executable).parent / "taky"
    server = subprocess.Popen(
        [str(taky), "-c", str(root / "taky.conf"), "-l", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port)
        base = f"taky{int(time.time())}"
        settings = CotChannel("b", CotOptions(uid_prefix=base)).settings
        now = datetime.now(UTC)
        payload = b"".join(e for i in range(count) for e in build_events(settings, _alert(i), now))
        receivers = _start_receivers(port, clients, count, f"{base}.alert.")
        time.sleep(settle)  # taky registers each client before routing to it
        with socket.create_connection(("127.0.0.1", port)) as sender:
            started = time.monotonic()
            sender.sendall(payload)  # stays open until the clients are done
            return _finish(receivers, "taky 0.10", clients, count, started, 0)
    finally:
        server.terminate()
        server.wait(10)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("taky did not start")


async def _ours(clients: int, count: int, settle: float) -> Outcome:
    prefix = f"rtcc{int(time.time())}"
    options = CotOptions(mode="server", port=0, uid_prefix=prefix, incident_markers=False)
    channel = CotChannel("bench", options)
    await channel.start()
    assert channel.server is not None
    _, port = channel.server.address
    receivers = await asyncio.to_thread(_start_receivers, port, clients, count, f"{prefix}.alert.")
    await asyncio.sleep(settle)
    alerts = [_alert(i) for i in range(count)]
    started = time.monotonic()
    for i, alert in enumerate(alerts):
        await channel.deliver(alert)
        if i % 10 == 9:
            await asyncio.sleep(0)  # the dispatcher awaits between alerts; so does this loop
    outcome = await asyncio.to_thread(_finish, receivers, "OpenRTCC", clients, count, started, 0)
    outcome.cut_off = channel.server.stats.slow_disconnects
    await channel.close()
    return outcome


def _rows(outcomes: list[Outcome]) -> list[list[str]]:
    taky = {o.clients: o.rate for o in outcomes if o.server.startswith("taky")}
    rows = []
    for o in outcomes:
        ratio = o.rate / taky[o.clients] if taky.get(o.clients) else float("nan")
        rows.append(
            [
                o.server,
                str(o.clients),
                f"{o.events:,}",
                f"{o.received:,}",
                f"{o.lost:,}",
                f"{o.out_of_order:,}",
                str(o.cut_off),
                f"{o.seconds:.2f}",
                f"{o.rate:,.0f}",
                "" if o.server.startswith("taky") else f"{ratio:.1f}x",
            ]
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--events", type=int, default=3000, help="events per run")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds before sending")
    parser.add_argument("--receive", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receive:
        port, clients, count, prefix = args.receive
        wait = 300.0
        asyncio.run(_receive("127.0.0.1", int(port), int(clients), int(count), prefix, wait))
        return
    console = Console(width=max(120, Console().width))
    load_before = load_average()
    if warning := busy_warning():
        console.print(f"[yellow]{warning}")
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="cot-bench-") as tmp:
        for clients in args.clients:
            outcomes.append(_taky(Path(tmp) / f"taky{clients}", clients, args.events, args.settle))
            outcomes.append(asyncio.run(_ours(clients, args.events, args.settle)))
    print_table(
        console,
        "CoT fan-out to TAK clients (higher deliveries/s is better)",
        HEADERS,
        _rows(outcomes),
    )
    ours = [o for o in outcomes if o.server == "OpenRTCC"]
    ok = all(o.lost == 0 and o.out_of_order == 0 for o in ours)
    console.print(f"OpenRTCC: 0 lost and in order: {ok}; target ≥ {TARGET_RATIO:g}x taky")
    if args.record:
        body = markdown_table(HEADERS, _rows(outcomes), left=1) + (
            f"\n\n{args.events:,} events per run (one CoT event per alert, ~0.5 kB), all "
            "clients in one separate receiving process on the same 2-core machine. "
            "Lost = events a client never got; out of order = an event older than one "
            "already received; cut off = clients disconnected for lagging more than "
            "`max_client_buffer` (4 MiB)."
        )
        record_section("cot_fanout", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
