"""`rtcc replay`: a recorded file, translated by its adapter, paced, posted to the API."""

import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from rtcc.cli import app as cli
from rtcc.sources import registry
from rtcc.sources.config import SourceConfig
from rtcc.sources.manager import build_adapter
from rtcc.sources.replay import paced_batches, plan_replay, send_replay
from tests.sources.test_feeds import FAKE, fix


@pytest.fixture(autouse=True)
def fake_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ADAPTERS, "fake_jsonl", FAKE)


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    path = tmp_path / "avl.jsonl"
    lines = [fix("P1", 30), fix("P1", 0), b"{broken", fix("P2", 10), b"ping", fix("P1", 30)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_plan_numbers_refused_lines(recording: Path) -> None:
    plan = plan_replay(recording, build_adapter(SourceConfig(name="r", adapter="fake_jsonl")))
    assert plan.messages == 6 and len(plan.events) == 4
    assert [(r.message_number, r.field, r.reason) for r in plan.refusals] == [
        (3, "message", "not_json")
    ]


def test_pacing_follows_event_time_divided_by_speed(recording: Path) -> None:
    plan = plan_replay(recording, build_adapter(SourceConfig(name="r", adapter="fake_jsonl")))
    paced = paced_batches(plan.events, speed=10.0)
    assert [(offset, len(batch)) for offset, batch in paced] == [(0.0, 1), (1.0, 1), (3.0, 2)]
    assert [len(batch) for _, batch in paced_batches(plan.events, speed=0)] == [4]


async def test_replay_posts_through_the_ingest_api(
    recording: Path, app: FastAPI, source_key: str
) -> None:
    plan = plan_replay(recording, build_adapter(SourceConfig(name="r", adapter="fake_jsonl")))
    progress: list[int] = []
    stats = await send_replay(
        "http://rtcc.test",
        source_key,
        paced_batches(plan.events, speed=0),
        progress.append,
        transport=httpx.ASGITransport(app=app),
    )
    # The repeated P1 fix reuses an id inside one batch: refused by name, never stored twice.
    assert (stats.accepted, stats.rejected) == (3, 1)
    assert sum(progress) == 4
    assert app.state.services.storage.events.count_events() == 3


def test_cli_names_the_file_line_and_needs_a_key(recording: Path, tmp_path: Path) -> None:
    no_key = CliRunner().invoke(
        cli, ["replay", str(recording), "--source", "r", "--adapter", "fake_jsonl"], env={}
    )
    assert no_key.exit_code == 2 and "API key is needed" in no_key.output
    key_file = tmp_path / "key"
    key_file.write_text("rtcc_x_y")
    bad_option = CliRunner().invoke(
        cli,
        [
            "replay",
            str(recording),
            "--source",
            "r",
            "--adapter",
            "fake_jsonl",
            "--key-file",
            str(key_file),
            "--options",
            json.dumps({"unit_type": 3}),
        ],
    )
    assert bad_option.exit_code == 2 and "sources.r.options.unit_type" in bad_option.output
