"""From notifications or a PTZ status to `camera_status` wire events.

The generic PTZ spaces are normalised: pan -1…1 covers `pan_range_deg` centred on
`pan_zero_heading_deg`, tilt -1…1 covers `tilt_range_deg` centred on `tilt_zero_deg`
(positive = up), zoom 0…1 is wide…tele, which is what `CameraStatus.zoom` holds.
"""

import re
from typing import Any

from rtcc.core.clock import iso
from rtcc.sources.base import AdapterError, WireEvent
from rtcc.sources.onvif.envelope import Notification
from rtcc.sources.onvif.options import OnvifOptions
from rtcc.sources.onvif.ptz import PtzStatus
from rtcc.sources.onvif.topics import Change, Status, change_of

_NOT_ID = re.compile(r"[^A-Za-z0-9_.:\-]+")
# What cameras put in tt:PTZStatus/tt:Error when there is no error (Hikvision: "NO error").
NO_ERROR = {"", "no error", "noerror", "none", "ok", "0"}
EPSILON = 1e-4  # float noise at the ends of the normalised ranges


def camera_id(options: OnvifOptions, items: dict[str, str] | None, field: str) -> str:
    """`camera_id`, or the configured SimpleItem's value (appended when both are set)."""
    token: str | None = None
    if options.camera_id_item is not None and items is not None:
        raw = items.get(options.camera_id_item)
        token = _NOT_ID.sub("_", raw.strip()).strip("_")[:48] if raw is not None else None
    if token and options.camera_id:
        return f"{options.camera_id}.{token}"[:64]
    if token or options.camera_id:
        return str(token or options.camera_id)
    raise AdapterError(f"{field}[{options.camera_id_item}]", "missing", "no camera id item")


def _within(value: float, low: float, high: float, field: str) -> float:
    if not low - EPSILON <= value <= high + EPSILON:
        raise AdapterError(field, "out_of_range", f"{value} not in the generic {low}…{high}")
    return min(max(value, low), high)


def heading(options: OnvifOptions, pan: float) -> float:
    degrees = (options.pan_zero_heading_deg + pan * options.pan_range_deg / 2) % 360.0
    return 0.0 if degrees >= 360.0 else degrees  # -1e-17 % 360 == 360.0


class EventMaker:
    """Builds `camera_status` events for one camera: what its options fix (location, the
    configured payload fields) is settled once, not once per notification."""

    def __init__(self, options: OnvifOptions) -> None:
        self.options = options
        location: dict[str, Any] = {"lat": options.lat, "lon": options.lon}
        if options.accuracy_m is not None:
            location["accuracy_m"] = options.accuracy_m
        self._location = location
        configured = {
            "name": options.name,
            "fov_deg": options.fov_deg,
            "range_m": options.range_m,
            "owner": options.owner,
            "stream_url": options.stream_url,
        }
        self._configured = {k: v for k, v in configured.items() if v is not None}

    def event(
        self, camera: str, tag: str, change: Change, at: Any, extra: dict[str, Any]
    ) -> WireEvent:
        payload: dict[str, Any] = {
            "camera_id": camera,
            "camera_type": self.options.camera_type,
            "status": change.status,
        }
        payload.update(self._configured)
        if change.recording is not None:
            payload["recording"] = change.recording
        if change.heading is not None:
            payload["heading_deg"] = change.heading
        payload.update(extra)  # a PTZ status's readings replace configured values
        return {
            "kind": "camera_status",
            "id": f"{camera}-{tag}-{round(at.timestamp() * 1000)}",
            "occurred_at": iso(at),
            "location": self._location.copy(),  # each event its own, as consumers may edit
            "payload": payload,
        }

    def from_notifications(self, notes: list[Notification]) -> list[WireEvent]:
        events: list[WireEvent] = []
        options = self.options
        for note in notes:
            change = change_of(note, options.preset_headings)
            if change is None:
                continue
            items = {**note.data, **note.source} if options.camera_id_item is not None else None
            camera = camera_id(options, items, "tt:Source")
            events.append(self.event(camera, change.tag, change, note.time, {}))
        return events

    def from_ptz(self, status: PtzStatus) -> WireEvent:
        options = self.options
        camera = camera_id(options, None, "tptz:PTZStatus")
        extra: dict[str, Any] = {}
        if status.pan is not None and status.tilt is not None:
            pan = _within(status.pan, -1.0, 1.0, "tt:PanTilt@x")
            tilt = _within(status.tilt, -1.0, 1.0, "tt:PanTilt@y")
            extra["heading_deg"] = heading(options, pan)
            degrees = options.tilt_zero_deg + tilt * options.tilt_range_deg / 2
            extra["tilt_deg"] = min(max(degrees, -90.0), 90.0)
        if status.zoom is not None:
            extra["zoom"] = _within(status.zoom, 0.0, 1.0, "tt:Zoom@x")
        if status.hfov is not None and 0 < status.hfov <= 360:
            extra["fov_deg"] = status.hfov
        error = (status.error or "").lower()
        health: Status = "online" if error in NO_ERROR else "degraded"
        return self.event(camera, "ptz", Change("ptz", health), status.time, extra)
