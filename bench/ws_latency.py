"""Event POST → received on a live websocket, while a background feed loads the server.

Three processes, so no party's CPU time is billed to another's clock on a 2-core box:
  server  uvicorn (uvloop + httptools) on 127.0.0.1, fresh data dir, synchronous=FULL
  load    paced unit_position batches (default 10 x 100 per second) on one clock
  probe   this process: logs in as an analyst, holds /api/v1/live, POSTs one event
          at a time and times it from just before the POST until that event (matched
          by the response's `ids`) arrives on the websocket.
First an idle phase (no load), then the loaded phase; server-side hops come from the
message (`received_at → persisted_at → published_at → delivered_at`).

    .venv/bin/python bench/ws_latency.py [--record] [--probes 500] [--rate 1000]
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from common import (
    BENCH_USER,
    build_event,
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

TARGET_P99_MS = 250.0
PROBE_TIMEOUT_S = 5.0
HOPS = (
    ("client → received", "sent", "received_at"),
    ("received → persisted", "received_at", "persisted_at"),
    ("persisted → published", "persisted_at", "published_at"),
    ("published → delivered", "published_at", "delivered_at"),
    ("delivered → client", "delivered_at", "arrived"),
)


async def _feed(url: str, key: str, rate: int, batch: int, stop: Any, out: Any) -> None:
    """Post `rate` events/s as batches on a fixed schedule; never more than 8 in flight."""
    rng, interval = random.Random(3), batch / rate
    posts: list[float] = []
    failures = accepted = 0
    gate = asyncio.Semaphore(8)

    async def post(client: httpx.AsyncClient, body: bytes) -> None:
        nonlocal failures, accepted
        async with gate:
            t0 = time.perf_counter()
            response = await client.post("/api/v1/events", content=body)
            posts.append(time.perf_counter() - t0)
            if response.status_code == 200:
                accepted += response.json()["accepted"]
            else:
                failures += 1

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        loop, tick, lag = asyncio.get_running_loop(), 0, 0.0
        tasks: set[asyncio.Task[None]] = set()
        start = loop.time()
        while not stop.is_set():
            due = start + tick * interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            lag = max(lag, loop.time() - due)
            first = tick * batch
            items = [build_event("unit_position", first + i, "load", rng) for i in range(batch)]
            task = asyncio.create_task(post(client, json.dumps({"events": items}).encode()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            tick += 1
        await asyncio.gather(*tasks)
        elapsed = loop.time() - start
    out.put(
        {
            "rate": accepted / elapsed,
            "batches": tick,
            "failures": failures,
            "post_p50_ms": percentile(posts, 50) * 1000,
            "post_max_ms": max(posts) * 1000,
            "max_lag_ms": lag * 1000,
        }
    )


def load_process(url: str, key: str, rate: int, batch: int, stop: Any, out: Any) -> None:
    asyncio.run(_feed(url, key, rate, batch, stop, out))


def _wall(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


Probes = tuple[list[dict[str, float]], int, int]


async def probe(url: str, key: str, cookie: str, count: int) -> Probes:
    """`count` single-event POSTs; per-probe timings (s), probes lost, resyncs received."""
    arrived: dict[str, asyncio.Future[dict[str, float]]] = {}
    resyncs = 0
    loop = asyncio.get_running_loop()
    ws_url = url.replace("http://", "ws://") + "/api/v1/live"
    cookies = {"Cookie": f"rtcc_session={cookie}"}
    async with websockets.connect(ws_url, additional_headers=cookies, max_size=None) as ws:
        snapshot = json.loads(await ws.recv())
        assert snapshot["type"] == "snapshot", snapshot["type"]

        async def read() -> None:
            nonlocal resyncs
            async for raw in ws:
                now_perf, now_wall = time.perf_counter(), time.time()
                msg = json.loads(raw)
                if msg["type"] == "event" and msg["event"]["kind"] != "unit_position":
                    hops = {k: _wall(v) for k, v in msg["event"]["hops"].items() if v}
                    hops |= {"delivered_at": _wall(msg["delivered_at"]), "arrived": now_wall}
                    arrived.setdefault(msg["event"]["id"], loop.create_future()).set_result(
                        hops | {"arrived_perf": now_perf}
                    )
                elif msg["type"] == "resync":
                    resyncs += 1

        reader = asyncio.create_task(read())
        results: list[dict[str, float]] = []
        lost, rng = 0, random.Random(11)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
            for i in range(-1, count):  # probe -1 opens the connection and is not counted
                kind = "lpr_read" if i % 2 == 0 else "camera_status"
                event = build_event(kind, i, f"probe{time.monotonic_ns()}", rng)
                body = json.dumps({"events": [event]}).encode()
                sent_perf, sent_wall = time.perf_counter(), time.time()
                response = await client.post("/api/v1/events", content=body)
                response.raise_for_status()
                event_id = response.json()["ids"][0]
                future = arrived.setdefault(event_id, loop.create_future())
                try:
                    hops = await asyncio.wait_for(future, PROBE_TIMEOUT_S)
                except TimeoutError:
                    lost += 1
                    continue
                hops |= {"e2e": hops["arrived_perf"] - sent_perf, "sent": sent_wall}
                if i >= 0:
                    results.append(hops)
                del arrived[event_id]
                await asyncio.sleep(rng.uniform(0.005, 0.025))
        reader.cancel()
    return results, lost, resyncs


def _stats(values: list[float]) -> list[str]:
    return [f"{percentile(values, q) * 1000:.1f}" for q in (50, 95, 99)] + [
        f"{max(values) * 1000:.1f}"
    ]


def rows_for(phase: str, probes: Probes) -> list[list[str]]:
    results, lost, resyncs = probes
    e2e = _stats([r["e2e"] for r in results])
    rows = [[phase, "end to end", str(len(results)), f"{lost} / {resyncs}", *e2e]]
    for label, start, end in HOPS:
        values = [r[end] - r[start] for r in results]
        rows.append(["", label, "", "", *_stats(values)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--probes", type=int, default=500, help="probes under load")
    parser.add_argument("--idle-probes", type=int, default=100, help="probes without load")
    parser.add_argument("--rate", type=int, default=1000, help="background events/s")
    parser.add_argument("--batch", type=int, default=100, help="events per background POST")
    args = parser.parse_args()
    console, load_before = Console(width=max(110, Console().width)), load_average()
    if warning := busy_warning():
        console.print(f"[yellow]warning: {warning}")
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        key = prepare_data_dir(Path(tmp), BENCH_USER)
        with running_server(Path(tmp), "FULL") as server:
            cookie = login(server.url)
            console.print(f"[dim]idle: {args.idle_probes} probes…")
            idle = asyncio.run(probe(server.url, key, cookie, args.idle_probes))
            ctx = mp.get_context("spawn")
            stop, out = ctx.Event(), ctx.Queue()
            feed_args = (server.url, key, args.rate, args.batch, stop, out)
            feeder = ctx.Process(target=load_process, args=feed_args)
            feeder.start()
            time.sleep(2.0)  # reach a steady state before probing
            console.print(f"[dim]loaded: {args.probes} probes under {args.rate} events/s…")
            cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
            loaded = asyncio.run(probe(server.url, key, cookie, args.probes))
            server_cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
            stop.set()
            feed = out.get(timeout=60)
            feeder.join(30)
    headers = ("phase", "hop", "probes", "lost / resyncs", "p50 ms", "p95 ms", "p99 ms", "max ms")
    rows = rows_for("idle", idle) + rows_for("loaded", loaded)
    print_table(console, "Event POST → websocket delivery (ms, lower is better)", headers, rows)
    load_line = (
        f"Background load: asked {args.rate:,} events/s in batches of {args.batch}, achieved "
        f"{feed['rate']:,.0f} events/s ({feed['batches']} batches, {feed['failures']} failed; "
        f"batch POST p50 {feed['post_p50_ms']:.1f} ms, max {feed['post_max_ms']:.1f} ms; "
        f"worst schedule lag {feed['max_lag_ms']:.1f} ms). Server CPU while loaded: "
        f"{server_cpu:.0%} of one core."
    )
    p99 = percentile([r["e2e"] for r in loaded[0]], 99) * 1000
    verdict = f"Target p99 < {TARGET_P99_MS:.0f} ms under load: {p99:.1f} ms " + (
        "(met)." if p99 < TARGET_P99_MS and not loaded[1] else "(MISSED)."
    )
    console.print(load_line)
    console.print(verdict)
    if args.record:
        body = f"{markdown_table(headers, rows, left=2)}\n\n{load_line}\n\n{verdict}"
        record_section("ws_latency", body, Path(tempfile.gettempdir()), load_before)
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
