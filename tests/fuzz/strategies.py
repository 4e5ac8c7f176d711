"""Hypothesis strategies that build near-valid inputs from the real samples.

Random bytes mostly die at the first parser check; the bugs live one step further in, in
documents that parse but carry a dropped, duplicated or retyped field, a huge number,
NaN, odd unicode or a cut-off tail. So each wire format gets a structure-aware mutator
(JSON tree, XML tree, CSV cells, NMEA fields with a fixed checksum, protobuf fields,
MAVLink frames with a valid CRC) seeded with the conformance fixtures and the public data
in ../shared/data, plus byte-level mutations for whatever the structure misses.
"""

import contextlib
import copy
import csv
import io
import json
import math
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from rtcc.sources.base import split_messages
from rtcc.sources.registry import ADAPTERS, adapter_class
from tests.sources.test_conformance import FIXTURES, bad_cases, good_files

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("RTCC_SHARED_DATA", REPO.parent / "shared" / "data"))
SEED_LIMIT = 64 * 1024  # larger samples are slow to mutate and add no new structure
SEEDS_PER_FILE = 6

# The parsed structure each adapter reads; "json|xml" sniffs the first byte.
STRUCTURE: dict[str, str] = {
    "bodycam": "json",
    "cad_csv": "csv",
    "camera_registry": "json",
    "cot": "xml",
    "eido": "json",
    "gtfs_rt": "protobuf",
    "gunshot_csv": "csv",
    "lpr_csv": "csv",
    "lpr_webhook": "json",
    "mavlink": "mavlink",
    "nmea": "nmea",
    "onvif": "xml",
    "pidf_lo": "xml",
    "shotspotter": "json|xml",
}
# Public samples of the same formats in ../shared/data beyond those the fixtures name.
EXTRA_SHARED: dict[str, tuple[str, ...]] = {
    "cot": ("schemas/cot_tak/takcot/examples/*.cot",),
    "eido": ("schemas/nena_eido/Samples/*.json",),
    "gtfs_rt": ("avl/gtfsrt_*.pb",),
    "pidf_lo": ("schemas/pidf_lo/PidfFiles/*.xml",),
}

# ---------------------------------------------------------------- hostile values

HOSTILE_NUMBERS: tuple[float | int, ...] = (
    0,
    -1,
    1,
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**400,
    1e308,
    -1e308,
    5e-324,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    90.0000001,
    -180.0000001,
    91,
    181,
    361,
    1e16,
)
HOSTILE_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\t",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e400",
    "-1e400",
    "1e-400",
    "99999999999999999999999999",
    "0x1F",
    "1_000",
    "\uff11\uff12\uff13",  # fullwidth digits: float() and int() accept them
    "\u0663.\u0665",  # Arabic-Indic digits
    "+",
    "-",
    ".",
    "1,5",
    "-91.5",
    "181.25",
    "2026-02-30T00:00:00Z",
    "2026-11-25T20:14:03",
    "2026-11-25T20:14:03+25:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1970-01-01T00:00:00Z",
    "24:00:00",
    "13/45/2026 99:99:99 PM",
    "\u202eevil",
    "ǅ",
    "😀😀😀",
    "A" * 5000,
    "9" * 5000,
    "null",
    "true",
    "<x/>",
    "&amp;",
    "]]>",
    '"',
    ",",
    "\r\n",
    "\x00",
    "\ud800",  # a lone surrogate: survives json.loads, breaks .encode()
)


def _xml_safe(text: str) -> bool:
    """Characters lxml can put in text or attributes (XML 1.0 Char, no surrogates)."""
    return all(
        c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) > 0xFFFF
        for c in text
    )


def _encodable(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def hostile_text(accept: Callable[[str], bool] = _encodable) -> st.SearchStrategy[str]:
    """Strings that look like numbers, times or markup but are not quite."""
    return st.one_of(
        st.sampled_from([t for t in HOSTILE_TEXT if accept(t)]),
        st.sampled_from([repr(n) for n in HOSTILE_NUMBERS]),
        st.text(max_size=24).filter(accept),
        st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,20})?([eE][-+]?[0-9]{1,4})?", fullmatch=True),
    )


DEEP = "\x00rtcc-deep\x00"  # stands for a deeply nested array in serialised JSON

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(),
    st.floats(),
    hostile_text(lambda _: True),
)


def hostile_json() -> st.SearchStrategy[Any]:
    return st.one_of(
        _json_leaf,
        _json_leaf,
        st.lists(_json_leaf, max_size=3),
        st.dictionaries(st.text(max_size=8), _json_leaf, max_size=3),
        st.integers(0, 15).map(lambda n: DEEP if n == 0 else None),
    )


def json_documents() -> st.SearchStrategy[Any]:
    """Arbitrary JSON values (any shape, any scalar)."""
    return st.recursive(
        _json_leaf,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=20,
    )


def dump_json(doc: Any, ascii_only: bool, depth: int) -> bytes:
    text = json.dumps(doc, allow_nan=True, ensure_ascii=ascii_only)
    text = text.replace(json.dumps(DEEP), "[" * depth + "]" * depth)  # escaped either way
    return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------- JSON trees

Path_ = tuple[str | int, ...]


def _json_paths(doc: Any, prefix: Path_ = ()) -> list[Path_]:
    found: list[Path_] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*prefix, key))
            found += _json_paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found.append((*prefix, index))
            found += _json_paths(value, (*prefix, index))
    return found


def _parent(doc: Any, path: Path_) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutate_tree(draw: st.DrawFn, doc: Any) -> Any:
    """Drop, duplicate, retype, rename or replace one to three nodes of a JSON value."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = _json_paths(doc)
        if not paths:
            return draw(hostile_json())
        path = paths[draw(st.integers(0, len(paths) - 1))]
        parent, last = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["replace", "replace", "drop", "dup", "retype", "rename"]))
        if op == "replace":
            parent[last] = draw(hostile_json())
        elif op == "drop":
            del parent[last]
        elif op == "dup" and isinstance(parent, list):
            parent.insert(int(last), copy.deepcopy(parent[int(last)]))
        elif op == "dup":
            parent[f"{last}{draw(st.sampled_from(['_', '2', ' ', '.x']))}"] = parent[last]
        elif op == "retype":
            value = parent[last]
            parent[last] = draw(
                st.sampled_from([[value], {"value": value}, str(value), None, [], {}])
            )
        elif isinstance(parent, dict):
            parent[draw(hostile_text())] = parent.pop(last)
    return doc


def deepen(doc: Any, depth: int) -> Any:
    """The value with every DEEP marker replaced by arrays nested `depth` levels."""
    if doc == DEEP:
        nested: list[Any] = []
        for _ in range(depth - 1):
            nested = [nested]
        return nested
    if isinstance(doc, dict):
        return {key: deepen(value, depth) for key, value in doc.items()}
    if isinstance(doc, list):
        return [deepen(value, depth) for value in doc]
    return doc


@st.composite
def mutate_json(draw: st.DrawFn, doc: Any) -> bytes:
    """A JSON document with one to three nodes mutated, serialised (NaN, huge numbers and
    lone surrogates included, as a careless or hostile sender would write them)."""
    mutated = draw(mutate_tree(doc))
    depth = draw(st.sampled_from([10, 1000, 100_000]))
    return dump_json(mutated, draw(st.booleans()), depth)


# ---------------------------------------------------------------- XML trees

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_DOCTYPES = (
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n',
    b'<!DOCTYPE r SYSTEM "file:///etc/passwd">\n',
    b"<!DOCTYPE r>\n",
)


def _elements(root: Any) -> list[Any]:
    return [el for el in root.iter() if isinstance(el.tag, str)]


@st.composite
def mutate_xml(draw: st.DrawFn, seed: bytes) -> bytes:
    """Drop, duplicate, empty, rename or re-value elements and attributes of an XML tree."""
    try:
        root = etree.fromstring(seed, _XML_PARSER)
    except etree.XMLSyntaxError:
        return draw(mutate_bytes(Seeds([seed])))
    if root is None:
        return draw(mutate_bytes(Seeds([seed])))
    tags = sorted({el.tag for el in _elements(root)})
    safe = hostile_text(_xml_safe)
    for _ in range(draw(st.integers(1, 3))):
        elements = _elements(root)
        el = elements[draw(st.integers(0, len(elements) - 1))]
        parent = el.getparent()
        op = draw(st.sampled_from(["text", "text", "attr", "drop", "dup", "empty", "rename"]))
        if op == "text":
            el.text = draw(safe)
        elif op == "attr":
            names = sorted(el.attrib) or [draw(st.sampled_from(["lat", "lon", "time", "id"]))]
            name = draw(st.sampled_from(names))
            if draw(st.booleans()) or name not in el.attrib:
                el.set(name, draw(safe))
            else:
                del el.attrib[name]
        elif op == "drop" and parent is not None:
            parent.remove(el)
        elif op == "dup" and parent is not None:
            parent.insert(parent.index(el) + 1, copy.deepcopy(el))
        elif op == "empty":
            el.clear()
        elif op == "rename":
            el.tag = draw(st.sampled_from(tags))
    encoding = draw(st.sampled_from(["UTF-8", "UTF-8", "ASCII", "UTF-16", "ISO-8859-1"]))
    out: bytes = etree.tostring(
        root, encoding=encoding, xml_declaration=encoding != "UTF-8" or draw(st.booleans())
    )
    if draw(st.integers(0, 9)) == 0 and encoding == "UTF-8":
        head = draw(st.sampled_from(_DOCTYPES))
        out = out.split(b"?>", 1)[-1] if out.startswith(b"<?xml") else out
        out = head + out
    return out


# ---------------------------------------------------------------- CSV rows


@st.composite
def mutate_csv(draw: st.DrawFn, seed: bytes) -> bytes:
    """Re-value cells, drop/duplicate/swap columns, rename headers, add ragged cells."""
    rows = list(csv.reader(io.StringIO(seed.decode("utf-8-sig", "replace"), newline="")))
    rows = [row for row in rows if row] or [["a"], ["1"]]
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        width = max(len(row) for row in rows)
        c = draw(st.integers(0, max(width - 1, 0)))
        op = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "drop_col", "dup_col", "swap_head", "ragged", "row"]
            )
        )
        if op == "cell" and c < len(rows[r]):
            rows[r][c] = draw(hostile_text())
        elif op == "drop_col":
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif op == "dup_col":
            rows = [row[: c + 1] + row[c:] for row in rows]
        elif op == "swap_head" and len(rows[0]) > 1:
            d = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][c % len(rows[0])], rows[0][d] = rows[0][d], rows[0][c % len(rows[0])]
        elif op == "ragged":
            rows[r] = rows[r] + draw(st.lists(hostile_text(), min_size=1, max_size=3))
        elif op == "row":
            rows.insert(r, list(rows[r]) if draw(st.booleans()) else [])
    out = io.StringIO()
    delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    csv.writer(out, delimiter=delimiter, lineterminator=ending).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------- NMEA sentences

_NMEA_VALUES = (
    "",
    "9999.9999",
    "4807.038",
    "-4807.038",
    "0000.0000",
    "9000.0001",
    "18000.0001",
    "4807.0380000000000000001",
    "NaN",
    "inf",
    "1e400",
    "235960",
    "240000",
    "999999.99",
    "310299",
    "000000",
    "290223",
    "290224",
    "X",
    "n",
    "V",
    "A",
    "0",
    "99",
    "-1",
)


def nmea_checksum(body: str) -> str:
    value = 0
    for char in body:
        value ^= ord(char) & 0xFF
    return f"{value:02X}"


@st.composite
def mutate_nmea(draw: st.DrawFn, seed: bytes) -> bytes:
    """Re-value, drop or add comma fields of one sentence, then (mostly) fix its checksum
    so the mutation reaches the field parsers instead of dying at the checksum."""
    text = seed.decode("ascii", "replace").strip()
    start = text[:1] if text[:1] in "$!" else "$"
    body = text[1:].split("*", 1)[0]
    fields = body.split(",")
    ascii_text = hostile_text(lambda t: t.isascii() and "," not in t and "*" not in t)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(fields) - 1))
        op = draw(st.sampled_from(["value", "value", "value", "drop", "dup", "add", "talker"]))
        if op == "value":
            fields[i] = draw(st.sampled_from(_NMEA_VALUES) | ascii_text)
        elif op == "drop" and len(fields) > 1:
            del fields[i]
        elif op == "dup":
            fields.insert(i, fields[i])
        elif op == "add":
            fields.append(draw(st.sampled_from(_NMEA_VALUES)))
        elif op == "talker":
            fields[0] = draw(st.sampled_from(["GPRMC", "GNGGA", "GPGGA", "XXRMC", "GP", "", "P"]))
    body = ",".join(fields)
    checksum = (
        nmea_checksum(body) if draw(st.integers(0, 9)) else draw(st.sampled_from(["00", "", "ZZ"]))
    )
    return f"{start}{body}*{checksum}".encode("ascii", "replace")


# ---------------------------------------------------------------- protobuf (GTFS-rt)


def _pb_fields(message: Any) -> list[tuple[Any, Any]]:
    """(message, field descriptor) of every set field, depth first."""
    found: list[tuple[Any, Any]] = []
    for fd, value in message.ListFields():
        found.append((message, fd))
        if fd.message_type is not None:
            children = value if _repeated(fd) else [value]
            for child in children:
                found += _pb_fields(child)
    return found


def _repeated(fd: Any) -> bool:
    if hasattr(fd, "is_repeated"):  # newer protobuf; `label` is deprecated, then gone
        return bool(fd.is_repeated)
    return bool(fd.label == fd.LABEL_REPEATED)


def _pb_value(draw: st.DrawFn, fd: Any) -> Any:
    t = fd.type
    if t in (fd.TYPE_FLOAT, fd.TYPE_DOUBLE):
        big = 3.4e38 if t == fd.TYPE_FLOAT else 1.7e308
        return draw(st.sampled_from([math.nan, math.inf, -math.inf, big, -big, 1e-45, -0.0, 91.0]))
    if t in (fd.TYPE_INT32, fd.TYPE_SINT32, fd.TYPE_SFIXED32):
        return draw(st.sampled_from([0, -1, 2**31 - 1, -(2**31)]))
    if t in (fd.TYPE_UINT32, fd.TYPE_FIXED32):
        return draw(st.sampled_from([0, 1, 2**32 - 1]))
    if t in (fd.TYPE_INT64, fd.TYPE_SINT64, fd.TYPE_SFIXED64):
        return draw(st.sampled_from([0, -1, 2**63 - 1, -(2**63), 10**13]))
    if t in (fd.TYPE_UINT64, fd.TYPE_FIXED64):
        return draw(st.sampled_from([0, 1, 2**64 - 1, 10**13, 253402300800]))
    if t == fd.TYPE_BOOL:
        return draw(st.booleans())
    if t == fd.TYPE_STRING:
        return draw(hostile_text())
    if t == fd.TYPE_BYTES:
        return draw(st.binary(max_size=16))
    if t == fd.TYPE_ENUM:
        return draw(st.sampled_from([v.number for v in fd.enum_type.values]))
    return None


@st.composite
def mutate_protobuf(draw: st.DrawFn, seed: bytes) -> bytes:
    """Clear fields, set scalars to their type's extremes, duplicate or drop repeated items."""
    from google.transit import gtfs_realtime_pb2

    feed = gtfs_realtime_pb2.FeedMessage()
    try:
        feed.ParseFromString(seed)
    except Exception:
        return draw(mutate_bytes(Seeds([seed])))
    for _ in range(draw(st.integers(1, 4))):
        fields = _pb_fields(feed)
        if not fields:
            break
        owner, fd = fields[draw(st.integers(0, len(fields) - 1))]
        op = draw(st.sampled_from(["value", "value", "value", "clear", "dup", "drop"]))
        try:
            if op == "clear":
                owner.ClearField(fd.name)
            elif _repeated(fd) and fd.message_type is not None and op in ("dup", "drop"):
                items = getattr(owner, fd.name)
                i = draw(st.integers(0, len(items) - 1))
                if op == "dup":
                    items.add().CopyFrom(items[i])
                else:
                    del items[i]
            elif fd.message_type is None and not _repeated(fd):
                setattr(owner, fd.name, _pb_value(draw, fd))
        except (ValueError, TypeError, IndexError):
            pass  # a value the binding refuses to hold cannot be on the wire either
    out: bytes = feed.SerializePartialToString()
    return out


# ---------------------------------------------------------------- MAVLink frames

MAVLINK_MESSAGES = (
    "HEARTBEAT",
    "GLOBAL_POSITION_INT",
    "SYSTEM_TIME",
    "ATTITUDE",
    "SYS_STATUS",
    "BATTERY_STATUS",
    "GPS_RAW_INT",
)
_INT_RANGES = {
    "int8_t": (-(2**7), 2**7 - 1),
    "uint8_t": (0, 2**8 - 1),
    "int16_t": (-(2**15), 2**15 - 1),
    "uint16_t": (0, 2**16 - 1),
    "int32_t": (-(2**31), 2**31 - 1),
    "uint32_t": (0, 2**32 - 1),
    "int64_t": (-(2**63), 2**63 - 1),
    "uint64_t": (0, 2**64 - 1),
}


def _mavlink_scalar(draw: st.DrawFn, kind: str) -> Any:
    if kind in ("float", "double"):
        return draw(
            st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 3.4e38, -3.4e38, 7.0])
            | st.floats(width=32)
        )
    if kind == "char":
        return draw(st.binary(max_size=1))
    low, high = _INT_RANGES[kind.replace("_mavlink_version", "")]
    return draw(st.sampled_from([low, high, 0, -1 if low < 0 else 1]) | st.integers(low, high))


@st.composite
def mavlink_frames(draw: st.DrawFn) -> bytes:
    """One to four well-formed frames (valid CRC) whose fields hold extreme values."""
    from pymavlink.dialects.v20 import common as mavlink2

    out = b""
    for _ in range(draw(st.integers(1, 4))):
        mav = mavlink2.MAVLink(
            None, srcSystem=draw(st.integers(0, 255)), srcComponent=draw(st.integers(0, 255))
        )
        name = draw(st.sampled_from(MAVLINK_MESSAGES))
        cls = mavlink2.mavlink_map[getattr(mavlink2, f"MAVLINK_MSG_ID_{name}")]
        values: list[Any] = []
        # fieldtypes follow the constructor's order, array_lengths the wire order
        length_of = dict(zip(cls.ordered_fieldnames, cls.array_lengths, strict=True))
        for name_, kind in zip(cls.fieldnames, cls.fieldtypes, strict=True):
            length = length_of[name_]
            base = kind.split("[")[0]
            if base == "char":
                values.append(draw(st.binary(max_size=max(length, 1))))
            elif length:
                values.append([_mavlink_scalar(draw, base) for _ in range(length)])
            else:
                values.append(_mavlink_scalar(draw, base))
        version_1 = draw(st.booleans())
        with contextlib.suppress(Exception):  # what pymavlink cannot pack is never on the wire
            out += bytes(cls(*values).pack(mav, force_mavlink1=version_1))
    return out or b"\xfd"


# ---------------------------------------------------------------- bytes

_INTERESTING = (0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x22, 0x2C, 0x3C, 0x3E, 0x26, 0xFD, 0xFE)


class Seeds(tuple[bytes, ...]):
    """Sample messages; shown by count, so a failure report is not 100 kB of seeds."""

    def __repr__(self) -> str:
        return f"<{len(self)} seed messages>"


def pick(pool: Seeds) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(pool) - 1).map(pool.__getitem__)


@st.composite
def mutate_bytes(draw: st.DrawFn, seeds: Seeds) -> bytes:
    """Flip, set, insert, delete, duplicate or splice bytes; cut the tail."""
    data = bytearray(draw(pick(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        i = draw(st.integers(0, max(n - 1, 0)))
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "dup", "splice", "cut"]))
        if op == "flip" and n:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and n:
            data[i] = draw(st.sampled_from(_INTERESTING))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 16))]
        elif op == "dup":
            data[i:i] = data[i : i + draw(st.integers(1, 64))]
        elif op == "splice":
            other = draw(pick(seeds))
            data = data[:i] + other[draw(st.integers(0, max(len(other) - 1, 0))) :]
        elif op == "cut":
            del data[i:]
    return bytes(data)


@st.composite
def truncated(draw: st.DrawFn, inner: st.SearchStrategy[bytes]) -> bytes:
    data = draw(inner)
    if data and draw(st.integers(0, 4)) == 0:
        return data[: draw(st.integers(0, len(data) - 1))]
    return data


# ---------------------------------------------------------------- per adapter


def _sample(messages: list[bytes]) -> list[bytes]:
    """A few messages spread over a recorded file (its first ones and the rest)."""
    if len(messages) <= SEEDS_PER_FILE:
        return messages
    step = len(messages) // (SEEDS_PER_FILE - 2)
    return messages[:2] + messages[2::step][: SEEDS_PER_FILE - 2]


def _good_messages(path: Path, framing: Any) -> list[bytes]:
    if path.suffix != ".shared":
        return list(split_messages(framing, path.read_bytes()))
    target = SHARED / path.read_text().splitlines()[0].strip()
    if not target.is_file():
        return []  # the real data is optional here; the conformance tests insist on it
    return list(split_messages(framing, target.read_bytes()))


@cache
def seeds(name: str) -> Seeds:
    """Real messages of the adapter: good and bad fixtures, extra public samples."""
    framing = adapter_class(name).framing
    found: list[bytes] = []
    for path in good_files(name):
        found += _sample(_good_messages(path, framing))
    for path, _field, _reason in bad_cases(name):
        found.append(path.read_bytes())
    for pattern in EXTRA_SHARED.get(name, ()):
        for path in sorted(SHARED.glob(pattern)):
            found += _sample(list(split_messages(framing, path.read_bytes())))
    kept = Seeds(dict.fromkeys(m for m in found if 0 < len(m) <= SEED_LIMIT))
    assert kept, f"no seed message for {name} under {FIXTURES / name}"
    return kept


def _structured(name: str, seed: bytes) -> st.SearchStrategy[bytes]:
    kind = STRUCTURE[name]
    if kind == "json|xml":
        kind = "xml" if seed.lstrip()[:1] == b"<" else "json"
    if kind == "json":
        try:
            doc = json.loads(seed)
        except ValueError:
            return mutate_bytes(Seeds([seed]))
        return mutate_json(doc)
    if kind == "xml":
        return mutate_xml(seed)
    if kind == "csv":
        return mutate_csv(seed)
    if kind == "nmea":
        return mutate_nmea(seed)
    if kind == "protobuf":
        return mutate_protobuf(seed)
    return mavlink_frames() | mutate_bytes(Seeds([seed]))


def near_valid(name: str) -> st.SearchStrategy[bytes]:
    """Structure-aware and byte-level mutations of the adapter's real samples."""
    pool = seeds(name)
    structured = pick(pool).flatmap(lambda seed: _structured(name, seed))
    return truncated(st.one_of(structured, structured, structured, structured, mutate_bytes(pool)))


def arbitrary_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=4096)


assert set(STRUCTURE) == set(ADAPTERS), "every registered adapter needs a structure here"


# ---------------------------------------------------------------- event batches


@cache
def sample_events() -> tuple[dict[str, Any], ...]:
    """Valid wire events of every kind, as the adapters make them from the real samples."""
    from tests.sources.test_conformance import make_adapter

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(ADAPTERS):
        adapter = make_adapter(name)
        for message in seeds(name):
            try:
                events = adapter.translate(message)
            except Exception:  # noqa: S112 - bad seeds are expected here
                continue
            for event in events:
                by_kind.setdefault(str(event["kind"]), []).append(event)
    return tuple(e for events in by_kind.values() for e in events[:6])


# Deep enough to pass orjson's limit (255) and Python's recursion limit in pure-Python
# walkers, shallow enough for Hypothesis to print a failing example.
ITEM_DEPTHS = (10, 300, 800)


@st.composite
def event_items(draw: st.DrawFn, expand: bool = True) -> Any:
    """One batch item: a real event with mutated fields, or any JSON value. Unexpanded,
    DEEP markers stay for `dump_json` to write as text (an HTTP body)."""
    events = sample_events()
    if draw(st.integers(0, 5)) == 0:
        return draw(json_documents())
    event = events[draw(st.integers(0, len(events) - 1))]
    if draw(st.integers(0, 7)) == 0:
        return copy.deepcopy(event)
    mutated = draw(mutate_tree(event))
    return deepen(mutated, draw(st.sampled_from(ITEM_DEPTHS))) if expand else mutated


def event_batches(expand: bool = True) -> st.SearchStrategy[list[Any]]:
    return st.lists(event_items(expand), min_size=1, max_size=6)


# ---------------------------------------------------------------- hotlist files

HOTLIST_FIXTURES = REPO / "tests" / "analysis" / "fixtures" / "hotlists"


@cache
def hotlist_seeds() -> Seeds:
    return Seeds(
        p.read_bytes() for p in sorted(HOTLIST_FIXTURES.iterdir()) if p.suffix in (".txt", ".tbl")
    )


@st.composite
def mutate_lines(draw: st.DrawFn, seed: bytes) -> bytes:
    """Re-value a column range, cut, pad, duplicate, drop or swap lines of a text file."""
    lines = seed.split(b"\n")
    ascii_text = hostile_text(str.isascii).map(str.encode)
    any_text = hostile_text().map(lambda t: t.encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        j = draw(st.integers(0, max(len(line), 1)))
        op = draw(st.sampled_from(["value", "value", "cut", "pad", "dup", "drop", "swap"]))
        if op == "value":
            value = draw(ascii_text | any_text)
            lines[i] = line[:j] + value + line[j + len(value) :]
        elif op == "cut":
            lines[i] = line[:j]
        elif op == "pad":
            lines[i] = line + draw(st.sampled_from([b" " * 40, b"X" * 200, b"\r", b"\t"]))
        elif op == "dup":
            lines.insert(i, line)
        elif op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "swap":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
    return b"\n".join(lines)


def hotlist_files() -> st.SearchStrategy[bytes]:
    pool = hotlist_seeds()
    return truncated(
        st.one_of(
            pick(pool).flatmap(mutate_lines),
            pick(pool).flatmap(mutate_lines),
            mutate_bytes(pool),
            st.binary(max_size=2048),
        )
    )
