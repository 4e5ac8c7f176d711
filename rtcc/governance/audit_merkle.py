"""The Merkle tree hash of the audit rows (RFC 6962), so one signed root covers them all.

A checkpoint signs the root of every row so far. Any later edit, deletion, insertion
or reordering of those rows changes the root, even if someone recomputed the whole
hash chain after tampering with it.
"""

import hashlib

_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(row_hash_hex: str) -> bytes:
    return hashlib.sha256(_LEAF + bytes.fromhex(row_hash_hex)).digest()


def merkle_root(row_hashes: list[str]) -> str:
    """RFC 6962 Merkle Tree Hash over the rows' chain hashes (hex), as hex.

    Built level by level: an unpaired last node moves up unchanged, which gives the
    same tree as the RFC's split at the largest power of two below n.
    """
    if not row_hashes:
        return hashlib.sha256(b"").hexdigest()
    level = [leaf_hash(h) for h in row_hashes]
    while len(level) > 1:
        paired = [
            hashlib.sha256(_NODE + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
