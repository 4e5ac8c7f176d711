"""Hotlist matching cost per plate read, against lists of 10 k to 1 M entries.

Each read is normalised, confusion-folded and looked up in the dict the matcher keeps
(`rtcc.analysis.hotlists.matching.HotlistIndex`); the index rebuild after a list change is
timed too. Reads are a mix: most miss, some hit exactly, some are look-alike misreads.
"""

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import load_average, markdown_table, percentile, print_table, record_section
from rich.console import Console

from rtcc.analysis.hotlists.matching import HotlistIndex
from rtcc.analysis.hotlists.models import Hotlist, HotlistEntry

HEADERS = (
    "Entries",
    "Reads",
    "Index build (ms)",
    "µs/read p50",
    "µs/read p99",
    "Hits",
    "Look-alike",
)
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
SWAP = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5"}
BATCH = 100  # reads per timed batch: a single read is below the clock's useful resolution


def plate(rng: random.Random) -> str:
    return "".join(rng.choices(LETTERS, k=3)) + f"{rng.randrange(10**4):04d}"


def entries(n: int, rng: random.Random, at: datetime) -> list[HotlistEntry]:
    far = at + timedelta(days=7)
    return [
        HotlistEntry(
            f"e{i}",
            "ncic",
            plate(rng),
            rng.choice(("OH", "IN", None)),
            "Stolen Vehicle",
            "NCIC Stolen Vehicle",
            f"REF{i}",
            "NCIC",
            None,
            "bench",
            at,
            at,
            far,
            "approved",
        )
        for i in range(n)
    ]


def reads(listed: list[HotlistEntry], n: int, rng: random.Random) -> list[str]:
    """90 % random plates, 5 % listed plates, 5 % listed plates with one look-alike swapped."""
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.90:
            out.append(plate(rng))
            continue
        text = rng.choice(listed).plate
        if roll >= 0.95:
            swappable = [i for i, ch in enumerate(text) if ch in SWAP]
            if swappable:
                i = rng.choice(swappable)
                text = text[:i] + SWAP[text[i]] + text[i + 1 :]
        out.append(text)
    return out


def measure(n_entries: int, n_reads: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    at = datetime.now(UTC)
    listed = entries(n_entries, rng, at - timedelta(minutes=1))
    lists = [Hotlist("ncic", "ncic", at, at - timedelta(minutes=1))]
    start = time.perf_counter()
    index = HotlistIndex(listed, lists)
    build_ms = (time.perf_counter() - start) * 1000
    plates = reads(listed, n_reads, rng)
    per_read: list[float] = []
    hits = lookalikes = 0
    for b in range(0, len(plates), BATCH):
        batch = plates[b : b + BATCH]
        start = time.perf_counter_ns()
        results = [index.match(p, "OH", at) for p in batch]
        per_read.append((time.perf_counter_ns() - start) / len(batch) / 1000)
        for result in results:
            hits += len(result.matches)
            lookalikes += sum(m.lookalike for m in result.matches)
    return [
        f"{n_entries:,}",
        f"{n_reads:,}",
        f"{build_ms:,.0f}",
        f"{percentile(per_read, 50):.2f}",
        f"{percentile(per_read, 99):.2f}",
        f"{hits:,}",
        f"{lookalikes:,}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite docs/PERFORMANCE.md")
    parser.add_argument("--reads", type=int, default=200_000, help="plate reads per list size")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="entries per list")
    args = parser.parse_args()
    load_before = load_average()
    rows = [measure(int(size), args.reads) for size in args.sizes.split(",")]
    print_table(Console(), "Hotlist matching per plate read (lower is better)", HEADERS, rows)
    if args.record:
        body = markdown_table(HEADERS, rows) + (
            f"\n\nµs/read: wall time of batches of {BATCH} reads ÷ {BATCH} (normalise, fold, "
            "dict lookup, state/expiry/staleness checks), p50 and p99 over the batches. "
            "One process, one core; storing a hit is not included."
        )
        record_section("hotlists", body, Path(tempfile.gettempdir()), load_before)
        Console().print("[green]recorded in docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()
