"""Scale-out side by side: SQLite embedded, PostgreSQL + NATS with 1 worker, with 2 workers.

Each configuration starts from nothing (fresh temp dir; for the queued ones a fresh
PostgreSQL database, dropped after, and a private `nats-server -js`):
  sqlite    one uvicorn process as `rtcc serve` runs it (common.running_server), FULL
  pg+nats   `rtcc serve` with RTCC_DATABASE_URL + RTCC_BUS_URL (validates, queues on
            JetStream, answers 202) and `rtcc worker --index i --of N`, N = 1 or 2
and is measured twice:
  ingest    --clients concurrent keep-alive HTTP connections (one load-generator process)
            POST --events events in batches of --batch (unit_position / lpr_read in the
            house mix, unique ids), bodies encoded before the clock starts; a 503 is
            retried. Durable events/s = acknowledged events / time from the first POST
            until the database holds them all (rows counted in the database: SQLite
            stores before its 200, a queued 202 only means JetStream has the batch).
            Accepted events/s = the same events / time to the last acknowledgement.
  latency   bench/ws_latency.py's probe (an analyst holds /api/v1/live, POSTs single
            events and times them to the websocket) under a paced background feed of
            --rate unit_position events/s in batches of 100, as bench/ws_latency.py.
CPU seconds of every process (API, workers, nats-server, PostgreSQL, load generator) and
of the whole machine are read from /proc over each window.

PostgreSQL: RTCC_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
a role that may create databases; nats-server from PATH or /usr/sbin.

    .venv/bin/python bench/scaleout.py [--record] [--repeats 3] [--events 60000]
        [--batch 500] [--clients 4] [--probes 300] [--rate 1000] [--only WORKERS]
"""

import argparse
import asyncio
import multiprocessing as mp
import os
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from common import (
    BENCH_USER,
    HOST,
    KIND_MIX,
    REPO,
    build_event,
    busy_warning,
    cpu_seconds,
    free_port,
    load_average,
    login,
    markdown_table,
    percentile,
    prepare_data_dir,
    print_table,
    record_section,
    running_server,
)
from psycopg import sql
from rich.console import Console
from ws_latency import probe, rows_for

from rtcc.governance.bootstrap import create_source_key
from rtcc.governance.identity import hash_password
from rtcc.settings import Settings
from rtcc.storage.base import Storage
from rtcc.storage.open import open_storage

TARGET_EVENTS_PER_S = 20_000
TARGET_P99_MS = 250.0
PG_ADMIN_URL = os.environ.get(
    "RTCC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NATS_BINARY = shutil.which("nats-server") or "/usr/sbin/nats-server"
INGEST_KINDS = {k: KIND_MIX[k] for k in ("unit_position", "lpr_read")}
TAG = "@@TAG@@"  # replaced per batch in a pre-encoded body: unique ids, no re-encoding
TEMPLATES = 8
DRAIN_TIMEOUT_S = 300.0
PG_AUX = ("walwriter", "checkpointer", "background writer", "autovacuum launcher")


@dataclass(frozen=True, slots=True)
class Config:
    name: str
    workers: int  # 0: SQLite embedded, no bus


CONFIGS = (
    Config("SQLite embedded", 0),
    Config("PostgreSQL + NATS, 1 worker", 1),
    Config("PostgreSQL + NATS, 2 workers", 2),
)


# ---------------------------------------------------------------- load generator


@dataclass(slots=True)
class PostStats:
    acked: int = 0  # events in 2xx answers
    batches: int = 0
    retries: int = 0  # 503s (queue full or not connected), re-sent
    failures: int = 0  # anything else
    posts: list[float] = field(default_factory=list)
    first: float = 0.0  # time.monotonic(): comparable across processes on Linux
    last_ack: float = 0.0


async def _post(client: httpx.AsyncClient, body: bytes, stats: PostStats) -> None:
    """One batch until it is acknowledged (as a source does), or refused for good."""
    while True:
        t0 = time.perf_counter()
        response = await client.post("/api/v1/events", content=body)
        stats.posts.append(time.perf_counter() - t0)
        if response.status_code == 503:
            stats.retries += 1
            await asyncio.sleep(0.2)
            continue
        if response.is_success:
            stats.acked += response.json()["accepted"]
            stats.batches += 1
            stats.last_ack = time.monotonic()
        else:
            stats.failures += 1
        return


def _client(url: str, key: str, connections: int) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits)


def batch_bodies(batch: int, count: int, tag: str) -> list[bytes]:
    """`count` bodies of `batch` unit_position / lpr_read events, every id unique."""
    rng = random.Random(5)
    templates = []
    for _ in range(TEMPLATES):
        kinds = rng.choices(list(INGEST_KINDS), weights=list(INGEST_KINDS.values()), k=batch)
        events = [build_event(kind, i, TAG, rng) for i, kind in enumerate(kinds)]
        templates.append(orjson.dumps({"events": events}))
    return [
        templates[n % TEMPLATES].replace(TAG.encode(), f"{tag}b{n}".encode()) for n in range(count)
    ]


async def _ingest(url: str, key: str, bodies: list[bytes], clients: int) -> PostStats:
    stats, pending = PostStats(), iter(bodies)

    async def sender(client: httpx.AsyncClient) -> None:
        for body in pending:  # the clients share one iterator: next batch to whoever is free
            await _post(client, body, stats)

    async with _client(url, key, clients) as client:
        stats.first = time.monotonic()
        await asyncio.gather(*(sender(client) for _ in range(clients)))
    return stats


def ingest_process(url: str, key: str, args: tuple[int, int, int, str], go: Any, out: Any) -> None:
    """Child process: encode every body, say ready, wait for `go`, post them all."""
    batch, count, clients, tag = args
    bodies = batch_bodies(batch, count, tag)
    out.put("ready")
    go.wait()
    out.put(asyncio.run(_ingest(url, key, bodies, clients)))


async def _paced(url: str, key: str, rate: int, batch: int, stop: Any) -> PostStats:
    """`rate` unit_position events/s as batches on a fixed schedule, ≤ 8 in flight."""
    rng, interval, stats = random.Random(3), batch / rate, PostStats()
    gate = asyncio.Semaphore(8)
    tasks: set[asyncio.Task[None]] = set()

    async def post(client: httpx.AsyncClient, body: bytes) -> None:
        async with gate:
            await _post(client, body, stats)

    async with _client(url, key, 8) as client:
        loop, tick = asyncio.get_running_loop(), 0
        start = stats.first = loop.time()
        while not stop.is_set():
            await asyncio.sleep(max(0.0, start + tick * interval - loop.time()))
            first = tick * batch
            items = [build_event("unit_position", first + i, "bg", rng) for i in range(batch)]
            task = asyncio.create_task(post(client, orjson.dumps({"events": items})))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            tick += 1
        await asyncio.gather(*tasks)
        stats.last_ack = loop.time()
    return stats


def background_process(url: str, key: str, rate: int, stop: Any, out: Any) -> None:
    out.put(asyncio.run(_paced(url, key, rate, 100, stop)))


# ---------------------------------------------------------------- deployments


@dataclass(slots=True)
class Deployment:
    url: str
    key: str
    storage: Storage  # this process's view of the database, to count rows
    pids: dict[str, list[int]]  # role → processes (API, workers, nats-server)
    pg_db: str | None = None
    logs: list[Path] = field(default_factory=list)


def _pg_url(dbname: str) -> str:
    return f"{PG_ADMIN_URL.rpartition('/')[0]}/{dbname}"


def _pg_admin() -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True)


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{log.stem} exited early:\n{log.read_text()}")
        try:
            socket.create_connection((HOST, port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{log.stem} did not listen on {port} within 30 s")


@contextmanager
def sqlite_deployment(tmp: Path) -> Iterator[Deployment]:
    key = prepare_data_dir(tmp, BENCH_USER)
    with running_server(tmp, "FULL") as server:
        storage = open_storage(Settings(data_dir=tmp))
        try:
            yield Deployment(server.url, key, storage, {"API": [server.pid]})
        finally:
            storage.close()


@contextmanager
def queued_deployment(tmp: Path, workers: int) -> Iterator[Deployment]:
    """A fresh PostgreSQL database, a private nats-server, `rtcc serve` and N workers."""
    dbname = f"rtcc_bench_scaleout_{os.getpid()}_{workers}"
    with _pg_admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    procs: list[subprocess.Popen[bytes]] = []
    storage: Storage | None = None
    try:
        url = _pg_url(dbname)
        storage = open_storage(Settings(data_dir=tmp, database_url=url, database_pool_size=2))
        key = create_source_key(storage.accounts, "bench")
        storage.accounts.add_user(BENCH_USER[0], hash_password(BENCH_USER[1]), BENCH_USER[2])
        nats_port, api_port = free_port(), free_port()
        store = tmp / "jetstream"
        store.mkdir()
        nats_argv = [NATS_BINARY, "-a", HOST, "-p", str(nats_port), "-js", "-sd", str(store)]
        nats = _start(nats_argv, dict(os.environ), tmp / "nats.log")
        procs.append(nats)
        _wait_port(nats_port, nats, tmp / "nats.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RTCC_")}
        env.update(
            RTCC_DATA_DIR=str(tmp / "var"),
            RTCC_DATABASE_URL=url,
            RTCC_BUS_URL=f"nats://{HOST}:{nats_port}",
            RTCC_HOST=HOST,
            RTCC_PORT=str(api_port),
            RTCC_MFA_REQUIRED="false",  # the bench's analyst has no authenticator
        )
        rtcc = [sys.executable, "-m", "rtcc.cli"]
        api = _start([*rtcc, "serve"], env, tmp / "api.log")
        procs.append(api)
        worker_procs = [
            _start(
                [*rtcc, "worker", "--index", str(i), "--of", str(workers)], env, tmp / f"w{i}.log"
            )
            for i in range(workers)
        ]
        procs += worker_procs
        api_url = f"http://{HOST}:{api_port}"
        _wait_port(api_port, api, tmp / "api.log")
        pids = {"API": [api.pid], "workers": [w.pid for w in worker_procs], "NATS": [nats.pid]}
        logs = [tmp / "api.log", tmp / "nats.log", *(tmp / f"w{i}.log" for i in range(workers))]
        yield Deployment(api_url, key, storage, pids, dbname, logs)
    finally:
        for proc in reversed(procs):
            _stop(proc)
        if storage is not None:
            storage.close()
        with _pg_admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


# ---------------------------------------------------------------- CPU accounting

Reading = dict[str, dict[int, float]]  # role → pid → CPU seconds so far ("machine": pid 0)


def _machine_busy() -> float:
    """Busy CPU seconds of all cores together since boot (/proc/stat: all but idle, iowait)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _postgres_pids(dbname: str) -> list[int]:
    """The backends serving this database, and the server's WAL writer and checkpointer."""
    with _pg_admin() as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = %s AND pid <> pg_backend_pid())"
            " OR backend_type = ANY(%s)",
            (dbname, list(PG_AUX)),
        ).fetchall()
    return [int(r[0]) for r in rows]


def cpu_reading(dep: Deployment, clients: list[int]) -> Reading:
    roles = dict(dep.pids) | {"clients": clients}
    if dep.pg_db is not None:
        roles["PostgreSQL"] = _postgres_pids(dep.pg_db)
    reading: Reading = {"machine": {0: _machine_busy()}}
    for role, pids in roles.items():
        reading[role] = {}
        for pid in pids:
            try:
                reading[role][pid] = cpu_seconds(pid)
            except (OSError, IndexError):  # gone (a backend that disconnected)
                continue
    return reading


def cpu_used(before: Reading, after: Reading) -> dict[str, float]:
    """CPU seconds per role between two readings (a process that appeared counts whole),
    with `bench` (all of them) and `other` (the rest of the machine: skew, not ours)."""
    used = {
        role: sum(now - before.get(role, {}).get(pid, 0.0) for pid, now in pids.items())
        for role, pids in after.items()
    }
    used["bench"] = sum(v for role, v in used.items() if role != "machine")
    used["other"] = max(0.0, used.pop("machine") - used["bench"])
    return used


# ---------------------------------------------------------------- the two measurements


@dataclass(slots=True)
class Result:
    """One configuration, one run, on its own fresh deployment."""

    config: Config
    events: int = 0  # acknowledged
    stored: int = 0  # counted in the database
    accepted_rate: float = 0.0
    durable_rate: float = 0.0
    drain_s: float = 0.0
    ingest: PostStats = field(default_factory=PostStats)
    ingest_cpu: dict[str, float] = field(default_factory=dict)
    ingest_s: float = 0.0  # the CPU window
    probes: Any = None  # ws_latency.probe's (timings, lost, resyncs)
    background: PostStats = field(default_factory=PostStats)
    latency_cpu: dict[str, float] = field(default_factory=dict)
    latency_s: float = 0.0


def _count(storage: Storage) -> tuple[float, int]:
    """(when the count's snapshot was taken, rows in events)."""
    at = time.monotonic()
    return at, storage.events.count_events()


def _warm_up(dep: Deployment, batch: int) -> None:
    """One batch through the whole path (API key, queue, worker, database), stored."""
    body = batch_bodies(batch, 1, "warm")[0]
    headers = {"Authorization": f"Bearer {dep.key}", "Content-Type": "application/json"}
    deadline = time.monotonic() + 60
    while True:
        response = httpx.post(f"{dep.url}/api/v1/events", content=body, headers=headers, timeout=60)
        if response.is_success:
            break
        if response.status_code != 503 or time.monotonic() > deadline:
            raise RuntimeError(f"warm-up: HTTP {response.status_code} {response.text[:300]}")
        time.sleep(0.2)
    while _count(dep.storage)[1] < batch:
        if time.monotonic() > deadline:
            raise RuntimeError("warm-up batch never stored:\n" + _tails(dep))
        time.sleep(0.1)


def _tails(dep: Deployment) -> str:
    return "\n".join(f"== {p.name}\n{p.read_text()[-2000:]}" for p in dep.logs if p.exists())


def measure_ingest(dep: Deployment, result: Result, args: argparse.Namespace) -> None:
    ctx = mp.get_context("spawn")
    _warm_up(dep, args.batch)
    count0 = _count(dep.storage)[1]
    go, out = ctx.Event(), ctx.Queue()
    plan = (args.batch, max(1, args.events // args.batch), args.clients, "run")
    gen = ctx.Process(target=ingest_process, args=(dep.url, dep.key, plan, go, out))
    gen.start()
    assert gen.pid is not None
    if out.get(timeout=300) != "ready":
        raise RuntimeError("load generator did not start")
    before, t0 = cpu_reading(dep, [gen.pid]), time.monotonic()
    go.set()
    stats: PostStats | None = None
    while stats is None:  # a count every 0.5 s while posting keeps its cost small
        try:
            stats = out.get(timeout=0.5)
        except queue.Empty:
            _count(dep.storage)
    expected, deadline = count0 + stats.acked, time.monotonic() + DRAIN_TIMEOUT_S
    while True:  # every 50 ms once the last batch is acknowledged
        at, stored = _count(dep.storage)
        if stored >= expected or at > deadline:
            break
        time.sleep(0.05)
    after, t1 = cpu_reading(dep, [gen.pid]), time.monotonic()
    gen.join(30)
    # SQLite commits before its 200: the last acknowledgement is when the last event was
    # stored. Queued: when a count first saw every acknowledged event.
    stored_by = stats.last_ack if result.config.workers == 0 else at
    result.events, result.stored, result.ingest = stats.acked, stored - count0, stats
    result.accepted_rate = stats.acked / (stats.last_ack - stats.first)
    result.durable_rate = result.stored / (stored_by - stats.first) if stored >= expected else 0.0
    result.drain_s = max(0.0, stored_by - stats.last_ack)
    result.ingest_cpu, result.ingest_s = cpu_used(before, after), t1 - t0


def measure_latency(dep: Deployment, result: Result, args: argparse.Namespace) -> None:
    ctx = mp.get_context("spawn")
    cookie = login(dep.url)
    stop, out = ctx.Event(), ctx.Queue()
    feeder = ctx.Process(target=background_process, args=(dep.url, dep.key, args.rate, stop, out))
    feeder.start()
    assert feeder.pid is not None
    time.sleep(2.0)  # reach a steady state before probing
    clients = [feeder.pid, os.getpid()]
    before, t0 = cpu_reading(dep, clients), time.monotonic()
    result.probes = asyncio.run(probe(dep.url, dep.key, cookie, args.probes))
    after, t1 = cpu_reading(dep, clients), time.monotonic()
    result.latency_cpu, result.latency_s = cpu_used(before, after), t1 - t0
    stop.set()
    result.background = out.get(timeout=60)
    feeder.join(30)


def run_once(config: Config, args: argparse.Namespace, console: Console, run: str) -> Result:
    result = Result(config)
    with tempfile.TemporaryDirectory(prefix="rtcc-bench-") as tmp:
        deployment = (
            queued_deployment(Path(tmp), config.workers)
            if config.workers
            else sqlite_deployment(Path(tmp))
        )
        with deployment as dep:
            console.print(f"[dim]{run} {config.name}: ingest of {args.events:,} events…")
            measure_ingest(dep, result, args)
            console.print(f"[dim]{run} {config.name}: {args.probes} probes under load…")
            measure_latency(dep, result, args)
    return result


# ---------------------------------------------------------------- report

Runs = dict[Config, list[Result]]
ROLES = ("API", "workers", "NATS", "PostgreSQL", "clients")
INGEST_HEADERS = (
    "configuration",
    "events stored",
    "accepted ev/s",
    "durable ev/s",
    "durable range",
    "vs SQLite",
    "drain s",
    "POST p50 ms",
    "POST p99 ms",
    "503s",
)
LATENCY_HEADERS = (
    "configuration",
    "hop",
    "probes",
    "lost / resyncs",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
)
CPU_HEADERS = ("configuration", "window", *ROLES, "bench total", "other processes")


def durable(results: list[Result]) -> float:
    return statistics.median(r.durable_rate for r in results)


def pooled_probes(results: list[Result]) -> Any:
    return (
        [p for r in results for p in r.probes[0]],
        sum(r.probes[1] for r in results),
        sum(r.probes[2] for r in results),
    )


def ingest_rows(runs: Runs) -> list[list[str]]:
    sqlite = [rs for c, rs in runs.items() if c.workers == 0]
    base = durable(sqlite[0]) if sqlite else 0.0
    rows = []
    for config, results in runs.items():
        posts = [p for r in results for p in r.ingest.posts]
        stored, acked = sum(r.stored for r in results), sum(r.events for r in results)
        rates = [r.durable_rate for r in results]
        rows.append(
            [
                config.name,
                f"{stored:,}" + ("" if stored >= acked else f" of {acked:,}"),
                f"{statistics.median(r.accepted_rate for r in results):,.0f}",
                f"{durable(results):,.0f}",
                f"{min(rates):,.0f}-{max(rates):,.0f}",
                f"{durable(results) / base:.2f}x" if base else "-",
                f"{statistics.median(r.drain_s for r in results):.2f}",
                f"{percentile(posts, 50) * 1000:.0f}",
                f"{percentile(posts, 99) * 1000:.0f}",
                str(sum(r.ingest.retries for r in results)),
            ]
        )
    return rows


def latency_rows(runs: Runs) -> list[list[str]]:
    return [row for c, rs in runs.items() for row in rows_for(c.name, pooled_probes(rs))]


def _summed(results: list[Result], window: str) -> tuple[dict[str, float], float]:
    cpu: dict[str, float] = {}
    for r in results:
        for role, seconds in getattr(r, f"{window}_cpu").items():
            cpu[role] = cpu.get(role, 0.0) + seconds
    return cpu, sum(getattr(r, f"{window}_s") for r in results)


def cpu_rows(runs: Runs) -> list[list[str]]:
    rows = []
    for config, results in runs.items():
        for window in ("ingest", "latency"):
            cpu, seconds = _summed(results, window)
            shares = [
                f"{cpu[role] / seconds:.0%}" if role in cpu else "-"
                for role in (*ROLES, "bench", "other")
            ]
            rows.append([config.name, window, *shares])
        cpu, _ = _summed(results, "ingest")
        stored = sum(r.stored for r in results)
        per_event = [
            f"{cpu[role] / stored * 1e6:.0f} µs" if role in cpu and stored else "-"
            for role in (*ROLES, "bench")
        ]
        rows.append([config.name, "CPU per stored event", *per_event, "-"])
    return rows


def summary(runs: Runs, args: argparse.Namespace) -> list[str]:
    cores = os.cpu_count() or 1
    lines = [
        f"{cores} CPUs. Ingest: {args.clients} concurrent keep-alive clients, batches of "
        f"{args.batch:,} (unit_position / lpr_read, unique ids), {args.events:,} events per "
        f"run after one warm-up batch; {args.repeats} runs per configuration, taken in "
        "turn, each on a fresh deployment; rates are the median (range: slowest-fastest run). "
        "*Durable* counts an event once a count of the database's `events` rows includes "
        "it: for SQLite at its 200, for the queued configurations when a worker has stored "
        "it (the API's 202 means JetStream has it); *drain* is the time from the last "
        "acknowledgement to that moment.",
        f"Latency: bench/ws_latency.py's probe, {args.probes} probes per run (pooled) after "
        f"2 s of a paced background feed of {args.rate:,} unit_position events/s. Queued, "
        "the hops span processes: received (API) → persisted (worker) → published (API, "
        "relayed from the worker over core NATS) → delivered (API websocket).",
        f"CPU per process over each window, as a share of one core (out of {cores * 100}%); "
        "`clients` is the load generator (ingest) or the paced feed and the probe "
        "(latency); PostgreSQL is the bench database's backends plus the WAL writer and "
        "checkpointer; `other processes` is the rest of the machine: well above 0, the "
        "figures are skewed by work that is not the bench's.",
    ]
    for config, results in runs.items():
        posts = [p for r in results for p in r.background.posts]
        acked = sum(r.background.acked for r in results)
        elapsed = sum(r.background.last_ack - r.background.first for r in results)
        failed = sum(r.background.failures for r in results)
        retries = sum(r.background.retries for r in results)
        lines.append(
            f"{config.name}: background feed asked {args.rate:,} events/s, achieved "
            f"{acked / elapsed:,.0f} ({failed} batches failed, {retries} 503s; batch POST "
            f"p50 {percentile(posts, 50) * 1000:.1f} ms)."
        )
    by_workers = {c.workers: rs for c, rs in runs.items()}
    if 1 in by_workers and 2 in by_workers:
        one, two = durable(by_workers[1]), durable(by_workers[2])
        accepted = [statistics.median(r.accepted_rate for r in by_workers[n]) for n in (1, 2)]
        lines.append(
            f"1 → 2 workers: durable {one:,.0f} → {two:,.0f} events/s (x{two / one:.2f}); "
            f"accepted {accepted[0]:,.0f} → {accepted[1]:,.0f} (x{accepted[1] / accepted[0]:.2f})"
            f" on {cores} CPUs."
        )
    return lines


def verdict(runs: Runs) -> str:
    parts = []
    queued = {c: rs for c, rs in runs.items() if c.workers}
    if queued:
        best = max(queued, key=lambda c: durable(queued[c]))
        rate = durable(queued[best])
        met = "met" if rate >= TARGET_EVENTS_PER_S else "MISSED"
        parts.append(
            f"Target ≥ {TARGET_EVENTS_PER_S:,} events/s durable on PostgreSQL + NATS: best "
            f"{rate:,.0f} ({best.name}, {met})."
        )
    p99s = []
    for config, results in runs.items():
        probes, lost, _ = pooled_probes(results)
        p99 = percentile([p["e2e"] for p in probes], 99) * 1000
        ok = p99 < TARGET_P99_MS and not lost
        p99s.append(f"{config.name} {p99:.1f} ms ({'met' if ok else 'MISSED'})")
    parts.append(f"Target p99 < {TARGET_P99_MS:.0f} ms under load: " + ", ".join(p99s) + ".")
    return " ".join(parts)


def versions() -> str:
    try:
        with _pg_admin() as admin:
            pg = [
                str(row[0]) if (row := admin.execute(f"SHOW {name}").fetchone()) else "?"
                for name in ("server_version", "fsync", "synchronous_commit")
            ]
        pg_text = f"PostgreSQL {pg[0]} (fsync {pg[1]}, synchronous_commit {pg[2]})"
    except psycopg.Error as exc:
        pg_text = f"PostgreSQL unreachable ({exc})"
    try:
        nats = subprocess.run([NATS_BINARY, "--version"], capture_output=True, text=True).stdout
    except OSError:
        nats = "nats-server missing"
    return (
        f"{pg_text}; {nats.strip()} with default settings: JetStream acknowledges once the "
        "batch is in its file store, which it fsyncs on its own interval (not per message)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--events", type=int, default=60_000, help="events ingested per run")
    parser.add_argument("--batch", type=int, default=500, help="events per POST")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--probes", type=int, default=300, help="latency probes per run")
    parser.add_argument("--rate", type=int, default=1000, help="background events/s (latency)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration")
    parser.add_argument(
        "--only", type=int, choices=(0, 1, 2), action="append", help="workers (0: SQLite)"
    )
    args = parser.parse_args()
    console, load_before = Console(width=max(110, Console().width)), load_average()
    if warning := busy_warning():
        console.print(f"[yellow]warning: {warning}")
    configs = [c for c in CONFIGS if args.only is None or c.workers in args.only]
    runs: Runs = {c: [] for c in configs}
    for n in range(args.repeats):  # in turn, so a busy spell hits every configuration
        for config in configs:
            runs[config].append(run_once(config, args, console, f"{n + 1}/{args.repeats}"))
    tables = (
        ("Durable ingest (events/s, higher is better)", INGEST_HEADERS, ingest_rows(runs), 1),
        ("Event POST → websocket under load (ms)", LATENCY_HEADERS, latency_rows(runs), 2),
        ("CPU per process (share of one core)", CPU_HEADERS, cpu_rows(runs), 2),
    )
    for title, headers, rows, _ in tables:
        print_table(console, title, headers, rows)
    lines = [*summary(runs, args), versions(), verdict(runs)]
    for line in lines:
        console.print(line)
    if args.record:
        body = [markdown_table(headers, rows, left) for _, headers, rows, left in tables]
        record_section(
            "scaleout", "\n\n".join([*body, *lines]), Path(tempfile.gettempdir()), load_before
        )
        console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
