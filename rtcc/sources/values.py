"""Readers for loosely typed wire values (JSON numbers, XML or CSV text): one value → one
typed value, or an AdapterError naming the field it came from."""

import math
from typing import Any

from rtcc.sources.base import AdapterError


def number(field: str, value: Any) -> float:
    """A finite number from a JSON number or numeric text (XML/CSV)."""
    if type(value) is float and math.isfinite(value):  # most values: a JSON number, as is
        return value
    if isinstance(value, bool):
        raise AdapterError(field, "not_a_number", f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            raise AdapterError(field, "not_a_number", f"{value!r} is not a number") from None
    else:
        raise AdapterError(field, "not_a_number", f"{type(value).__name__} is not a number")
    if not math.isfinite(result):
        raise AdapterError(field, "out_of_range", f"{value!r} is not finite")
    return result


def confidence(field: str, value: Any) -> float | None:
    """0..1 as is; 1 < x ≤ 100 is read as a percentage (vendors and OpenALPR send both)."""
    if value is None:
        return None
    result = number(field, value)
    if 1 < result <= 100:
        result /= 100
    if not 0 <= result <= 1:
        raise AdapterError(field, "out_of_range", f"{value!r} is not a confidence")
    return result
