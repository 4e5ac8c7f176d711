"""Which sensors the agency runs and where, read from the same stores operations use.

Cameras come from the live state (their latest registration or heartbeat); plate readers
and acoustic gunshot sensors have no registration of their own yet, so they are the
distinct readers/sensors seen in the newest stored reads and detections (a bounded scan,
reported with the report so a reader knows how far back it looked).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rtcc.storage.base import EventStore

#: How many of the newest plate reads / gunshot detections / alerts a report looks at.
READ_SCAN = 200_000
ALERT_SCAN = 100_000

LPR_READER = "lpr_reader"
GUNSHOT_SENSOR = "gunshot_sensor"


@dataclass(frozen=True, slots=True)
class Sensor:
    """One sensor: `kind` is a camera type (fixed, ptz, …), `lpr_reader` or `gunshot_sensor`."""

    kind: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class LocatedAlert:
    rule: str
    created_at: datetime
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class Inventory:
    sensors: tuple[Sensor, ...]
    reads_scanned: int  # plate reads + detections looked at to find readers and sensors
    scan_limit: int

    def by_kind(self) -> dict[str, int]:
        return count_by([s.kind for s in self.sensors])


def sensor_inventory(events: EventStore, scan: int = READ_SCAN) -> Inventory:
    """Cameras by type, plate readers and gunshot sensors, each once, with its position."""
    sensors = [
        Sensor(str(e.event.get("payload", {}).get("camera_type", "fixed")), e.lat, e.lon)
        for e in events.entities()
        if e.entity_type == "camera"
    ]
    reads = events.recent_events(["lpr_read"], scan)
    readers: dict[str, tuple[float | None, float | None]] = {}
    for read in reads:  # newest first: the first position seen is the reader's latest
        reader = read["payload"].get("reader_id")
        if reader is not None and reader not in readers:
            readers[reader] = _lat_lon(read.get("location"))
    shots = events.recent_events(["gunshot"], scan)
    acoustic: dict[str, tuple[float | None, float | None]] = {}
    for shot in shots:
        for arrival in shot["payload"].get("sensors") or []:
            acoustic.setdefault(arrival["sensor_id"], (arrival["lat"], arrival["lon"]))
    sensors += [Sensor(LPR_READER, lat, lon) for lat, lon in readers.values()]
    sensors += [Sensor(GUNSHOT_SENSOR, lat, lon) for lat, lon in acoustic.values()]
    return Inventory(tuple(sensors), len(reads) + len(shots), scan)


def alerts_since(
    events: EventStore, since: datetime | None, until: datetime, scan: int = ALERT_SCAN
) -> tuple[list[LocatedAlert], bool]:
    """Alerts created in [since, until] (all when since is None), and whether the scan
    limit cut the period short (the oldest alerts of the period were not looked at)."""
    rows = events.recent_alerts(scan)
    found = []
    for row in rows:
        at = datetime.fromisoformat(row["created_at"])
        if at > until or (since is not None and at < since):
            continue
        lat, lon = _lat_lon(row.get("location"))
        found.append(LocatedAlert(str(row["rule"]), at, lat, lon))
    oldest = datetime.fromisoformat(rows[-1]["created_at"]) if rows else None
    cut = len(rows) >= scan and oldest is not None and (since is None or oldest > since)
    return found, cut


def count_by(values: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items()))


def _lat_lon(location: Any) -> tuple[float | None, float | None]:
    if isinstance(location, dict) and location.get("lat") is not None:
        return float(location["lat"]), float(location["lon"])
    return None, None
