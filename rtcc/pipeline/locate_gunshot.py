"""Before a batch is stored: locate sensor-level gunshot reports, then give each shot its
incident. A report that cannot be located is refused like any invalid item, naming the
field and the reason (too few sensors, degenerate geometry, inconsistent times)."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rtcc.analysis.multilateration import (
    DEFAULT_TEMPERATURE_C,
    DEFAULT_TIMING_SIGMA_S,
    Arrival,
    LocateError,
    locate,
)
from rtcc.core.events import Event, EventKind
from rtcc.core.geo import Location
from rtcc.core.payloads import Gunshot
from rtcc.pipeline.gunshot_incident import IncidentJoin, assign_incidents
from rtcc.pipeline.validate import ItemError
from rtcc.storage.base import EventStore

MAX_ACCURACY_M = 100_000.0  # the envelope's bound on accuracy_m


@dataclass(frozen=True, slots=True)
class GunshotLocating:
    """`temperature_c` when a report gives none (ISA sea level); `timing_sigma_s` is the
    sensors' nominal timing error, the floor of the uncertainty model."""

    temperature_c: float = DEFAULT_TEMPERATURE_C
    timing_sigma_s: float = DEFAULT_TIMING_SIGMA_S
    join: IncidentJoin = field(default_factory=IncidentJoin)


def locate_event(event: Event, settings: GunshotLocating) -> Event:
    """The event with its location from the sensors; the vendor's location is kept as is."""
    shot = event.payload
    assert isinstance(shot, Gunshot)
    if event.location is not None:
        if shot.location_method is None:
            return replace(event, payload=shot.model_copy(update={"location_method": "vendor"}))
        return event
    arrivals = [Arrival(s.sensor_id, s.lat, s.lon, s.arrived_at) for s in shot.sensors]
    temperature = shot.temperature_c if shot.temperature_c is not None else settings.temperature_c
    fix = locate(arrivals, temperature, timing_sigma_s=settings.timing_sigma_s)
    if fix.uncertainty_m > MAX_ACCURACY_M:
        raise LocateError("sensors", "too_uncertain", f"95% radius {fix.uncertainty_m:.0f} m")
    note = fix.note if shot.temperature_c is not None else f"{fix.note}, assumed {temperature} °C"
    location = Location(lat=fix.lat, lon=fix.lon, accuracy_m=round(fix.uncertainty_m, 1))
    update = {"location_method": "multilateration", "location_note": note[:200]}
    return replace(event, location=location, payload=shot.model_copy(update=update))


def prepare_gunshots(
    events: Sequence[Event],
    errors: Sequence[ItemError],
    item_count: int,
    store: EventStore,
    settings: GunshotLocating | None = None,
) -> tuple[list[Event], list[ItemError]]:
    """Called by ingest between validation and persistence.

    `events` are the batch's valid items in order, `errors` the refused ones; the item
    index of each event is recovered from them, so a refused report names its item.
    """
    settings = settings or GunshotLocating()
    refused = {e.index for e in errors}
    indices = [i for i in range(item_count) if i not in refused]
    if len(indices) != len(events):  # not one event per unrefused item: name no index
        indices = [-1] * len(events)
    kept: list[Event] = []
    new_errors = list(errors)
    for index, event in zip(indices, events, strict=True):
        if event.kind is not EventKind.GUNSHOT:
            kept.append(event)
            continue
        try:
            kept.append(locate_event(event, settings))
        except LocateError as exc:
            field_name = "payload.sensors" if exc.field == "sensors" else f"payload.{exc.field}"
            new_errors.append(ItemError(index, field_name, exc.reason, exc.message))
    if len(new_errors) > len(errors):
        new_errors.sort(key=lambda e: e.index)
    return assign_incidents(kept, store, settings.join), new_errors
