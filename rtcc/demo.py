"""`rtcc demo`: the server, the video wall and a simulated city on the embedded default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.panel import Panel

from rtcc.app import WS_PROTOCOL, create_app
from rtcc.governance.bootstrap import create_source_key, ensure_admin
from rtcc.governance.identity import split_api_key
from rtcc.settings import Settings
from rtcc.simulator import build_city
from rtcc.storage.base import AccountStore

console = Console()


def run_demo(settings: Settings, seed: int, intensity: float) -> None:
    # A simulated city on the loopback: sign in with the password alone unless asked
    # otherwise. A real deployment requires MFA (docs/identity.md).
    os.environ.setdefault("RTCC_MFA_REQUIRED", "false")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    basemap = settings.data_dir / f"city-{seed}.geojson"
    basemap.write_text(json.dumps(build_city(seed=seed).basemap_geojson()))
    settings = settings.model_copy(update={"basemap_path": basemap})
    app = create_app(settings)
    accounts = app.state.services.storage.accounts
    password = ensure_admin(accounts)
    key_file = _simulator_key(settings.data_dir, accounts)
    url = f"http://{settings.host}:{settings.port}"
    login = (
        f"user [bold]admin[/], password [bold]{password}[/] (shown once; keep it)"
        if password
        else "user [bold]admin[/], password as printed on first run "
        "(reset: [bold]rtcc users reset-password admin[/])"
    )
    mfa = os.environ["RTCC_MFA_REQUIRED"].lower() not in ("false", "0", "no", "off")
    note = "" if mfa else "\nMFA is off for this demo; deployments require it (docs/identity.md)"
    console.print(Panel.fit(f"OpenRTCC video wall: [bold]{url}/[/]\nLog in: {login}{note}"))
    simulator = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "rtcc.cli",
            "simulate",
            "--url",
            url,
            "--key-file",
            str(key_file),
            "--seed",
            str(seed),
            "--intensity",
            str(intensity),
        ],
    )
    try:
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level="warning", ws=WS_PROTOCOL
        )
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)


def _simulator_key(data_dir: Path, accounts: AccountStore) -> Path:
    """Reuse the simulator's key across runs while the database still knows it."""
    key_file = data_dir / "simulator.key"
    parts = split_api_key(key_file.read_text().strip()) if key_file.exists() else None
    if parts is None or accounts.api_key_source(parts[0]) is None:
        key_file.write_text(create_source_key(accounts, "simulator"))
        os.chmod(key_file, 0o600)
    return key_file
