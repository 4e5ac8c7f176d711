"""Fuzzing at scale: the tests/fuzz properties over ≥ 100,000 generated inputs.

The same strategies and checks as `pytest tests/fuzz` (which runs a bounded number in
`make test`), run long: every input adapter on arbitrary bytes and on structure-aware
mutations of its real samples, stream framing, the event API models (directly and over
HTTP), the hotlist file parsers, and schemathesis over every operation of the OpenAPI
document. A violation is counted instead of stopping the run: a crash is any exception
other than the contract's refusal (or a hang); a 5xx is a server error answer.
Target: 0 crashes, 0 5xx.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import load_average, markdown_table, record_section
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from schemathesis.python.asgi import shutdown_lifespans

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rtcc.analysis.hotlists.ncic import FORMATS  # noqa: E402
from rtcc.sources.registry import ADAPTERS  # noqa: E402
from tests.fuzz import strategies as fz  # noqa: E402
from tests.fuzz.api import fuzz_all, fuzz_app, load_schema  # noqa: E402
from tests.fuzz.checks import (  # noqa: E402
    check_framing,
    check_hotlist_file,
    check_items,
    check_translate,
)
from tests.fuzz.profile import FUZZ  # noqa: E402
from tests.fuzz.test_adapters import FRAMINGS  # noqa: E402
from tests.sources.test_conformance import make_adapter  # noqa: E402

HEADERS = ["target", "inputs generated", "crashes", "5xx", "seconds"]


@dataclass(slots=True)
class Row:
    target: str
    inputs: int = 0
    crashes: int = 0
    server_errors: int | None = None  # None: not an HTTP target
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)


def run_target(
    target: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], object], examples: int
) -> Row:
    """`examples` inputs through `check`; a violation is counted, the run goes on."""
    row = Row(target)

    @settings(FUZZ, max_examples=examples)
    @given(value=strategy)
    def body(value: Any) -> None:
        row.inputs += 1
        try:
            check(value)
        except Exception as exc:
            row.crashes += 1
            if len(row.samples) < 3:
                row.samples.append(f"{type(exc).__name__}: {exc}"[:300] + f" ← {value!r:.200}")

    start = time.perf_counter()
    body()
    row.seconds = time.perf_counter() - start
    return row


def wire_format_rows(examples: int) -> list[Row]:
    rows = []
    for name in sorted(ADAPTERS):

        def check(message: bytes, name: str = name) -> None:
            check_translate(make_adapter(name), message)

        rows.append(run_target(f"{name}: any bytes", fz.arbitrary_bytes(), check, examples))
        rows.append(run_target(f"{name}: near-valid", fz.near_valid(name), check, examples))
    framing = st.tuples(st.sampled_from(FRAMINGS), st.binary(max_size=2048), st.integers(1, 64))
    rows.append(
        run_target(
            "framing (files, TCP streams)",
            framing,
            lambda args: check_framing(*args),
            examples,
        )
    )
    return rows


def model_rows(examples: int) -> list[Row]:
    hotlists = st.tuples(fz.hotlist_files(), st.sampled_from(FORMATS))
    return [
        run_target("event models: mutated batches", fz.event_batches(), check_items, examples),
        run_target(
            "event models: any JSON", fz.json_documents(), lambda d: check_items([d]), examples
        ),
        run_target("hotlist files", hotlists, lambda args: check_hotlist_file(*args), examples),
        run_target(
            "hotlist files: any bytes",
            st.tuples(st.binary(max_size=4096), st.sampled_from(FORMATS)),
            lambda args: check_hotlist_file(*args),
            examples,
        ),
    ]


def http_rows(data_root: Path, examples: int, api_examples: int) -> list[Row]:
    """POST /api/v1/events with mutated batches, then schemathesis over every operation."""
    app = fuzz_app(data_root / "http")
    key = app.state.fuzz_credentials.source_key
    ingest = Row("HTTP ingest: mutated batches", server_errors=0)
    start = time.perf_counter()
    with TestClient(app, raise_server_exceptions=False) as client:

        @settings(FUZZ, max_examples=examples)
        @given(items=fz.event_batches(expand=False), depth=st.sampled_from((10, 300, 100_000)))
        def post(items: list[Any], depth: int) -> None:
            ingest.inputs += 1
            body = fz.dump_json({"events": items}, ascii_only=False, depth=depth)
            headers = {"Authorization": f"Bearer {key}"}
            response = client.post("/api/v1/events", content=body, headers=headers)
            if response.status_code >= 500:
                ingest.server_errors = (ingest.server_errors or 0) + 1
                ingest.samples.append(f"{response.status_code} {response.text[:200]}")

        post()
    ingest.seconds = time.perf_counter() - start

    api_app = fuzz_app(data_root / "api")
    start = time.perf_counter()
    runs = fuzz_all(load_schema(api_app), api_app.state.fuzz_credentials, api_examples, False)
    shutdown_lifespans()
    api = Row(f"OpenAPI, {len(runs)} operations (schemathesis)", server_errors=0)
    api.seconds = time.perf_counter() - start
    for run in runs:
        api.inputs += run.inputs
        api.server_errors = (api.server_errors or 0) + len(run.server_errors)
        api.crashes += run.failure is not None
        api.samples += run.server_errors[:2] + ([run.failure] if run.failure else [])
    return [ingest, api]


def table_rows(rows: list[Row]) -> list[list[str]]:
    total = Row("total", server_errors=0)
    for row in rows:
        total.inputs += row.inputs
        total.crashes += row.crashes
        total.server_errors = (total.server_errors or 0) + (row.server_errors or 0)
        total.seconds += row.seconds
    return [
        [
            r.target,
            f"{r.inputs:,}",
            f"{r.crashes:,}",
            "—" if r.server_errors is None else f"{r.server_errors:,}",
            f"{r.seconds:,.1f}",
        ]
        for r in [*rows, total]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--examples", type=int, default=3000, help="inputs per Hypothesis target")
    parser.add_argument("--api-examples", type=int, default=150, help="inputs per API operation")
    args = parser.parse_args()
    os.environ.setdefault("RTCC_MFA_REQUIRED", "false")  # the fuzzing users have no authenticator
    console = Console(width=max(100, Console().width))
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="rtcc-fuzz-") as tmp:
        data_root = Path(tmp)
        rows = wire_format_rows(args.examples)
        rows += model_rows(args.examples)
        rows += http_rows(data_root, args.examples, args.api_examples)
        table = Table(title="Fuzzing: generated inputs, crashes and server errors (target 0)")
        for header in HEADERS:
            table.add_column(header, justify="left" if header == "target" else "right")
        for cells in table_rows(rows):
            table.add_row(*cells)
        console.print(table)
        for row in rows:
            for sample in row.samples[:3]:
                console.print(f"{row.target}: {sample}", style="red", markup=False)
        if args.record:
            body = markdown_table(HEADERS, table_rows(rows)) + (
                "\n\nInputs are Hypothesis examples (`RTCC_FUZZ_EXAMPLES` sets the count in "
                "`pytest tests/fuzz`); a crash is an exception other than the contract's "
                "refusal (AdapterError, ItemError, LineError) or a call over "
                "5 s; 5xx counts server errors, an exception escaping a route included. "
                "One process, one core."
            )
            record_section("fuzz", body, data_root, load_before)
            console.print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
