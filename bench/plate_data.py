"""Synthetic US-style plate reads for bench/plate_search.py: plates, repeats, queries.

Plates follow per-state shapes (D digit, L letter; I, O and Q are not issued); reads per
plate are 1 + a Lomax tail, so most plates are read a few times and a few very often.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np

LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)  # no I, O, Q
DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
# state: (share of reads, plate shapes: D digit, L letter)
STATES = {
    "OH": (0.40, ["LLLDDDD"]),
    "CA": (0.10, ["DLLLDDD"]),
    "TX": (0.08, ["LLLDDDD", "LLDLDDD"]),
    "IN": (0.08, ["DDDLLL", "DDDL"]),
    "MI": (0.07, ["LLLDDDD", "DLLDDD"]),
    "PA": (0.07, ["LLLDDDD"]),
    "KY": (0.06, ["DDDLLL"]),
    "NJ": (0.05, ["LDDLLL"]),
    "FL": (0.05, ["LLLLDD", "DDDLLL"]),
    "IL": (0.04, ["LLDDDDD"]),
}
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 30
READERS = 300
CENTRE = (39.9612, -82.9988)


def make_plates(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`n` distinct plates (S8) in realistic per-state shapes, and each one's state."""
    plates, states = [], []
    names = list(STATES)
    shares = np.array([STATES[s][0] for s in names])
    per_state = rng.multinomial(int(n * 1.05) + 100, shares / shares.sum())
    for state, count in zip(names, per_state, strict=True):
        shapes = STATES[state][1]
        for shape_i, shape in enumerate(shapes):
            m = count // len(shapes) + (count % len(shapes) if shape_i == 0 else 0)
            cols = [
                (DIGITS if c == "D" else LETTERS)[rng.integers(0, 10 if c == "D" else 23, m)]
                for c in shape
            ]
            raw = np.stack(cols, axis=1).copy().view(f"S{len(shape)}").ravel()
            plates.append(raw.astype("S8"))
            states.append(np.full(m, state, dtype="S2"))
    all_plates, all_states = np.concatenate(plates), np.concatenate(states)
    _, first = np.unique(all_plates, return_index=True)
    keep = rng.permutation(first)[:n]
    return all_plates[keep], all_states[keep]


def read_counts(total: int, rng: np.random.Generator) -> np.ndarray:
    """Reads per plate: 1 + a Lomax tail (most 1-4, a few hundreds), summing to `total`."""
    counts = 1 + np.floor(rng.pareto(1.6, int(total / 2.5)) * 2.0).astype(np.int64)
    counts = np.minimum(counts, 3_000)
    cum = np.cumsum(counts)
    cut = int(np.searchsorted(cum, total)) + 1
    counts = counts[:cut]
    counts[-1] -= int(counts.sum()) - total
    return counts[counts > 0]


class Dataset:
    """Reads grouped by plate (time-sorted within a plate) plus the columns of every read."""

    def __init__(self, total: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.counts = read_counts(total, rng)
        self.plates, self.states = make_plates(len(self.counts), rng)
        self.total = int(self.counts.sum())
        self.plate_of = np.repeat(np.arange(len(self.counts)), self.counts)
        self.seconds = rng.integers(0, DAYS * 86_400, self.total)
        order = np.lexsort((self.seconds, self.plate_of))
        self.seconds = self.seconds[order]
        self.reader = rng.integers(0, READERS, self.total)
        reader_rng = np.random.default_rng(seed + 1)
        self.reader_lat = CENTRE[0] + reader_rng.uniform(-0.15, 0.15, READERS)
        self.reader_lon = CENTRE[1] + reader_rng.uniform(-0.2, 0.2, READERS)

    def rows(self, order: np.ndarray | None = None) -> Iterator[tuple[object, ...]]:
        """(plate, state, time, reader, lat, lon, image_ref, event_id) per read; times are
        formatted per chunk with numpy, as `iso()` writes them."""
        idx = order if order is not None else np.arange(self.total)
        plates = [p.decode() for p in self.plates]
        states = [s.decode() for s in self.states]
        readers = [f"LPR{r:03d}" for r in range(READERS)]
        lats, lons = self.reader_lat.round(6).tolist(), self.reader_lon.round(6).tolist()
        start = np.datetime64(START.replace(tzinfo=None), "us")
        for chunk in np.array_split(idx, max(1, len(idx) // 200_000)):
            stamps = np.datetime_as_string(
                start + self.seconds[chunk].astype("timedelta64[s]"), unit="us"
            ).tolist()
            for i, p, at, r in zip(
                chunk.tolist(),
                self.plate_of[chunk].tolist(),
                stamps,
                self.reader[chunk].tolist(),
                strict=True,
            ):
                yield (
                    plates[p],
                    states[p],
                    at + "+00:00",
                    readers[r],
                    lats[r],
                    lons[r],
                    f"lpr/{i:08d}.jpg",
                    f"{i:032x}",
                )


def pick_queries(ds: Dataset, n: int, seed: int) -> tuple[list[str], list[str], list[str]]:
    """Substrings of 3-5 characters (a third of each) of random stored plates; fuzzy
    queries (a plate with one character changed); two-character substrings."""
    rng = np.random.default_rng(seed)
    plates = [p.decode() for p in ds.plates[rng.integers(0, len(ds.plates), 3 * n)]]
    subs, fuzzy, pairs = [], [], []
    lookalike = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "B": "8", "S": "5", "Z": "2"}
    for i, plate in enumerate(plates[:n]):
        size = min(3 + i % 3, len(plate))
        start = int(rng.integers(0, len(plate) - size + 1))
        subs.append(plate[start : start + size])
    for plate in plates[n : n + n // 2]:
        pos = int(rng.integers(0, len(plate)))
        swap = lookalike.get(plate[pos]) if rng.random() < 0.5 else None
        other = swap or chr(int(rng.choice(LETTERS if plate[pos].isalpha() else DIGITS)))
        fuzzy.append(plate[:pos] + other + plate[pos + 1 :])
    for plate in plates[2 * n : 2 * n + 20]:
        start = int(rng.integers(0, len(plate) - 1))
        pairs.append(plate[start : start + 2])
    return subs, fuzzy, pairs
