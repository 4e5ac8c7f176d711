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
import tempfile
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

    def __init__(
        self,
        name: str,
        argv: list[str],
        log_dir: Path,
        env: dict[str, str],
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.user = user  # run as this user (a signal then reaches the program itself)
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                user=self.user,
                group=self.user,
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


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


class PrivatePostgres(Process):
    """A PostgreSQL server of the test's own (initdb in a fresh folder, a free port, trust
    auth), so a test may kill or restart it without touching the machine's server. As
    root it runs as the `postgres` user, which initdb requires; its folder is then made
    outside pytest's private tmp tree, which that user cannot enter."""

    def __init__(self) -> None:
        bin_dir = _postgres_bin()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL server binaries not found (/usr/lib/postgresql)")
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="rtcc-pg-"))
        self.data = self.home / "pgdata"
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(self.home, user, user)
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True, user=user, group=user, cwd=self.home,
        )  # fmt: skip
        argv = [
            str(bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port),
            "-k", str(self.home), "-c", "listen_addresses=127.0.0.1",
        ]  # fmt: skip
        super().__init__("postgres", argv, self.home, {}, user)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "PrivatePostgres":
        super().start()
        wait_for_port(self.port, what="postgres")
        return self

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
