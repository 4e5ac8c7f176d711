"""One UDP datagram → the MAVLink frames in it, checked by pymavlink (CRC, length, flags).

A fresh parser per datagram: UDP keeps message boundaries, so a frame never continues in
the next datagram, and a partial frame left at the end is a truncated datagram. Any bad
frame refuses the whole datagram (nothing from it is applied to the telemetry state).
"""

from typing import Any, NamedTuple

from pymavlink.dialects.v20 import common as mavlink2

from rtcc.sources.base import AdapterError


class Frame(NamedTuple):
    """One decoded message: its name (e.g. "GLOBAL_POSITION_INT"), sender and the
    pymavlink message. Its fields are read as attributes where needed: `to_dict()` would
    convert every field of every frame, and differs only on text fields, never read."""

    name: str
    sysid: int
    compid: int
    crc: int
    message: Any


def _bad_frame(index: int, reason_text: str) -> AdapterError:
    text = reason_text.lower()
    if "crc" in text:
        reason = "crc_mismatch"
    elif "prefix" in text:
        reason = "not_mavlink"
    elif "incompat" in text:
        reason = "unsupported_flags"
    elif "length" in text:
        reason = "bad_length"
    else:
        reason = "bad_frame"
    return AdapterError("frame", reason, f"frame {index}: {reason_text[:120]}")


def parse_datagram(data: bytes) -> list[Frame]:
    parser: Any = mavlink2.MAVLink(None)
    parser.robust_parsing = True  # bad bytes come back as BAD_DATA, not as exceptions
    try:
        decoded: Any = parser.parse_buffer(data) or []
        leftover = int(parser.buf_len())
    except Exception as exc:  # pymavlink raises MAVError, struct.error, and worse
        raise AdapterError("frame", "bad_frame", f"{type(exc).__name__}: {exc}") from exc
    frames: list[Frame] = []
    for index, message in enumerate(decoded):
        name = str(message.get_type())
        if name == "BAD_DATA":
            raise _bad_frame(index, str(getattr(message, "reason", "bad data")))
        if name.startswith("UNKNOWN"):
            continue  # a dialect message outside common.xml: its CRC cannot be checked
        sysid, compid = int(message.get_srcSystem()), int(message.get_srcComponent())
        frames.append(Frame(name, sysid, compid, int(getattr(message, "_crc", 0) or 0), message))
    if leftover:
        raise AdapterError("frame", "truncated", f"{leftover} bytes of an incomplete frame")
    if not frames and not decoded:
        raise AdapterError("frame", "not_mavlink", "no MAVLink frame in the datagram")
    return frames
