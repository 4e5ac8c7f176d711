"""Builders for ingest wire dicts, so every generator emits exactly one shape per kind.

Each event gets the source's own id: `<run tag>-<kind prefix>-<counter>`.  Counters
are per prefix, so building an extra event of one kind (e.g. `gunshot_at` in a
demo) never shifts the ids of the others, and a re-sent batch carries the same ids
and is de-duplicated by the server.
"""

from collections import Counter
from datetime import datetime

from rtcc.core.clock import iso
from rtcc.simulator.features import Camera

WireEvent = dict[str, object]


class EventFactory:
    def __init__(self, run_tag: str) -> None:
        self.run_tag = run_tag
        self._counters: Counter[str] = Counter()

    def next_id(self, prefix: str) -> str:
        self._counters[prefix] += 1
        return f"{self.run_tag}-{prefix}-{self._counters[prefix]:06d}"

    def _event(
        self,
        kind: str,
        event_id: str,
        at: datetime,
        lat: float,
        lon: float,
        payload: dict[str, object],
        accuracy_m: float | None = None,
    ) -> WireEvent:
        location: dict[str, float] = {"lat": round(lat, 7), "lon": round(lon, 7)}
        if accuracy_m is not None:
            location["accuracy_m"] = round(accuracy_m, 1)
        return {
            "id": event_id,
            "kind": kind,
            "occurred_at": iso(at),
            "location": location,
            "payload": payload,
        }

    def unit_position(
        self,
        at: datetime,
        unit_id: str,
        lat: float,
        lon: float,
        status: str,
        speed_mps: float,
        heading_deg: float,
    ) -> WireEvent:
        payload: dict[str, object] = {
            "unit_id": unit_id,
            "unit_type": "patrol",
            "status": status,
            "speed_mps": round(speed_mps, 1),
            "heading_deg": heading_deg,
        }
        return self._event(
            "unit_position", self.next_id("avl"), at, lat, lon, payload, accuracy_m=5.0
        )

    def camera_status(
        self, at: datetime, camera: Camera, status: str, heading_deg: float
    ) -> WireEvent:
        payload: dict[str, object] = {
            "camera_id": camera.camera_id,
            "name": camera.name,
            "camera_type": camera.camera_type,
            "status": status,
            "heading_deg": heading_deg,
            "fov_deg": camera.fov_deg,
            "range_m": camera.range_m,
        }
        return self._event(
            "camera_status", self.next_id("cam"), at, camera.lat, camera.lon, payload
        )

    def cad_incident(
        self,
        at: datetime,
        lat: float,
        lon: float,
        *,
        incident_id: str,
        status: str,
        call_type: str,
        description: str,
        priority: int,
        address: str,
        district: str,
        units: list[str],
    ) -> WireEvent:
        payload: dict[str, object] = {
            "incident_id": incident_id,
            "status": status,
            "call_type": call_type,
            "description": description,
            "priority": priority,
            "address": address,
            "district": district,
            "units": list(units),
        }
        return self._event("cad_incident", self.next_id("cad"), at, lat, lon, payload)

    def caller_location(
        self,
        at: datetime,
        lat: float,
        lon: float,
        *,
        call_id: str,
        method: str,
        accuracy_m: float,
        confidence_pct: int,
    ) -> WireEvent:
        payload: dict[str, object] = {
            "call_id": call_id,
            "method": method,
            "confidence_pct": confidence_pct,
        }
        return self._event(
            "caller_location", self.next_id("ali"), at, lat, lon, payload, accuracy_m
        )

    def lpr_read(
        self,
        at: datetime,
        lat: float,
        lon: float,
        *,
        reader_id: str,
        plate: str,
        plate_state: str,
        confidence: float,
        direction_deg: float,
        vehicle: str,
        hotlist: str | None,
    ) -> WireEvent:
        payload: dict[str, object] = {
            "reader_id": reader_id,
            "plate": plate,
            "plate_state": plate_state,
            "confidence": round(confidence, 2),
            "direction_deg": direction_deg,
            "vehicle": vehicle,
        }
        if hotlist is not None:
            payload["hotlist"] = hotlist
        return self._event("lpr_read", self.next_id("lpr"), at, lat, lon, payload)

    def gunshot(
        self,
        at: datetime,
        lat: float,
        lon: float,
        *,
        rounds: int,
        classification: str,
        confidence: float,
        accuracy_m: float,
        prefix: str = "gs",
    ) -> WireEvent:
        event_id = self.next_id(prefix)
        payload: dict[str, object] = {
            "detection_id": event_id,
            "rounds": rounds,
            "classification": classification,
            "confidence": round(confidence, 2),
        }
        return self._event("gunshot", event_id, at, lat, lon, payload, accuracy_m)
