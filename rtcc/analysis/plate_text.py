"""Plate text as readers and people write it: normal form, OCR confusions, a weighted distance.

Plate readers misread characters that look alike (O/0/D/Q, 1/I/L, 8/B, 5/S, 2/Z), so
matching a read against a hotlist, or searching for a half-remembered plate, compares
plates in a *confusion-folded* form and scores differences between look-alikes as cheaper
than other edits. Hotlist matching and plate search share these rules.
"""

import re
from functools import lru_cache

#: Characters a reader or a witness easily mistakes for one another.
CONFUSION_GROUPS: tuple[str, ...] = ("0ODQ", "1IL", "8B", "5S", "2Z")

_FOLD = {ch: group[0] for group in CONFUSION_GROUPS for ch in group}
_FOLD_TABLE = str.maketrans(_FOLD)
_PLATE_CHARS = re.compile(r"[^A-Z0-9]")

#: The cost of substituting one look-alike for another (a full substitution costs 1).
CONFUSION_COST = 0.25


class PlateError(ValueError):
    """A plate text that cannot be a plate: names the reason."""


def normalize_plate(text: str) -> str:
    """Upper case, letters and digits only ("7ab-123 " → "7AB123"); refuses an empty result."""
    plate = _PLATE_CHARS.sub("", text.upper())
    if not plate:
        raise PlateError(f"no letters or digits in {text!r}")
    if len(plate) > 10:
        raise PlateError(f"{plate!r} is longer than 10 characters")
    return plate


def fold_confusions(plate: str) -> str:
    """Every look-alike mapped to one representative: "SO8IL" and "5DB11" fold the same."""
    return plate.translate(_FOLD_TABLE)


def confusable(a: str, b: str) -> bool:
    """True when the two characters are the same or commonly mistaken for one another."""
    return a == b or _FOLD.get(a, a) == _FOLD.get(b, b)


def substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return CONFUSION_COST if confusable(a, b) else 1.0


@lru_cache(maxsize=65536)
def plate_distance(a: str, b: str) -> float:
    """Edit distance where a look-alike substitution costs `CONFUSION_COST` and any other
    insertion, deletion or substitution costs 1 (Levenshtein, weighted)."""
    if a == b:
        return 0.0
    previous = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, start=1):
        current = [float(i)]
        for j, cb in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1.0,
                    current[j - 1] + 1.0,
                    previous[j - 1] + substitution_cost(ca, cb),
                )
            )
        previous = current
    return previous[-1]
