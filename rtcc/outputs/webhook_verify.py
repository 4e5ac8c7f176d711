"""Verify an OpenRTCC webhook signature: copy this file into the receiving service.

The sender puts two headers on every POST:

    X-RTCC-Timestamp: 1764390000            (Unix seconds when it was signed)
    X-RTCC-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

Check both against the RAW body bytes (before any JSON parsing) and refuse requests
older than a few minutes, so a captured request cannot be replayed later. Only the
standard library is used.
"""

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


class SignatureError(ValueError):
    """The request is not from the holder of the secret, or is too old."""


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header value for this body: `v1=<hex>`."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: bytes,
    body: bytes,
    timestamp_header: str | None,
    signature_header: str | None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> None:
    """Raise `SignatureError` unless the signature matches and the timestamp is recent.

    The header may list several signatures (`v1=…, v1=…`, as during a secret rotation);
    one match is enough."""
    if not timestamp_header or not signature_header:
        raise SignatureError("missing X-RTCC-Timestamp or X-RTCC-Signature")
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        raise SignatureError("X-RTCC-Timestamp is not whole Unix seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise SignatureError(f"timestamp is more than {tolerance_s} s away: a replay?")
    expected = sign(secret, timestamp, body)
    offered = [part.strip() for part in signature_header.split(",")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise SignatureError("signature does not match the body and timestamp")
