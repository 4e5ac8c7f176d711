"""NENA EIDO (NENA-STA-021.1b, EIDO JSON 1.0) → cad_incident (+ caller_location)."""

import json
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import Field

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.eido.locations import EidoLocation, incident_candidates, read_location
from rtcc.sources.eido.mapping import Status, incident_status, priority, unit_status
from rtcc.sources.pidf_lo.ids import ident
from rtcc.sources.pidf_lo.parse import parse_timestamp


class EidoOptions(AdapterOptions):
    """Fallbacks for what an EIDO may leave out, and the agency's internal status codes."""

    default_call_type: str = Field(default="UNKNOWN", min_length=1, max_length=32)
    status_map: dict[str, Status] = Field(
        default={}, description="incidentStatusInternalText value → status"
    )
    emit_caller_location: bool = True
    lenient_xml: bool = Field(default=True, description="recover malformed embedded PIDF-LO")
    remember_incidents: int = Field(default=10_000, ge=0, le=1_000_000)


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _refs(value: Any) -> list[str]:
    return [str(r["$ref"]) for r in _dicts(value) if isinstance(r.get("$ref"), str)]


def _text(value: Any, limit: int) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def _stamp(value: Any, where: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise AdapterError(where, "missing", "no timestamp")
    return parse_timestamp(value, where).astimezone(UTC)


class EidoAdapter:
    name: ClassVar[str] = "eido"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CAD_INCIDENT, EventKind.CALLER_LOCATION)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = EidoOptions

    def __init__(self, options: EidoOptions) -> None:
        self.options = options
        self.repairs: list[str] = []
        # incident id → (last lifecycle status, call type): a repeat of the same status is
        # an "updated" (type change, new location, more units…).
        self._seen: OrderedDict[str, tuple[Status, str]] = OrderedDict()

    def translate(self, message: bytes) -> list[WireEvent]:
        self.repairs = []
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("eido", "too_large", f"{len(message)} bytes")
        try:
            doc = json.loads(message.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise AdapterError("eido", "not_json", str(exc)[:200]) from exc
        if not isinstance(doc, dict):
            raise AdapterError("eido", "not_object", "an EIDO is a JSON object")
        try:
            return self._events(doc)
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("eido", "unreadable", f"{type(exc).__name__}: {exc}") from exc

    def _events(self, doc: dict[str, Any]) -> list[WireEvent]:
        incidents = _dicts(doc.get("incidentComponent"))
        if isinstance(doc.get("incidentComponent"), list):
            self.repairs.append("incidentComponent was a list (schema: one object); used the first")
        incident = incidents[0] if incidents else {}
        raw_id = doc.get("$id") or incident.get("$id") or incident.get("internalIncidentId")
        if not isinstance(raw_id, str) or not raw_id.strip():
            raise AdapterError("$id", "missing", "no incident tracking identifier")
        incident_id = ident(raw_id)
        at = _stamp(doc.get("lastUpdateTimeStamp"), "lastUpdateTimeStamp")
        calls = _dicts(doc.get("callComponent"))
        call = calls[0] if calls else {}
        locations = [
            found
            for i, component in enumerate(_dicts(doc.get("locationComponent")))
            if (found := read_location(i, component, self.repairs, self.options.lenient_xml))
        ]
        events = [self._incident(doc, incident, call, incident_id, at, locations)]
        if self.options.emit_caller_location:
            events.extend(self._callers(calls, incident_id, at, locations))
        return events

    def _call_type(self, incident: dict[str, Any], call: dict[str, Any]) -> tuple[str, str | None]:
        candidates = (
            incident.get("incidentTypeInternalCode"),
            incident.get("incidentTypeCommonRegistryText"),
            call.get("localCallType"),
            call.get("standardPrimaryCallType"),
        )
        code = next((c.strip() for c in candidates if isinstance(c, str) and c.strip()), None)
        description = _text(incident.get("incidentTypeInternalText"), 200)
        if code is None:
            return self.options.default_call_type, description
        if len(code) > 32:
            self.repairs.append(f"call type {code[:60]!r} cut to 32 characters")
            description = description or code[:200]
        return code[:32], description

    def _status(self, doc: dict[str, Any], incident: dict[str, Any], key: str, kind: str) -> Status:
        lifecycle = incident_status(incident, self.options.status_map)
        lifecycle = lifecycle or unit_status(_dicts(doc.get("emergencyResourceComponent")))
        if lifecycle is None:
            lifecycle = "dispatched" if _dicts(doc.get("dispatchComponent")) else "created"
        before = self._seen.pop(key, None)
        if self.options.remember_incidents:
            self._seen[key] = (lifecycle, kind)
            while len(self._seen) > self.options.remember_incidents:
                self._seen.popitem(last=False)
        return "updated" if before is not None and before[0] == lifecycle else lifecycle

    def _incident(
        self,
        doc: dict[str, Any],
        incident: dict[str, Any],
        call: dict[str, Any],
        incident_id: str,
        at: datetime,
        locations: list[EidoLocation],
    ) -> WireEvent:
        call_type, description = self._call_type(incident, call)
        status = self._status(doc, incident, incident_id, call_type)
        referenced = set(_refs(incident.get("locationReference")))
        ranked = incident_candidates(locations, referenced)
        geo = next((loc.geodetic for loc in ranked if loc.geodetic), None)
        address = next((loc.civic for loc in ranked if loc.civic), None)
        units: list[str] = []
        for resource in _dicts(doc.get("emergencyResourceComponent")):
            if isinstance(resource.get("$id"), str):
                units.append(ident(resource["$id"]))
        for dispatch in _dicts(doc.get("dispatchComponent")):
            units.extend(ident(r) for r in _refs(dispatch.get("emergencyResourceReference")))
        payload: dict[str, Any] = {
            "incident_id": incident_id,
            "status": status,
            "call_type": call_type,
            "priority": priority(incident, call),
            "units": list(dict.fromkeys(units))[:50],
        }
        for name, value in (
            ("description", description),
            ("address", address),
            ("district", _text(incident.get("beatOrDispatchGroupText"), 32)),
        ):
            if value:
                payload[name] = value
        event: WireEvent = {
            "kind": "cad_incident",
            "id": f"{incident_id}:{int(at.timestamp() * 1000)}",
            "occurred_at": at.isoformat(),
            "payload": payload,
        }
        if geo is not None:
            event["location"] = _location(geo.lat, geo.lon, geo.accuracy_m)
        return event

    def _callers(
        self,
        calls: list[dict[str, Any]],
        incident_id: str,
        at: datetime,
        locations: list[EidoLocation],
    ) -> list[WireEvent]:
        events: list[WireEvent] = []
        for loc in locations:
            if loc.location_type != "Caller" or loc.geodetic is None or loc.best is None:
                continue
            owner = next(
                (c for c in calls if loc.component_id in _refs(c.get("locationReference"))),
                calls[0] if calls else {},
            )
            call_id = ident(str(owner.get("$id") or incident_id))
            when = (
                _stamp(loc.updated, "locationComponent.lastUpdateTimeStamp") if loc.updated else at
            )
            geo, best = loc.geodetic, loc.best
            payload: dict[str, Any] = {
                "call_id": call_id,
                "method": best.method or "hybrid",
                "shape": geo.shape,
            }
            confidence = best.confidence_pct
            if confidence is None and geo.shape != "point":
                confidence = 95
            if confidence is not None:
                payload["confidence_pct"] = confidence
            if loc.civic:
                payload["civic_address"] = loc.civic
            events.append(
                {
                    "kind": "caller_location",
                    "id": f"{call_id}:{int(when.timestamp() * 1000)}",
                    "occurred_at": when.isoformat(),
                    "location": _location(geo.lat, geo.lon, geo.accuracy_m),
                    "payload": payload,
                }
            )
        return events


def _location(lat: float, lon: float, accuracy_m: float | None) -> dict[str, float]:
    location = {"lat": lat, "lon": lon}
    if accuracy_m is not None:
        location["accuracy_m"] = round(min(accuracy_m, 100_000.0), 1)
    return location
