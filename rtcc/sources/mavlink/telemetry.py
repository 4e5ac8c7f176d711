"""The latest telemetry of each MAVLink system, and the unit position each fix becomes.

State is kept per system id (0-255, so it stays bounded): the last HEARTBEAT (armed, vehicle
type), battery (BATTERY_STATUS or SYS_STATUS), ATTITUDE yaw and the SYSTEM_TIME clock offset.
Every GLOBAL_POSITION_INT becomes one unit_position carrying the latest of those.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rtcc.core.clock import iso
from rtcc.core.geo import compass
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.mavlink.frames import Frame

ARMED_FLAG = 128  # MAV_MODE_FLAG_SAFETY_ARMED in HEARTBEAT.base_mode
UNKNOWN_HEADING = 65535  # GLOBAL_POSITION_INT.hdg when the vehicle does not know it
_MIN_UNIX_USEC = 1_000_000_000 * 1_000_000  # 2001-09-09: below this SYSTEM_TIME has no GPS time
_NUMBER = (int, float)


@dataclass(slots=True)
class SystemState:
    armed: bool | None = None
    vehicle_type: int | None = None
    battery_pct: float | None = None
    yaw_deg: float | None = None
    # unix time (s) at time_boot_ms = 0, learnt from SYSTEM_TIME; None until seen
    boot_epoch_s: float | None = None
    clock_boot_ms: int = 0  # time_boot_ms of the SYSTEM_TIME the offset came from


def _int(frame: Frame, name: str) -> int:
    """A numeric field as an int; 0 when absent or not finite."""
    value = getattr(frame.message, name, None)
    return int(value) if isinstance(value, _NUMBER) and math.isfinite(value) else 0


def update(state: SystemState, frame: Frame) -> None:
    """Fold one non-position message into the system's state."""
    if frame.name == "HEARTBEAT":
        state.armed = bool(_int(frame, "base_mode") & ARMED_FLAG)
        state.vehicle_type = _int(frame, "type")
    elif frame.name in ("BATTERY_STATUS", "SYS_STATUS"):
        remaining = _int(frame, "battery_remaining")  # -1: the autopilot does not know
        state.battery_pct = float(remaining) if 0 <= remaining <= 100 else None
    elif frame.name == "ATTITUDE":
        yaw = getattr(frame.message, "yaw", None)
        state.yaw_deg = compass(round(math.degrees(yaw), 2)) if isinstance(yaw, float) else None
        if state.yaw_deg is not None and not math.isfinite(state.yaw_deg):
            state.yaw_deg = None
    elif frame.name == "SYSTEM_TIME":
        unix_usec, boot_ms = _int(frame, "time_unix_usec"), _int(frame, "time_boot_ms")
        if unix_usec >= _MIN_UNIX_USEC:
            state.boot_epoch_s = unix_usec / 1e6 - boot_ms / 1000.0
            state.clock_boot_ms = boot_ms


def _occurred_at(state: SystemState, boot_ms: int, received_at: datetime) -> datetime:
    """Vehicle clock when SYSTEM_TIME gave one, else the receive time of the datagram."""
    if state.boot_epoch_s is not None and boot_ms + 1000 < state.clock_boot_ms:
        state.boot_epoch_s = None  # boot clock went backwards: the vehicle rebooted
    if state.boot_epoch_s is None:
        return received_at
    try:
        return datetime.fromtimestamp(state.boot_epoch_s, UTC) + timedelta(milliseconds=boot_ms)
    except (OverflowError, OSError, ValueError):
        return received_at


def _heading(state: SystemState, hdg_cdeg: int) -> float | None:
    if 0 <= hdg_cdeg < 36000:
        return hdg_cdeg / 100.0
    return state.yaw_deg  # UINT16_MAX: no heading in the fix, use the attitude yaw


def position_event(
    state: SystemState, frame: Frame, unit_id: str, received_at: datetime
) -> WireEvent | None:
    """One GLOBAL_POSITION_INT → unit_position; None for the (0, 0) "no fix yet" report."""
    lat_e7, lon_e7 = _int(frame, "lat"), _int(frame, "lon")
    if lat_e7 == 0 and lon_e7 == 0:
        return None
    lat, lon = lat_e7 / 1e7, lon_e7 / 1e7
    if not -90 <= lat <= 90:
        raise AdapterError("GLOBAL_POSITION_INT.lat", "out_of_range", f"{lat} not in ±90")
    if not -180 <= lon <= 180:
        raise AdapterError("GLOBAL_POSITION_INT.lon", "out_of_range", f"{lon} not in ±180")
    boot_ms = _int(frame, "time_boot_ms")
    payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": "drone"}
    if state.armed is not None:
        payload["status"] = "busy" if state.armed else "available"
    altitude = _int(frame, "alt") / 1000.0  # mm above mean sea level
    speed = round(math.hypot(_int(frame, "vx"), _int(frame, "vy")) / 100.0, 2)  # cm/s → m/s, ground
    if -500 <= altitude <= 20_000:
        payload["altitude_m"] = altitude
    if speed <= 120:
        payload["speed_mps"] = speed
    if (heading := _heading(state, _int(frame, "hdg"))) is not None:
        payload["heading_deg"] = heading
    if state.battery_pct is not None:
        payload["battery_pct"] = state.battery_pct
    return {
        "kind": "unit_position",
        "id": f"{unit_id}-b{boot_ms}-{frame.crc:04x}",
        "occurred_at": iso(_occurred_at(state, boot_ms, received_at)),
        "location": {"lat": lat, "lon": lon},
        "payload": payload,
    }
