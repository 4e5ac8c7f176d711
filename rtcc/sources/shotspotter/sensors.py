"""The JSON sensor report: per-sensor arrival times (and the air temperature) instead of a
vendor fix, so the platform locates the shot itself (rtcc/analysis/multilateration.py).

    {"messageType": "sensor_report", "id": "…", "rounds": 3, "temperatureC": 12.5,
     "sensors": [{"sensorId": "…", "latitude": …, "longitude": …,
                  "arrivalTime": "2013-01-01T08:01:48.204113Z"}, …]}
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from rtcc.sources.base import AdapterError
from rtcc.sources.shotspotter import values as v
from rtcc.sources.values import number

MAX_SENSORS = 200
_SENSORS = v.spellings("sensors", "sensorArrivals", "arrivals")
_SENSOR_ID = v.spellings("sensorId", "sensor_id", "id", "name")
_LAT = v.spellings("latitude", "lat")
_LON = v.spellings("longitude", "lon", "lng")
_ARRIVED = v.spellings("arrivalTime", "arrival_time", "arrived_at", "time", "epoch")
_TEMPERATURE = v.spellings("temperatureC", "temperature_c", "temperature")


class Arrivals(NamedTuple):
    """The payload `sensors` entries, and the earliest arrival (the report's time when the
    vendor sends none), kept as a datetime so it need not be parsed back from the text."""

    sensors: list[dict[str, Any]]
    first: datetime


def sensor_arrivals(record: v.Fields) -> Arrivals | None:
    """The report's arrivals; None when it carries none."""
    field, raw = record.pick(_SENSORS)
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise AdapterError(field, "not_a_list", "sensors must be a list of arrivals")
    if not raw:
        raise AdapterError(field, "missing", "the sensor list is empty")
    if len(raw) > MAX_SENSORS:
        raise AdapterError(field, "too_many", f"{len(raw)} sensors > {MAX_SENSORS}")
    sensors, times = [], []
    for i, item in enumerate(raw):
        sensor, at = _arrival(f"{field}[{i}].", item)
        sensors.append(sensor)
        times.append(at)
    return Arrivals(sensors, min(times))


def _arrival(prefix: str, item: Any) -> tuple[dict[str, Any], datetime]:
    if not isinstance(item, Mapping):
        raise AdapterError(prefix.rstrip("."), "not_an_object", "an arrival must be an object")
    fields = v.Fields(prefix, item)
    sensor = v.identifier(*fields.pick(_SENSOR_ID))
    lat = v.coordinate(*fields.pick(_LAT), 90)
    lon = v.coordinate(*fields.pick(_LON), 180)
    at = v.timestamp(*fields.pick(_ARRIVED)).astimezone(UTC)
    entry = {
        "sensor_id": sensor,
        "lat": lat,
        "lon": lon,
        "arrived_at": at.isoformat(timespec="microseconds"),
    }
    return entry, at


def temperature_c(record: v.Fields) -> float | None:
    field, value = record.pick(_TEMPERATURE)
    if value is None:
        return None
    result = number(field, value)
    if not -60 <= result <= 60:
        raise AdapterError(field, "out_of_range", f"{result} °C is not an air temperature")
    return result
