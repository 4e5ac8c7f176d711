"""EIDO registry values (NENA-STA-021.1b §3) → the CAD lifecycle and priority scale."""

from typing import Any, Literal

Status = Literal["created", "dispatched", "enroute", "on_scene", "closed", "updated"]

# EIDO-IncidentStatus-Common registry (Table 3-3). Lifecycle steps rank by progress.
INCIDENT_STATUS: dict[str, Status] = {
    "active": "created",
    "resourcesassigned": "dispatched",
    "resourcesenroute": "enroute",
    "resourcesonscene": "on_scene",
    "closed": "closed",
    "cancelled": "closed",
    "newlocation": "updated",
    "reopened": "updated",
    "fireundercontrol": "updated",
    "structurecleared": "updated",
}
# EIDO-SecondaryUnitStatus-Common registry values that say where a responding unit is.
UNIT_STATUS: dict[str, Status] = {
    "assigned": "dispatched",
    "dispatched": "dispatched",
    "acknowledgedtransmission": "dispatched",
    "enroute": "enroute",
    "arrived": "on_scene",
    "onscene": "on_scene",
    "patientcontact": "on_scene",
}
RANK: dict[Status, int] = {
    "updated": 0,
    "created": 1,
    "dispatched": 2,
    "enroute": 3,
    "on_scene": 4,
    "closed": 5,
}
# callComponent.priorityIdentifier (NENA-STA-023).
CALL_PRIORITY = {"highest": 1, "high": 2, "normal": 3, "low": 4, "lowest": 5}
# Location type registry (Table 3-8): which location describes the incident, best first.
INCIDENT_LOCATION_RANK = {
    "CurrentIncident": 0,
    "InitialIncident": 1,
    "Investigation": 2,
    "Caller": 3,
    "RoutingLocation": 4,
    "Other": 5,
}


def most_advanced(values: list[Status]) -> Status | None:
    best: Status | None = None
    for value in values:
        if best is None or RANK[value] > RANK[best]:
            best = value
    return best


def strings(value: Any) -> list[str]:
    """A registry field is a list of strings; be tolerant of a bare string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def incident_status(incident: dict[str, Any], internal_map: dict[str, Status]) -> Status | None:
    found: list[Status] = []
    for value in strings(incident.get("incidentStatusCommonRegistryText")):
        mapped = INCIDENT_STATUS.get(value.strip().lower())
        if mapped:
            found.append(mapped)
    for value in strings(incident.get("incidentStatusInternalText")):
        if value.strip() in internal_map:
            found.append(internal_map[value.strip()])
    return most_advanced(found)


def unit_status(resources: list[dict[str, Any]]) -> Status | None:
    found: list[Status] = []
    for resource in resources:
        for value in strings(resource.get("secondaryUnitStatusRegistryText")):
            mapped = UNIT_STATUS.get(value.strip().lower())
            if mapped:
                found.append(mapped)
    return most_advanced(found)


def priority(incident: dict[str, Any], call: dict[str, Any]) -> int:
    """Internal 1..9 text, else common 0..10 (10 = highest) rescaled, else the call's, else 3."""
    internal = str(incident.get("incidentPriorityInternalText") or "").strip()
    if internal.isdigit() and 1 <= int(internal) <= 9:
        return int(internal)
    common = incident.get("incidentCommonPriorityNumber")
    if isinstance(common, int) and not isinstance(common, bool) and 0 <= common <= 10:
        return max(1, min(9, round(1 + (10 - common) * 0.8)))
    return CALL_PRIORITY.get(str(call.get("priorityIdentifier") or "").lower(), 3)
