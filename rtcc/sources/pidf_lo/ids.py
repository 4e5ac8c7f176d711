"""Identifiers from wire text: keep what the ingest pattern allows, hash what is too long."""

import hashlib
import re

_BAD = re.compile(r"[^A-Za-z0-9_.:\-]+")


def ident(raw: str, limit: int = 64) -> str:
    """`raw` as an Ident ([A-Za-z0-9_.:-], ≤ limit): other characters become `_`."""
    clean = _BAD.sub("_", raw.strip()).strip("_") or "_"
    if len(clean) <= limit:
        return clean
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return f"{clean[: limit - 17]}-{digest}"
