"""The JSON sensor report: per-sensor arrival times (and the air temperature) instead of a
vendor fix, so the platform locates the shot itself (rtcc/analysis/multilateration.py).

    {"messageType": "sensor_report", "id": "…", "rounds": 3, "temperatureC": 12.5,
     "sensors": [{"sensorId": "…", "latitude": …, "longitude": …,
                  "arrivalTime": "2013-01-01T08:01:48.204113Z"}, …]}
"""

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from rtcc.sources.base import AdapterError
from rtcc.sources.shotspotter import values as v
from rtcc.sources.values import number

MAX_SENSORS = 200


def sensor_arrivals(prefix: str, record: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The report's arrivals as payload `sensors` entries; None when it carries none."""
    key, raw = v.pick(record, "sensors", "sensorArrivals", "arrivals")
    if raw is None:
        return None
    field = prefix + key
    if not isinstance(raw, list):
        raise AdapterError(field, "not_a_list", "sensors must be a list of arrivals")
    if not raw:
        raise AdapterError(field, "missing", "the sensor list is empty")
    if len(raw) > MAX_SENSORS:
        raise AdapterError(field, "too_many", f"{len(raw)} sensors > {MAX_SENSORS}")
    return [_arrival(f"{field}[{i}].", item) for i, item in enumerate(raw)]


def _arrival(prefix: str, item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise AdapterError(prefix.rstrip("."), "not_an_object", "an arrival must be an object")

    def field(*names: str) -> tuple[str, Any]:
        key, value = v.pick(item, *names)
        return prefix + key, value

    sensor = v.identifier(*field("sensorId", "sensor_id", "id", "name"))
    lat = v.coordinate(*field("latitude", "lat"), 90)
    lon = v.coordinate(*field("longitude", "lon", "lng"), 180)
    at = v.timestamp(*field("arrivalTime", "arrival_time", "arrived_at", "time", "epoch"))
    return {
        "sensor_id": sensor,
        "lat": lat,
        "lon": lon,
        "arrived_at": at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def temperature_c(prefix: str, record: Mapping[str, Any]) -> float | None:
    key, value = v.pick(record, "temperatureC", "temperature_c", "temperature")
    if value is None:
        return None
    result = number(prefix + key, value)
    if not -60 <= result <= 60:
        raise AdapterError(prefix + key, "out_of_range", f"{result} °C is not an air temperature")
    return result
