"""Shared helpers for the benchmark scripts: realistic events, a real server, the record.

Not a benchmark itself. The scripts import it as `common` (Python puts bench/ on the
path when a script in it is run).
"""

import os
import platform
import random
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from rtcc.governance.bootstrap import create_source_key
from rtcc.governance.identity import hash_password
from rtcc.settings import Settings
from rtcc.storage.sqlite import SqliteStorage

REPO = Path(__file__).resolve().parent.parent
PERFORMANCE_MD = REPO / "docs" / "PERFORMANCE.md"
HOST = "127.0.0.1"
BASE_TIME = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
CENTRE = (39.9612, -82.9988)  # Columbus, OH
# Share of each kind in a busy evening's feed: mostly AVL and plate reads.
KIND_MIX = {
    "unit_position": 55.0,
    "lpr_read": 35.0,
    "camera_status": 6.0,
    "cad_incident": 3.5,
    "gunshot": 0.5,
}
Wire = dict[str, Any]
# The analyst the server benchmarks sign in as (created by prepare_data_dir).
BENCH_USER = ("bench-analyst", "bench password 1", "analyst")


def _stamp(i: int) -> str:
    return (BASE_TIME + timedelta(milliseconds=50 * i)).isoformat().replace("+00:00", "Z")


def _near(rng: random.Random, spread: float = 0.05) -> dict[str, float]:
    lat = round(CENTRE[0] + rng.uniform(-spread, spread), 6)
    lon = round(CENTRE[1] + rng.uniform(-spread, spread), 6)
    return {"lat": lat, "lon": lon, "accuracy_m": round(rng.uniform(3, 15), 1)}


def build_event(kind: str, i: int, tag: str, rng: random.Random) -> Wire:
    """One wire event of `kind` with a unique id `<tag>-<i>` (so nothing is de-duplicated)."""
    payload: dict[str, Any]
    if kind == "unit_position":
        payload = {
            "unit_id": f"U{rng.randrange(200):03d}",
            "unit_type": "patrol",
            "status": rng.choice(("available", "enroute", "on_scene", "busy")),
            "speed_mps": round(rng.uniform(0, 30), 1),
            "heading_deg": round(rng.uniform(0, 359.9), 1),
        }
    elif kind == "lpr_read":
        plate = "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3)) + f"{rng.randrange(10**4):04d}"
        payload = {
            "reader_id": f"LPR{rng.randrange(60):02d}",
            "plate": plate,
            "plate_state": "OH",
            "confidence": round(rng.uniform(0.7, 1.0), 2),
            "direction_deg": round(rng.uniform(0, 359.9), 1),
            "vehicle": "silver Honda Civic",
            "hotlist": "NCIC stolen vehicle" if rng.random() < 0.002 else None,
        }
    elif kind == "camera_status":
        payload = {
            "camera_id": f"CAM{rng.randrange(300):03d}",
            "name": "High St & Broad St",
            "camera_type": rng.choice(("fixed", "ptz")),
            "status": "online",
            "heading_deg": round(rng.uniform(0, 359.9), 1),
            "fov_deg": 90.0,
            "range_m": 200.0,
        }
    elif kind == "cad_incident":
        payload = {
            "incident_id": f"INC{rng.randrange(400):04d}",
            "status": rng.choice(("created", "dispatched", "on_scene", "closed")),
            "call_type": "DISTURBANCE",
            "description": "caller reports a loud argument in the street",
            "priority": rng.randint(1, 5),
            "address": "100 N High St",
            "units": [f"U{rng.randrange(200):03d}"],
        }
    else:
        payload = {"detection_id": f"{tag}-d{i}", "rounds": rng.randint(1, 8)}
    return {
        "kind": kind,
        "id": f"{tag}-{i}",
        "occurred_at": _stamp(i),
        "location": _near(rng),
        "payload": payload,
    }


def mixed_events(n: int, tag: str, seed: int = 7) -> list[Wire]:
    """`n` events in the realistic mix of KIND_MIX, deterministic for a given seed."""
    rng = random.Random(seed)
    kinds = rng.choices(list(KIND_MIX), weights=list(KIND_MIX.values()), k=n)
    return [build_event(kind, i, tag, rng) for i, kind in enumerate(kinds)]


def prepare_data_dir(data_dir: Path, user: tuple[str, str, str] | None = None) -> str:
    """Create the database with a source API key (and optionally a user); return the key."""
    storage = SqliteStorage(Settings(data_dir=data_dir).db_path)
    try:
        key = create_source_key(storage.accounts, "bench")
        if user is not None:
            name, password, role = user
            storage.accounts.add_user(name, hash_password(password), role)
    finally:
        storage.close()
    return key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    pid: int


@contextmanager
def running_server(data_dir: Path, synchronous: str) -> Iterator[Server]:
    """A real uvicorn process (uvloop + httptools, as `rtcc serve`) on loopback.

    Access logging is off so the figures measure the application, not terminal output.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTCC_")}
    # The bench's analyst has no authenticator: MFA is off for this throwaway server.
    env.update(
        RTCC_DATA_DIR=str(data_dir), RTCC_SQLITE_SYNCHRONOUS=synchronous, RTCC_MFA_REQUIRED="false"
    )
    log = (data_dir / "server.log").open("wb")
    cmd = [sys.executable, "-m", "uvicorn", "rtcc.app:create_app", "--factory"]
    cmd += ["--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    # as `rtcc serve` and `make demo` run it (rtcc.app.WS_PROTOCOL: sans-I/O, no deflate)
    cmd += ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    url = f"http://{HOST}:{port}"
    try:
        _wait_ready(url, proc, data_dir / "server.log")
        yield Server(url, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            httpx.get(f"{url}/api/v1/auth/me", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer within 30 s:\n{log.read_text()}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def busy_warning() -> str | None:
    """A warning when other work is running: it skews every figure here (most on 2 cores)."""
    load = load_average()
    try:
        busy = float(load.split()[0]) > 0.5 * (os.cpu_count() or 1)
    except ValueError:
        return None
    return f"load average {load} before the run: other work will skew the figures" if busy else None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def _proc_value(path: str, prefix: str) -> str:
    """The value after ':' on the first line of a /proc file that starts with `prefix`."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return "unknown"
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(prefix)), "?")


def _gib(kib: str) -> str:
    return f"{int(kib.split()[0]) / 1024**2:.1f} GiB" if kib[:1].isdigit() else kib


def _filesystem_of(path: Path) -> str:
    """The type of the filesystem holding `path` (fsync cost depends on it)."""
    best, fstype = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _dev, mount, kind, *_ = line.split()
            if str(path.resolve()).startswith(mount) and len(mount) > len(best):
                best, fstype = mount, kind
    except OSError:
        pass
    return fstype


def machine_lines(data_root: Path, load_before: str) -> list[str]:
    return [
        f"- CPU: {_proc_value('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores; "
        f"RAM {_gib(_proc_value('/proc/meminfo', 'MemTotal'))}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.release()}",
        f"- Databases in {data_root} ({_filesystem_of(data_root)}); "
        f"load average before the run: {load_before}",
    ]


def command_line() -> str:
    exe = Path(sys.executable)
    shown = os.path.relpath(exe, REPO) if exe.is_relative_to(REPO) else exe.name
    return shlex.join([shown, os.path.relpath(Path(sys.argv[0]).resolve(), REPO), *sys.argv[1:]])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A GitHub table; the first `left` columns are text (left-aligned), the rest numbers."""
    align = ["---"] * left + ["---:"] * (len(headers) - left)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def login(url: str, user: tuple[str, str, str] = BENCH_USER) -> str:
    """Sign in to a running server; the session cookie for its API and websocket."""
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": user[0], "password": user[1]}
    )
    response.raise_for_status()
    return response.cookies["rtcc_session"]


def print_table(
    console: Console, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """The results on the terminal: one row per measurement, numbers right-aligned."""
    table = Table(title=title)
    for header in headers:
        table.add_column(header, justify="right")
    for cells in rows:
        table.add_row(*cells)
    console.print(table)


def record_section(name: str, body: str, data_root: Path, load_before: str) -> None:
    """Rewrite the text between this benchmark's markers in docs/PERFORMANCE.md."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"Recorded {stamp} with `{command_line()}`",
        "",
        *machine_lines(data_root, load_before),
        "",
    ]
    block = f"{start}\n" + "\n".join(header) + f"\n{body.strip()}\n{end}"
    text = PERFORMANCE_MD.read_text() if PERFORMANCE_MD.exists() else "# Performance\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + f"\n\n{block}\n"
    PERFORMANCE_MD.write_text(text)
