"""One alert fanned out to many wall websockets: published → received by each client.

Processes, so the clients' CPU time is not billed to the server's clock:
  server   uvicorn (uvloop + httptools) on 127.0.0.1, fresh data dir; websockets-sansio
           without per-message deflate, as `rtcc serve` runs it (rtcc.app.WS_PROTOCOL);
           `--deflate` turns uvicorn's default compression back on, for comparison
  clients  `--procs` processes holding `--clients` websockets on /api/v1/live?batch=1 (as
           the wall's page asks: messages waiting together come as one array frame;
           `--no-batch` for one message a frame) in total, logged in as an analyst (the
           wall's role); each records, per alert, the wall clock when the frame was handed
           to it, before parsing
  driver   this process: once every socket has its snapshot, POSTs `--alerts` gunshots
           (an hour apart, so each opens a new incident and raises one alert)
Latency per client and alert = arrival minus the alert's `hops.published_at` (same machine,
same clock); the server's own send stamp (`delivered_at`) splits it in two.

    .venv/bin/python bench/alert_fanout.py [--record] [--clients 500] [--alerts 20]
        [--deflate] [--no-batch]
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import websockets
from common import (
    BENCH_USER,
    CENTRE,
    busy_warning,
    cpu_seconds,
    load_average,
    login,
    markdown_table,
    percentile,
    prepare_data_dir,
    print_table,
    record_section,
    running_server,
)
from rich.console import Console

TARGET_P99_MS = 100.0
QUIET_S = 5.0  # a client stops once it has every alert, or after this long without one


def _wall(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


async def _clients(
    url: str, cookie: str, count: int, alerts: int, batch: bool, ready: Any
) -> list[Any]:
    ws_url = url.replace("http://", "ws://") + f"/api/v1/live?batch={int(batch)}"
    headers = {"Cookie": f"rtcc_session={cookie}"}
    sockets = []
    for _ in range(count):
        ws = await websockets.connect(ws_url, additional_headers=headers, max_size=None)
        first = json.loads(await ws.recv())
        assert first["type"] == "snapshot", first["type"]
        sockets.append(ws)
    ready.put((count, sockets[0].response.headers.get("Sec-WebSocket-Extensions")))
    raw: list[tuple[float, str]] = []

    async def listen(ws: Any) -> None:
        seen = 0
        while seen < alerts:
            try:
                frame = await asyncio.wait_for(ws.recv(), QUIET_S)
            except TimeoutError:
                return
            arrived = time.time()
            if alerts_in := frame.count('"type": "alert"'):
                raw.append((arrived, frame))
                seen += alerts_in

    await asyncio.gather(*(listen(ws) for ws in sockets))
    for ws in sockets:
        await ws.close()
    results = []
    for arrived, frame in raw:  # parse only after the clock is read
        parsed = json.loads(frame)
        for msg in parsed if isinstance(parsed, list) else [parsed]:
            if msg["type"] == "alert":
                published = _wall(msg["alert"]["hops"]["published_at"])
                results.append((msg["alert"]["id"], published, _wall(msg["delivered_at"]), arrived))
    return results


def client_process(
    url: str, cookie: str, count: int, alerts: int, batch: bool, ready: Any, out: Any
) -> None:
    out.put(asyncio.run(_clients(url, cookie, count, alerts, batch, ready)))


def _gunshot(i: int, tag: str) -> dict[str, Any]:
    at = datetime(2026, 11, 25, 0, 0, tzinfo=UTC) + timedelta(hours=i)
    return {
        "kind": "gunshot",
        "id": f"{tag}-{i}",
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "location": {"lat": CENTRE[0], "lon": CENTRE[1], "accuracy_m": 25.0},
        "payload": {"detection_id": f"{tag}-{i}", "rounds": 3},
    }


def _stats(values: list[float]) -> list[str]:
    return [f"{percentile(values, q) * 1000:.1f}" for q in (50, 95, 99)] + [
        f"{max(values) * 1000:.1f}"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--clients", type=int, default=500, help="websocket clients in total")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--alerts", type=int, default=20, help="alerts to fan out")
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between alerts")
    parser.add_argument(
        "--deflate", action="store_true", help="per-message deflate on (uvicorn's default)"
    )
    parser.add_argument(
        "--no-batch", action="store_true", help="one message a frame, not the wall's arrays"
    )
    args = parser.parse_args()
    # common.running_server names the protocol on uvicorn's command line; the deflate
    # switch `rtcc serve` gets from rtcc.app.WS_PROTOCOL reaches it as uvicorn's variable.
    os.environ["UVICORN_WS_PER_MESSAGE_DEFLATE"] = str(args.deflate).lower()
    console, load_before = Console(width=max(110, Console().width)), load_average()
    if warning := busy_warning():
        console.print(f"[yellow]warning: {warning}")
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        key = prepare_data_dir(Path(tmp), BENCH_USER)
        with running_server(Path(tmp), "NORMAL") as server:
            cookie = login(server.url)
            ctx = mp.get_context("spawn")
            ready, out = ctx.Queue(), ctx.Queue()
            shares = [
                args.clients // args.procs + (i < args.clients % args.procs)
                for i in range(args.procs)
            ]
            procs = [
                ctx.Process(
                    target=client_process,
                    args=(server.url, cookie, share, args.alerts, not args.no_batch, ready, out),
                )
                for share in shares
            ]
            for proc in procs:
                proc.start()
            hellos = [ready.get(timeout=300) for _ in procs]
            connected = sum(count for count, _ in hellos)
            deflate = "on" if any(extensions for _, extensions in hellos) else "off"
            console.print(f"[dim]{connected} clients connected; {args.alerts} alerts…")
            headers = {"Authorization": f"Bearer {key}"}
            alert_ids: list[str] = []
            cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
                for i in range(args.alerts):
                    shot = {"events": [_gunshot(i, f"fan{time.monotonic_ns()}")]}
                    response = client.post("/api/v1/events", json=shot)
                    response.raise_for_status()
                    alert_ids += response.json()["alerts"]
                    time.sleep(args.gap)
            cpu_s = cpu_seconds(server.pid) - cpu0
            server_cpu = cpu_s / (time.monotonic() - t0)
            results = [row for _ in procs for row in out.get(timeout=120)]
            for proc in procs:
                proc.join(30)
    wanted = set(alert_ids)
    got = [r for r in results if r[0] in wanted]
    expected = len(wanted) * connected
    total = [arrived - published for _, published, _, arrived in got]
    server_side = [delivered - published for _, published, delivered, _ in got]
    client_side = [arrived - delivered for _, _, delivered, arrived in got]
    heads = ("hop", "deliveries", "p50 ms", "p95 ms", "p99 ms", "max ms")
    rows = [
        ["published → received by client", f"{len(got)} / {expected}", *_stats(total)],
        ["published → sent (server stamp)", "", *_stats(server_side)],
        ["sent → received by client", "", *_stats(client_side)],
    ]
    print_table(
        console, f"One alert → {connected} wall websockets (ms, lower is better)", heads, rows
    )
    p99 = percentile(total, 99) * 1000
    note = (
        f"{len(wanted)} alerts, one every {args.gap:g} s, to {connected} clients in "
        f"{args.procs} processes; {'one message a frame' if args.no_batch else 'batched frames'}"
        f", per-message deflate {deflate}; "
        f"server CPU during the run {server_cpu:.1%} of one core, "
        f"{cpu_s / len(wanted) * 1000:.0f} ms per alert (ingest and heartbeats included)."
    )
    verdict = f"Target p99 < {TARGET_P99_MS:.0f} ms: {p99:.1f} ms " + (
        "(met)." if p99 < TARGET_P99_MS and len(got) == expected else "(MISSED)."
    )
    console.print(note)
    console.print(verdict)
    if args.record:
        body = f"{markdown_table(heads, rows)}\n\n{note}\n\n{verdict}"
        record_section("alert_fanout", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
