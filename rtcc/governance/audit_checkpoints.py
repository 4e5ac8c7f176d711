"""Signed, published checkpoints of the audit trail, and the check that uses them.

The hash chain catches a row edited, removed or moved in place. It cannot catch someone
with write access who rewrites the chain from the tampered row onward, or who cuts
rows off the end. A checkpoint signs (Ed25519) the Merkle root of every row so far;
the signed root and the public key are published, so an auditor or the public can
hold the agency to them. Verification names the checkpoint whose rows changed.
"""

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rtcc.core.clock import iso, utcnow
from rtcc.governance.audit_merkle import merkle_root
from rtcc.storage.base import AuditCheckpoint, AuditStore

KEY_FILE = "audit-ed25519.pem"


def load_or_create_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The agency's checkpoint signing key; made on first use, readable by its owner only."""
    path = keys_dir / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return key
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A published checkpoint key (PEM), e.g. saved from /api/v1/audit/checkpoints."""
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def make_checkpoint(audit: AuditStore, key: Ed25519PrivateKey) -> AuditCheckpoint | None:
    """Sign the root of every row so far; None when nothing was added since the last one."""
    rows = audit.row_hashes()
    if not rows:
        return None
    previous = audit.checkpoints()
    if previous and previous[-1].last_seq == rows[-1][0]:
        return None
    unsigned = AuditCheckpoint(
        count=len(rows),
        last_seq=rows[-1][0],
        last_hash=rows[-1][1],
        root=merkle_root([h for _, h in rows]),
        at=iso(utcnow()),
        key_id=key_id(key.public_key()),
        signature="",
    )
    signed = dataclasses.replace(unsigned, signature=key.sign(unsigned.signed_message()).hex())
    audit.add_checkpoint(signed)
    return signed


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    checked: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_checkpoints(audit: AuditStore, public_key: Ed25519PublicKey) -> CheckpointReport:
    """Each checkpoint's signature, and its root against the rows it covered."""
    rows = audit.row_hashes()
    problems: list[str] = []
    checkpoints = audit.checkpoints()
    covered_from = 1
    for number, cp in enumerate(checkpoints, start=1):
        label = f"checkpoint {number} (rows {covered_from}-{cp.last_seq}, signed {cp.at})"
        try:
            public_key.verify(bytes.fromhex(cp.signature), cp.signed_message())
        except (InvalidSignature, ValueError):
            problems.append(f"{label}: signature does not verify with the published key")
            continue
        problem = _rows_against(cp, [h for seq, h in rows if seq <= cp.last_seq])
        if problem:
            # Every later root covers the same rows, so the first failure locates it.
            problems.append(f"{label}: {problem}; later checkpoints not checked")
            break
        covered_from = cp.last_seq + 1
    return CheckpointReport(len(checkpoints), problems)


def _rows_against(cp: AuditCheckpoint, hashes: list[str]) -> str | None:
    """What happened to the rows a checkpoint signed, if anything (the rows since the
    previous good checkpoint are where it happened)."""
    if len(hashes) < cp.count:
        return f"{cp.count - len(hashes)} signed rows were deleted"
    if len(hashes) > cp.count:
        return f"{len(hashes) - cp.count} rows were inserted among the signed rows"
    if merkle_root(hashes) != cp.root:
        return "signed rows were changed, inserted or reordered after signing"
    return None
