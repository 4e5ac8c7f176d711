"""Real processes for the scale-out tests: a private nats-server, rtcc servers and workers.

Everything listens on loopback ports picked free at start; a test may kill -9 and
restart any of them. Each process's output goes to a log file in the test's folder.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

NATS_BINARY = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 15.0, what: str = "process") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout_s} s")


class Process:
    """One child process that can be started, killed with a signal, and started again."""

    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env}
            )
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class NatsServer(Process):
    """nats-server with JetStream on a free port, its stream files in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        store = folder / "jetstream"
        store.mkdir(parents=True, exist_ok=True)
        argv = [NATS_BINARY, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(store)]
        super().__init__("nats", argv, folder, {})

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> "NatsServer":
        super().start()
        wait_for_port(self.port, what="nats-server")
        return self


def rtcc(name: str, args: list[str], log_dir: Path, env: dict[str, str]) -> Process:
    """`rtcc <args>` in a child Python with the settings in `env` (RTCC_*)."""
    return Process(name, [sys.executable, "-m", "rtcc.cli", *args], log_dir, env)
