"""Bytes → FeedMessage, telling a cut-off body from one that is not protobuf at all."""

import math
import re
import struct
from typing import Any

from google.transit import gtfs_realtime_pb2

from rtcc.sources.base import AdapterError

_INDEX = re.compile(r"\[\d+\]")


def decode_feed(data: bytes) -> Any:
    """Parse one FeedMessage; required fields (header, version, entity id…) must be set."""
    feed: Any = gtfs_realtime_pb2.FeedMessage()
    try:
        feed.ParseFromString(data)
    except Exception as exc:  # google.protobuf.message.DecodeError (protobuf is untyped here)
        if wire_problem(data) == "truncated":
            raise AdapterError("FeedMessage", "truncated", "the body ends inside a field") from exc
        raise AdapterError("FeedMessage", "not_protobuf", "not a GTFS-rt FeedMessage") from exc
    if feed.IsInitialized():  # cheap; FindInitializationErrors walks the whole feed
        return feed
    missing: list[str] = [str(path) for path in feed.FindInitializationErrors()]
    if missing:
        field = _INDEX.sub("", missing[0])
        raise AdapterError(field, "missing", f"required field {missing[0]} is not set")
    return feed


def wire_problem(data: bytes) -> str:
    """Walk the top-level protobuf fields: running past the end means the body was cut."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        if key is None:
            return "truncated"
        if key < 0:
            return "not_protobuf"
        field_number, wire_type = key >> 3, key & 7
        if field_number == 0 or wire_type not in (0, 1, 2, 5):
            return "not_protobuf"
        if wire_type == 0:
            value, pos = _varint(data, pos)
            if value is None or value < 0:
                return "truncated" if value is None else "not_protobuf"
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            if length is None or length < 0:
                return "truncated" if length is None else "not_protobuf"
            pos += length
        else:
            pos += 8 if wire_type == 1 else 4
        if pos > end:
            return "truncated"
    return "not_protobuf"  # every top-level field fits: the damage is inside one


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    """A base-128 varint at pos; None if the data ends inside it, -1 if over 10 bytes."""
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            return None, pos
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
    return -1, pos


_FLOAT32 = struct.Struct("<f")
_TO_FLOAT32 = _FLOAT32.pack
_FROM_FLOAT32 = _FLOAT32.unpack


def float32_text(value: float) -> float:
    """The shortest decimal of 6 to 9 significant digits that is this float32, i.e. what
    the producer wrote (27.887, not 27.886999130249023).

    round(value, d - 1 - exponent) gives the same correctly rounded number as
    float(f"{value:.{d}g}") in half the time."""
    if not value:
        return value
    exponent = math.floor(math.log10(abs(value)))  # exact for float32s (test_gtfs_rt)
    for decimals in range(5 - exponent, 9 - exponent):
        shorter = round(value, decimals)
        if _FROM_FLOAT32(_TO_FLOAT32(shorter))[0] == value:
            return shorter
    return value
