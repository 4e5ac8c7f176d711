"""An in-memory n-gram index over DISTINCT plates, so a partial plate never scans the reads.

Ten million reads hold perhaps two million distinct plates, and a plate is at most ten
characters from a 36-letter alphabet. Every trigram and bigram of every distinct plate is
coded as a small integer (36³ = 46,656 trigram codes, 1,296 bigram codes) and the plates
holding it are kept as one sorted int32 posting list (compressed sparse rows, built with
numpy in a few seconds). A substring query intersects the posting lists of its trigrams,
shortest first (a 3-character query is exactly one list, a 2-character one a bigram
list); wildcard queries do the same with the literal runs between wildcards and then
verify with a regular expression; fuzzy queries use the q-gram count bound over the
look-alike variants of each query trigram and verify with `plate_distance`. Only then are
the reads of the matching plates fetched, by plate id, from the clustered `plate_reads`
table. New plates land in a small delta list scanned directly until the next rebuild.
"""

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from rtcc.analysis.plate_text import CONFUSION_GROUPS, fold_confusions, plate_distance

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_LEN = 10
_CODE = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOKALIKES = {ch: group for group in CONFUSION_GROUPS for ch in group}
IntArray = npt.NDArray[np.int64]


class PlateSource(Protocol):
    def plates_since(self, after_id: int) -> list[tuple[int, str]]: ...


Postings = npt.NDArray[np.int32]


def gram_code(gram: str) -> int:
    code = 0
    for ch in gram:
        code = code * 36 + _CODE[ch]
    return code


@dataclass(frozen=True, slots=True)
class _Grams:
    """Posting lists of one n-gram size: plates of code c are postings[offsets[c]:offsets[c+1]]."""

    offsets: IntArray
    postings: Postings

    def plates_with(self, code: int) -> Postings:
        return self.postings[self.offsets[code] : self.offsets[code + 1]]


def _encode(plates: Sequence[str]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """Plates as an (n, 10) array of alphabet codes (padding 0) and their lengths."""
    raw = np.array(plates, dtype=f"S{MAX_LEN}").view(np.uint8).reshape(len(plates), MAX_LEN)
    lookup = np.zeros(256, dtype=np.uint8)
    for ch, code in _CODE.items():
        lookup[ord(ch)] = code
    lengths = np.count_nonzero(raw, axis=1).astype(np.int64)
    return lookup[raw], lengths


def _build_grams(codes: npt.NDArray[np.uint8], lengths: IntArray, q: int) -> _Grams:
    """One (code, plate) key per n-gram occurrence, sorted and de-duplicated into rows."""
    n = len(lengths)
    keys: list[IntArray] = []
    for start in range(MAX_LEN - q + 1):
        valid = np.nonzero(lengths >= start + q)[0]
        code = np.zeros(len(valid), dtype=np.int64)
        for j in range(q):
            code = code * 36 + codes[valid, start + j]
        keys.append(code * n + valid)
    merged = _sorted_unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    grams, plates = np.divmod(merged, max(n, 1))
    counts = np.bincount(grams, minlength=36**q)
    offsets = np.zeros(36**q + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return _Grams(offsets, plates.astype(np.int32))


def _sorted_unique(values: IntArray) -> IntArray:
    """Sort then drop repeats (np.unique hashes first, several times slower here)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


class PlateIndex:
    """An immutable snapshot: positions 0..n-1 stand for `plate_ids[i]` with text `texts[i]`."""

    def __init__(self, plate_ids: Sequence[int], plates: Sequence[str]) -> None:
        self.plate_ids = np.asarray(plate_ids, dtype=np.int64)
        self.texts = np.array(plates, dtype=f"S{MAX_LEN}")
        codes, lengths = _encode(plates)
        self._trigrams = _build_grams(codes, lengths, 3)
        self._bigrams = _build_grams(codes, lengths, 2)

    def __len__(self) -> int:
        return len(self.plate_ids)

    def nbytes(self) -> int:
        parts = (self.plate_ids, self.texts, *self._arrays())
        return int(sum(a.nbytes for a in parts))

    def _arrays(self) -> tuple[npt.NDArray[np.generic], ...]:
        t, b = self._trigrams, self._bigrams
        return (t.offsets, t.postings, b.offsets, b.postings)

    def _text(self, positions: Postings) -> list[str]:
        return [t.decode() for t in self.texts[positions]]

    def _postings(self, gram: str) -> Postings:
        grams = self._trigrams if len(gram) == 3 else self._bigrams
        return grams.plates_with(gram_code(gram))

    def _all_of(self, grams: Iterable[str]) -> Postings:
        """Plates holding every one of `grams`: intersect, shortest list first."""
        lists = sorted((self._postings(g) for g in set(grams)), key=len)
        found = lists[0]
        for more in lists[1:]:
            if not len(found):
                break
            found = np.intersect1d(found, more, assume_unique=True)
        return found

    def containing(self, runs: Sequence[str]) -> Postings:
        """Positions of plates holding every n-gram of the literal runs (each ≥ 2 long)."""
        return self._all_of(g for run in runs for g in _ngrams(run, 3 if len(run) >= 3 else 2))

    def matching(self, runs: Sequence[str], verify: re.Pattern[str]) -> list[tuple[int, str]]:
        """(plate id, text) of plates holding the runs and fully matching `verify`.

        A lone run of 2 or 3 characters searched as a substring needs no verification:
        its one n-gram list is the answer."""
        positions = self.containing(runs)
        texts = self._text(positions)
        ids = self.plate_ids[positions].tolist()
        if len(runs) == 1 and len(runs[0]) <= 3 and verify.pattern == f".*{runs[0]}.*":
            return list(zip(ids, texts, strict=True))
        return [(i, t) for i, t in zip(ids, texts, strict=True) if verify.fullmatch(t)]

    def count_containing(self, runs: Sequence[str]) -> int:
        return len(self.containing(runs))

    def near(self, query: str, max_distance: float) -> list[tuple[int, str, float]]:
        """(plate id, text, distance) of plates within `max_distance` of `query`.

        Candidates: a plate within k full edits of the query (look-alikes are free after
        folding) shares at least `len - q + 1 - q·k` of the query's q-gram positions, where
        each position counts the look-alike variants of its gram."""
        k = int(max_distance)
        q = fuzzy_gram_size(len(query), k)
        per_position = []
        for gram in _ngrams(query, q, unique=False):
            variants = [self._postings(v) for v in lookalike_variants(gram)]
            per_position.append(_sorted_unique(np.concatenate(variants).astype(np.int64)))
        need = len(query) - q + 1 - q * k
        stacked = np.concatenate(per_position)
        positions = _at_least(stacked, need)
        return verify_near(
            query, max_distance, self.plate_ids[positions].tolist(), self._text(positions)
        )


def _at_least(values: IntArray, times: int) -> Postings:
    """The values that occur at least `times` times."""
    values = np.sort(values)
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(values)))
    found: Postings = values[starts[counts >= times]].astype(np.int32)
    return found


def fuzzy_gram_size(length: int, k: int) -> int:
    """3 when trigrams still bound the candidates, else 2; 0 when neither does."""
    for q in (3, 2):
        if length - q + 1 - q * k >= 1:
            return q
    return 0


def verify_near(
    query: str, max_distance: float, ids: Sequence[int], texts: Sequence[str]
) -> list[tuple[int, str, float]]:
    """Folded Levenshtein (C, fast) as a bound, then the confusion-weighted distance."""
    k = int(max_distance)
    folded = fold_confusions(query)
    found = []
    for plate_id, text in zip(ids, texts, strict=True):
        if abs(len(text) - len(query)) > k:
            continue
        if Levenshtein.distance(folded, fold_confusions(text), score_cutoff=k) > k:
            continue
        distance = plate_distance(query, text)
        if distance <= max_distance:
            found.append((plate_id, text, distance))
    return found


def lookalike_variants(gram: str) -> list[str]:
    """Every spelling of `gram` with each character swapped for its look-alikes."""
    choices = [_LOOKALIKES.get(ch, ch) for ch in gram]
    return ["".join(chars) for chars in itertools.product(*choices)]


def _ngrams(text: str, q: int, unique: bool = True) -> list[str]:
    grams = [text[i : i + q] for i in range(len(text) - q + 1)]
    return list(dict.fromkeys(grams)) if unique else grams


class LivePlateIndex:
    """The snapshot plus the plates added since, refreshed from the store before each query.

    New plates go to a delta list scanned directly; once it outgrows `rebuild_after` (or a
    tenth of the snapshot) the snapshot is rebuilt from the store."""

    def __init__(self, store: PlateSource, rebuild_after: int = 20_000) -> None:
        self._store = store
        self._rebuild_after = rebuild_after
        self._lock = threading.Lock()
        self._base = PlateIndex([], [])
        self._delta: list[tuple[int, str]] = []
        self._last_id = 0

    def refresh(self) -> tuple[PlateIndex, list[tuple[int, str]]]:
        with self._lock:
            fresh = self._store.plates_since(self._last_id)
            if fresh:
                self._last_id = fresh[-1][0]
                self._delta.extend(fresh)
            if len(self._delta) > max(self._rebuild_after, len(self._base) // 10):
                self.rebuild_locked()
            return self._base, list(self._delta)

    def rebuild(self) -> None:
        with self._lock:
            self._last_id = 0
            self._delta = self._store.plates_since(0)
            if self._delta:
                self._last_id = self._delta[-1][0]
            self.rebuild_locked()

    def rebuild_locked(self) -> None:
        ids = [*self._base.plate_ids.tolist(), *(i for i, _ in self._delta)]
        texts = [*(t.decode() for t in self._base.texts), *(t for _, t in self._delta)]
        self._base = PlateIndex(ids, texts)
        self._delta = []

    def matching(self, runs: Sequence[str], verify: re.Pattern[str]) -> list[tuple[int, str]]:
        base, delta = self.refresh()
        found = base.matching(runs, verify) if len(base) else []
        found += [(i, t) for i, t in delta if verify.fullmatch(t)]
        return found

    def count_containing(self, runs: Sequence[str]) -> int:
        base, delta = self.refresh()
        extra = sum(1 for _, t in delta if all(run in t for run in runs))
        return (base.count_containing(runs) if len(base) else 0) + extra

    def near(self, query: str, max_distance: float) -> list[tuple[int, str, float]]:
        base, delta = self.refresh()
        found = base.near(query, max_distance) if len(base) else []
        ids, texts = [i for i, _ in delta], [t for _, t in delta]
        return found + verify_near(query, max_distance, ids, texts)
