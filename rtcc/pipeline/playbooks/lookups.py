"""The correlate step: one small function per lookup, each over the stores, around a point.

Every lookup returns a list of plain dicts (wire form), nearest or newest first, so a
title template can count them and the alert detail can carry them as they are.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rtcc.pipeline.playbooks.model import (
    CamerasThatSee,
    Correlate,
    PlateReads,
    PriorIncidents,
    SameAddressCalls,
    Units,
)
from rtcc.pipeline.playbooks.template import address_key
from rtcc.pipeline.rules.nearby import nearby_cameras, nearby_units
from rtcc.storage.base import EventStore


@dataclass(frozen=True, slots=True)
class Spot:
    """Where and when the trigger happened, and what it is (for address and self-exclusion)."""

    lat: float
    lon: float
    at: datetime
    event_id: str
    address: str | None = None
    received_at: datetime | None = None


def cameras_that_see(store: EventStore, spot: Spot, spec: CamerasThatSee) -> list[dict[str, Any]]:
    """The nearest N online cameras that can see the point (docked, with PTZ slews)."""
    cams = nearby_cameras(
        store, spot.lat, spot.lon, spec.radius_m, spec.count, received_at=spot.received_at
    )
    return [c for c in cams if c["in_view"]][: spec.count]


def plate_reads(store: EventStore, spot: Spot, spec: PlateReads) -> list[dict[str, Any]]:
    """Reads within the radius, the window either side; the reader's own hotlist flag is
    left out: a hit reaches officers only once an analyst confirms it."""
    near = store.events_near(
        spot.lat,
        spot.lon,
        spec.radius_m,
        ["lpr_read"],
        spot.at - spec.window,
        spot.at + spec.window,
        nearest=spec.limit,
    )
    return [
        {
            "event_id": n.event["id"],
            "plate": n.event["payload"].get("plate"),
            "plate_state": n.event["payload"].get("plate_state"),
            "reader_id": n.event["payload"].get("reader_id"),
            "occurred_at": n.event["occurred_at"],
            "distance_m": round(n.distance_m, 1),
        }
        for n in near
    ]


def units(store: EventStore, spot: Spot, spec: Units) -> list[dict[str, Any]]:
    wanted = set(spec.statuses)
    return [
        u for u in nearby_units(store, spot.lat, spot.lon, spec.radius_m) if u["status"] in wanted
    ]


def prior_incidents(store: EventStore, spot: Spot, spec: PriorIncidents) -> list[dict[str, Any]]:
    """Other CAD incidents near the point in the window before it, newest first, one each."""
    near = store.events_near(
        spot.lat, spot.lon, spec.radius_m, ["cad_incident"], spot.at - spec.window, spot.at
    )
    types = {t.upper() for t in spec.call_types}
    found = _incidents(near_event for near_event in near if near_event.event["id"] != spot.event_id)
    return [i for i in found if not types or str(i["call_type"]).upper() in types]


def same_address_calls(
    store: EventStore, spot: Spot, spec: SameAddressCalls
) -> list[dict[str, Any]]:
    """Distinct calls (CAD incidents) at the trigger's address in the window, this one too."""
    if not spot.address:
        return []
    key = address_key(spot.address)
    near = store.events_near(
        spot.lat, spot.lon, spec.radius_m, ["cad_incident"], spot.at - spec.window, spot.at
    )
    same = (n for n in near if address_key(str(n.event["payload"].get("address") or "")) == key)
    return _incidents(same)


def _incidents(near: Any) -> list[dict[str, Any]]:
    """One entry per incident id (its latest record), newest first."""
    by_id: dict[str, dict[str, Any]] = {}
    for n in near:
        p = n.event["payload"]
        by_id[str(p.get("incident_id"))] = {
            "event_id": n.event["id"],
            "incident_id": p.get("incident_id"),
            "call_type": p.get("call_type"),
            "status": p.get("status"),
            "address": p.get("address"),
            "occurred_at": n.event["occurred_at"],
            "distance_m": round(n.distance_m, 1),
        }
    return sorted(by_id.values(), key=lambda i: str(i["occurred_at"]), reverse=True)


def correlate(store: EventStore, spot: Spot, spec: Correlate) -> dict[str, list[dict[str, Any]]]:
    """Run the lookups the playbook asks for; the result is keyed by lookup name."""
    results: dict[str, list[dict[str, Any]]] = {}
    if spec.cameras_that_see:
        results["cameras_that_see"] = cameras_that_see(store, spot, spec.cameras_that_see)
    if spec.plate_reads:
        results["plate_reads"] = plate_reads(store, spot, spec.plate_reads)
    if spec.units:
        results["units"] = units(store, spot, spec.units)
    if spec.prior_incidents:
        results["prior_incidents"] = prior_incidents(store, spot, spec.prior_incidents)
    if spec.same_address_calls:
        results["same_address_calls"] = same_address_calls(store, spot, spec.same_address_calls)
    return results
