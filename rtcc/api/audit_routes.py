"""The published audit checkpoints: anyone may fetch the signed roots and the public key."""

from typing import Any

from fastapi import APIRouter, Request

from rtcc.api.security import public
from rtcc.api.services import services_of
from rtcc.governance.audit_checkpoints import load_or_create_key, public_pem
from rtcc.storage.base import AuditCheckpoint

router = APIRouter()

HOW_TO_VERIFY = (
    "Each checkpoint signs (Ed25519, key below) the message "
    "'openrtcc-audit-checkpoint:v1|count|last_seq|last_hash|root|at', where root is the "
    "RFC 6962 Merkle tree hash over the SHA-256 chain hashes of audit rows 1..last_seq. "
    "An auditor with the trail runs `rtcc audit verify`, which recomputes every root."
)


@router.get(
    "/api/v1/audit/checkpoints",
    dependencies=[public("the public can hold the agency to its signed audit checkpoints")],
)
def checkpoints(request: Request) -> dict[str, Any]:
    svc = services_of(request)
    key = load_or_create_key(svc.settings.keys_dir).public_key()
    signed = svc.storage.audit.checkpoints()
    return {
        "public_key_pem": public_pem(key),
        "how_to_verify": HOW_TO_VERIFY,
        "latest": _wire(signed[-1]) if signed else None,
        "checkpoints": [_wire(cp) for cp in signed],
    }


def _wire(cp: AuditCheckpoint) -> dict[str, Any]:
    return {name: getattr(cp, name) for name in AuditCheckpoint.__slots__}
