"""Scoped sharing with partner agencies: what a partner may ask for, and proof that it asked.

A share grants one partner agency some data kinds, inside one area, for stated
purposes, until a date. A partner's request is signed with the agency's Ed25519 key
(registered with us), dated, and refused when replayed; the request's purpose must
be one the share allows. Every partner request is decided and audited like a
person's, so the owning agency sees each access.
"""

import hashlib
from datetime import datetime, timedelta
from typing import Annotated, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from rtcc.core.events import EventKind
from rtcc.governance.purpose import PurposeCode
from rtcc.storage.base import Share

MAX_CLOCK_SKEW = timedelta(minutes=5)
SIGNATURE_SCHEME = "openrtcc-partner-request:v1"

PartnerId = Annotated[
    str, StringConstraints(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9\-]*$")
]


class SharingRefused(Exception):
    """A partner request that cannot be served: HTTP status, field and reason."""

    def __init__(self, status: int, field: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.field = field
        self.reason = reason


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PartnerId
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    public_key_pem: Annotated[str, StringConstraints(min_length=40, max_length=1000)]

    @field_validator("public_key_pem")
    @classmethod
    def _ed25519(cls, value: str) -> str:
        load_partner_key(value)
        return value


class ShareIn(BaseModel):
    """What the owning agency grants: kinds, area and purposes, until a time."""

    model_config = ConfigDict(extra="forbid")

    partner_id: PartnerId
    kinds: Annotated[list[EventKind], Field(min_length=1)]
    area: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon (WGS84)")
    purposes: Annotated[list[PurposeCode], Field(min_length=1)]
    until: datetime

    @field_validator("area")
    @classmethod
    def _polygon(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError("must be a GeoJSON Polygon or MultiPolygon")
        geometry = shape(value)
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError("the polygon is empty or self-intersecting")
        return value

    @field_validator("until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone (e.g. Z)")
        return value


def load_partner_key(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise ValueError("not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("must be an Ed25519 public key")
    return key


def signed_message(method: str, path_and_query: str, date: str, body: bytes) -> bytes:
    """What a partner signs: scheme, method, path with query, date, SHA-256 of the body."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{SIGNATURE_SCHEME}\n{method.upper()}\n{path_and_query}\n{date}\n{digest}".encode()


def verify_request(
    key: Ed25519PublicKey, signature_hex: str, message: bytes, date: str, now: datetime
) -> None:
    """Raise `SharingRefused` unless the signature verifies and the date is fresh."""
    try:
        sent = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SharingRefused(401, "x-rtcc-date", "not an ISO 8601 time") from exc
    if sent.tzinfo is None or abs(now - sent) > MAX_CLOCK_SKEW:
        raise SharingRefused(401, "x-rtcc-date", "outside the 5-minute window (or no zone)")
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError) as exc:
        raise SharingRefused(401, "x-rtcc-signature", "signature does not verify") from exc


def covering_share(
    shares: list[Share], kind: str | None, purpose: str | None, now: datetime
) -> Share:
    """The live share that allows this kind for this purpose; the refusal names the gap."""
    if kind is None:
        raise SharingRefused(422, "kind", "kind required: the event kind the share covers")
    live = [s for s in shares if s.revoked_at is None and s.until > now]
    if not live:
        raise SharingRefused(403, "share", "no live share with this partner (expired or revoked)")
    for_kind = [s for s in live if kind in s.kinds]
    if not for_kind:
        raise SharingRefused(403, "kind", f"no share allows {kind}")
    if purpose is None:
        raise SharingRefused(422, "purpose", "purpose required: state the share's purpose")
    for share in for_kind:
        if purpose in share.purposes:
            return share
    allowed = sorted({p for s in for_kind for p in s.purposes})
    raise SharingRefused(403, "purpose", f"purpose {purpose} not shared (allowed: {allowed})")


def area_of(share: Share) -> BaseGeometry:
    return shape(share.area)


def inside(area: BaseGeometry, lat: float, lon: float) -> bool:
    return bool(area.covers(Point(lon, lat)))
