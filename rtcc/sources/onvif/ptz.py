"""`tptz:GetStatusResponse` → the camera's PTZ position, error text and field of view
(common.xsd `tt:PTZStatus`); positions only in the normalised generic spaces."""

from datetime import datetime
from typing import Any, NamedTuple

from rtcc.sources.base import AdapterError
from rtcc.sources.onvif.envelope import TPTZ, TT, child, first_children, q, timestamp, xs_float

PTZ_STATUS = q(TPTZ, "PTZStatus")
UTC_TIME, POSITION, ERROR, FIELD_OF_VIEW, PAN_TILT, ZOOM = (
    q(TT, n) for n in ("UtcTime", "Position", "Error", "FieldOfView", "PanTilt", "Zoom")
)
_STATUS_PARTS = frozenset((UTC_TIME, POSITION, ERROR, FIELD_OF_VIEW))
_POSITION_PARTS = frozenset((PAN_TILT, ZOOM))


class PtzStatus(NamedTuple):
    """`tt:PTZStatus`: position in the normalised generic spaces, error text, field of view."""

    time: datetime
    pan: float | None
    tilt: float | None
    zoom: float | None
    error: str | None
    hfov: float | None


def _vector(element: Any, name: str, axes: tuple[str, ...]) -> list[float] | None:
    if element is None:
        return None
    space = element.get("space")
    if space is not None and not space.strip().endswith("/PositionGenericSpace"):
        raise AdapterError(f"tt:{name}@space", "unsupported_space", f"{space[:80]!r}")
    return [xs_float(element.get(axis), f"tt:{name}@{axis}") for axis in axes]


def ptz_status(payload: Any) -> PtzStatus:
    status = child(payload, PTZ_STATUS)
    if status is None:
        raise AdapterError("tptz:PTZStatus", "missing", "a GetStatusResponse without status")
    parts = first_children(status, _STATUS_PARTS)
    clock, position = parts.get(UTC_TIME), parts.get(POSITION)
    axes = first_children(position, _POSITION_PARTS) if position is not None else {}
    pan_tilt = _vector(axes.get(PAN_TILT), "PanTilt", ("x", "y"))
    zoom = _vector(axes.get(ZOOM), "Zoom", ("x",))
    error, fov = parts.get(ERROR), parts.get(FIELD_OF_VIEW)
    return PtzStatus(
        time=timestamp(clock.text if clock is not None else None, "tt:PTZStatus/tt:UtcTime"),
        pan=pan_tilt[0] if pan_tilt else None,
        tilt=pan_tilt[1] if pan_tilt else None,
        zoom=zoom[0] if zoom else None,
        error=" ".join((error.text or "").split()) if error is not None else None,
        hfov=xs_float(fov.get("hfov"), "tt:FieldOfView@hfov") if fov is not None else None,
    )
