"""PIDF-LO (RFC 4119, RFC 5491 shapes, RFC 5139 civic, RFC 7459 confidence) → caller_location.

A civic-only document is located in the agency's own address data (`address_files`), never
by an online geocoder: dispatch must work with the network down and must not leak callers.
"""

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.pidf_lo.address_book import AddressBook, Located, civic_query
from rtcc.sources.pidf_lo.address_files import LoadReport, load_address_book
from rtcc.sources.pidf_lo.ids import ident
from rtcc.sources.pidf_lo.parse import LocationObject, Presence, parse_presence, parse_timestamp
from rtcc.sources.pidf_lo.shapes import Geodetic

CallIdSource = Literal["entity", "device_id", "element_id"]


class PidfLoOptions(AdapterOptions):
    """How to name the call, what to assume when the document is silent, how lenient to be."""

    call_id_from: list[CallIdSource] = Field(
        default=["entity", "device_id", "element_id"],
        description="where the call id comes from, first present wins",
    )
    default_confidence_pct: int | None = Field(
        default=95, ge=0, le=100, description="for uncertainty shapes without <confidence>"
    )
    timezone: str | None = Field(
        default=None, description="IANA zone for non-conformant zone-less timestamps"
    )
    missing_timestamp: Literal["refuse", "receive_time"] = "refuse"
    lenient_xml: bool = Field(default=False, description="recover malformed XML, keep repairs")
    address_files: list[str] = Field(
        default=[], description="address points / hundred blocks (CSV, GeoJSON) for civic-only"
    )
    address_city: str = Field(default="", max_length=80, description="for rows naming no city")
    address_state: str = Field(default="", max_length=40, description="for rows naming no state")
    hundred_block_accuracy_m: float = Field(
        default=100.0, gt=0, le=5000, description="radius for a hundred block (half a block)"
    )

    @field_validator("address_files")
    @classmethod
    def _files_exist(cls, value: list[str]) -> list[str]:
        missing = [p for p in value if not Path(p).is_file()]
        if missing:
            raise ValueError(f"no such address file: {', '.join(missing)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value


def _pick(
    objects: list[LocationObject], book: AddressBook | None
) -> tuple[LocationObject, Geodetic | Located]:
    """The first shape; else the first civic address the agency's address data knows."""
    for candidate in objects:
        if candidate.geodetic is not None:
            return candidate, candidate.geodetic
    if not objects:
        raise AdapterError("location-info", "missing", "no tuple/device/person carries a location")
    if book is None:
        raise AdapterError(
            "location-info",
            "civic_only_no_coordinates",
            "civic address only and no address data configured (address_files)",
        )
    refusal: AdapterError | None = None
    for candidate in objects:
        try:
            return candidate, book.locate(civic_query(candidate.civic_parts))
        except AdapterError as exc:
            refusal = refusal or exc
    assert refusal is not None
    raise refusal


class PidfLoAdapter:
    name: ClassVar[str] = "pidf_lo"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CALLER_LOCATION,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = PidfLoOptions

    def __init__(self, options: PidfLoOptions) -> None:
        self.options = options
        self.zone = ZoneInfo(options.timezone) if options.timezone else None
        self.repairs: list[str] = []
        self.addresses: AddressBook | None = None
        self.address_report: LoadReport | None = None
        if options.address_files:
            self.addresses, self.address_report = load_address_book(
                options.address_files,
                options.address_city,
                options.address_state,
                options.hundred_block_accuracy_m,
            )

    def translate(self, message: bytes) -> list[WireEvent]:
        self.repairs = []
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("presence", "too_large", f"{len(message)} bytes")
        try:
            presence = parse_presence(message, recover=self.options.lenient_xml)
            self.repairs = presence.repairs
            return [self.caller_location(presence, message)]
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("presence", "unreadable", f"{type(exc).__name__}: {exc}") from exc

    def call_id(self, presence: Presence, chosen: LocationObject) -> str:
        for source in self.options.call_id_from:
            raw = {
                "entity": presence.entity,
                "device_id": chosen.device_id,
                "element_id": chosen.element_id,
            }[source]
            if raw:
                return ident(raw)
        raise AdapterError("presence@entity", "missing", "no call id in the document")

    def occurred_at(self, presence: Presence, chosen: LocationObject) -> datetime | None:
        """The shape's own <timestamp>, else the document's latest one (same delivery)."""
        stamps = [chosen.timestamp] if chosen.timestamp else []
        stamps += [o.timestamp for o in presence.objects if o.timestamp and o is not chosen]
        if not stamps:
            if self.options.missing_timestamp == "refuse":
                raise AdapterError("timestamp", "missing", "no <timestamp> in the document")
            return None
        parsed = [parse_timestamp(s, "timestamp", self.zone) for s in stamps]
        return parsed[0] if chosen.timestamp else max(parsed)

    def caller_location(self, presence: Presence, message: bytes) -> WireEvent:
        chosen, found = _pick(presence.objects, self.addresses)
        if isinstance(found, Geodetic) and (found.accuracy_m or 0) > 100_000:
            raise AdapterError("location-info", "out_of_range", "uncertainty above 100 km")
        call_id = self.call_id(presence, chosen)
        stamp = self.occurred_at(presence, chosen)
        if stamp is None:
            at = datetime.now(UTC)
            ref = f"{call_id}:{hashlib.sha256(message).hexdigest()[:16]}"
        else:
            at = stamp.astimezone(UTC)
            ref = f"{call_id}:{int(at.timestamp() * 1000)}"
        civic = chosen.civic or next((o.civic for o in presence.objects if o.civic), None)
        location, how = self._where(chosen, found)
        payload: dict[str, object] = {"call_id": call_id, **how}
        if civic:
            payload["civic_address"] = civic
        return {
            "kind": "caller_location",
            "id": ref,
            "occurred_at": at.isoformat(),
            "location": location,
            "payload": payload,
        }

    def _where(
        self, chosen: LocationObject, found: Geodetic | Located
    ) -> tuple[dict[str, float], dict[str, object]]:
        """Location and the payload fields that say how it was found."""
        if isinstance(found, Located):  # no <confidence> claimed: the radius is a bound
            location = {"lat": round(found.lat, 7), "lon": round(found.lon, 7)}
            location["accuracy_m"] = round(found.accuracy_m, 1)
            method = chosen.method or "civic"
            return location, {"method": method, "shape": "civic", "location_method": found.method}
        location = {"lat": found.lat, "lon": found.lon}
        if found.accuracy_m is not None:
            location["accuracy_m"] = round(found.accuracy_m, 1)
        payload: dict[str, object] = {"method": chosen.method or "hybrid", "shape": found.shape}
        confidence = chosen.confidence_pct
        if confidence is None and found.shape != "point":
            confidence = self.options.default_confidence_pct
        if confidence is not None:
            payload["confidence_pct"] = confidence
        return location, payload
