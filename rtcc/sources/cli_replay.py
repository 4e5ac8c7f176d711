"""The terminal side of `rtcc replay`: options, key, a progress bar and a summary."""

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import Progress

from rtcc.simulator.ingest import IngestAuthError
from rtcc.sources.config import SourceConfig
from rtcc.sources.manager import build_adapter
from rtcc.sources.replay import paced_batches, plan_replay, send_replay


def _options(text: str) -> dict[str, Any]:
    if text.startswith("@"):
        raw = Path(text[1:]).read_text()
        data = yaml.safe_load(raw) if text.endswith((".yaml", ".yml")) else json.loads(raw)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("--options must be a JSON/YAML object")
    return data


def run_replay(
    file: Path,
    source: str,
    adapter_name: str,
    url: str,
    key_file: Path | None,
    options: str,
    speed: float,
    console: Console,
) -> int:
    """Exit code: 0 all sent, 1 some messages refused, 2 nothing could be sent."""
    key = key_file.read_text().strip() if key_file else os.environ.get("RTCC_API_KEY", "")
    if not key:
        console.print("[red]an API key is needed: --key-file FILE or RTCC_API_KEY[/]")
        return 2
    try:
        config = SourceConfig(name=source, adapter=adapter_name, options=_options(options))
        adapter = build_adapter(config)
    except (ValueError, OSError) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    plan = plan_replay(file, adapter)
    for refusal in plan.refusals[:20]:
        console.print(
            f"[yellow]{file}:{refusal.message_number}: {refusal.field}: {refusal.text} "
            f"({refusal.reason})[/]"
        )
    if len(plan.refusals) > 20:
        console.print(f"[yellow]… and {len(plan.refusals) - 20} more refused messages[/]")
    batches = paced_batches(plan.events, speed)
    with Progress(console=console) as progress:
        task = progress.add_task(f"replaying {file.name}", total=len(plan.events))
        try:
            stats = asyncio.run(send_replay(url, key, batches, lambda n: progress.advance(task, n)))
        except IngestAuthError as exc:
            console.print(f"[red]{exc}[/]")
            return 2
    console.print(
        f"{plan.messages} messages → {len(plan.events)} events: {stats.accepted} accepted, "
        f"{stats.duplicates} duplicates, {stats.rejected} refused by the server, "
        f"{len(plan.refusals)} messages refused by the adapter"
    )
    return 1 if plan.refusals or stats.rejected else 0
