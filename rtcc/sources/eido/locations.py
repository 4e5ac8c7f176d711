"""EIDO location components: embedded PIDF-LO read leniently, with a note of every repair."""

from dataclasses import dataclass
from typing import Any

from rtcc.sources.base import AdapterError
from rtcc.sources.eido.mapping import INCIDENT_LOCATION_RANK
from rtcc.sources.pidf_lo import LocationObject, parse_presence
from rtcc.sources.pidf_lo.shapes import Geodetic


@dataclass(frozen=True, slots=True)
class EidoLocation:
    component_id: str
    location_type: str
    updated: str
    geodetic: Geodetic | None
    civic: str | None
    best: LocationObject | None


def read_location(
    index: int, component: dict[str, Any], repairs: list[str], recover: bool
) -> EidoLocation | None:
    """One locationComponent → what it says, or None (by-reference only, or unreadable)."""
    where = f"locationComponent[{index}]"
    by_value = component.get("locationByValue")
    description = component.get("locationDescriptionText")
    civic = description.strip()[:200] if isinstance(description, str) and description else None
    geo: Geodetic | None = None
    best: LocationObject | None = None
    if isinstance(by_value, str) and by_value.strip():
        try:
            presence = parse_presence(
                by_value.encode("utf-8"), recover=recover, field_name=f"{where}.locationByValue"
            )
        except AdapterError as exc:
            repairs.append(f"{where}.locationByValue dropped: {exc.reason}: {exc.message}")
            presence = None
        if presence is not None:
            repairs.extend(f"{where}.locationByValue recovered: {r}" for r in presence.repairs)
            shaped = [o for o in presence.objects if o.geodetic is not None]
            best = shaped[0] if shaped else (presence.objects[0] if presence.objects else None)
            geo = best.geodetic if best else None
            civic = next((o.civic for o in presence.objects if o.civic), None) or civic
    if geo is None and civic is None:
        return None
    return EidoLocation(
        component_id=str(component.get("$id") or ""),
        location_type=str(component.get("locationTypeDescriptionRegistryText") or "Other"),
        updated=str(component.get("lastUpdateTimeStamp") or ""),
        geodetic=geo,
        civic=civic,
        best=best,
    )


def incident_candidates(locations: list[EidoLocation], referenced: set[str]) -> list[EidoLocation]:
    """Incident-describing locations, best first: referenced by the incident, then by type."""
    usable = [loc for loc in locations if loc.location_type in INCIDENT_LOCATION_RANK]
    return sorted(
        usable,
        key=lambda loc: (
            loc.component_id not in referenced,
            INCIDENT_LOCATION_RANK[loc.location_type],
        ),
    )
