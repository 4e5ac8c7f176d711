"""Auto-dock and slew-to-cue: the cameras put on a point, and a PTZ move toward it.

The slew is an ONVIF PTZ `AbsoluteMove` (ver20 ptz.wsdl) in the generic position spaces:
- pan x: the bearing to the point relative to the camera's home heading (north when it
  has none), scaled so ±1 is ±half the pan range (±180° for a 360° camera), clamped;
- tilt y: the depression angle atan(mount height / distance), as y = -angle/90°, so 0 is
  the horizon and -1 straight down (the generic space spans -90°…+90°);
- zoom x: distance / range, clamped to 0…1 (far away → zoomed in).
Each command carries the time the triggering event was received and the time it was
built, so the event → command latency is on record.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from rtcc.analysis.visibility import VisibleCamera
from rtcc.core.clock import iso, utcnow

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
TPTZ = "http://www.onvif.org/ver20/ptz/wsdl"
TT = "http://www.onvif.org/ver10/schema"
PAN_TILT_SPACE = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
ZOOM_SPACE = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"


@dataclass(frozen=True, slots=True)
class SlewCommand:
    """One AbsoluteMove toward a point, with the angles it came from and its timing."""

    camera_id: str
    profile_token: str
    pan: float
    tilt: float
    zoom: float
    pan_deg: float  # relative to the home heading, -180…180
    tilt_deg: float  # below the horizon is negative
    received_at: datetime | None
    built_at: datetime

    @property
    def latency_ms(self) -> float | None:
        if self.received_at is None:
            return None
        return (self.built_at - self.received_at).total_seconds() * 1000.0

    def soap_body(self) -> bytes:
        """The SOAP 1.2 envelope a camera's PTZ service accepts for this move."""
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"s": SOAP_ENV})
        body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
        move = etree.SubElement(body, f"{{{TPTZ}}}AbsoluteMove", nsmap={"tptz": TPTZ, "tt": TT})
        etree.SubElement(move, f"{{{TPTZ}}}ProfileToken").text = self.profile_token
        position = etree.SubElement(move, f"{{{TPTZ}}}Position")
        etree.SubElement(
            position,
            f"{{{TT}}}PanTilt",
            x=_num(self.pan),
            y=_num(self.tilt),
            space=PAN_TILT_SPACE,
        )
        etree.SubElement(position, f"{{{TT}}}Zoom", x=_num(self.zoom), space=ZOOM_SPACE)
        xml: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
        return xml

    def to_wire(self) -> dict[str, Any]:
        return {
            "type": "AbsoluteMove",
            "camera_id": self.camera_id,
            "ProfileToken": self.profile_token,
            "Position": {
                "PanTilt": {"x": self.pan, "y": self.tilt, "space": PAN_TILT_SPACE},
                "Zoom": {"x": self.zoom, "space": ZOOM_SPACE},
            },
            "pan_deg": round(self.pan_deg, 2),
            "tilt_deg": round(self.tilt_deg, 2),
            "hops": {
                "received_at": iso(self.received_at) if self.received_at else None,
                "command_built_at": iso(self.built_at),
            },
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 3),
            "soap": self.soap_body().decode(),
        }


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"


def slew_command(
    seen: VisibleCamera,
    *,
    mount_height_m: float,
    profile_token: str,
    received_at: datetime | None = None,
) -> SlewCommand:
    """The AbsoluteMove that points a PTZ camera at the point it was found to see."""
    cam = seen.camera
    home = cam.heading_deg or 0.0
    rel = (seen.bearing_deg - home + 180.0) % 360.0 - 180.0
    half_pan = cam.pan_range_deg / 2.0
    pan = 0.0 if half_pan <= 0 else max(-1.0, min(1.0, rel / half_pan))
    tilt_deg = -math.degrees(math.atan2(mount_height_m, max(seen.distance_m, 0.0)))
    zoom = max(0.0, min(1.0, seen.distance_m / cam.range_m))
    return SlewCommand(
        camera_id=cam.camera_id,
        profile_token=profile_token,
        pan=round(pan, 6),
        tilt=round(tilt_deg / 90.0, 6),
        zoom=round(zoom, 6),
        pan_deg=rel,
        tilt_deg=tilt_deg,
        received_at=received_at,
        built_at=utcnow(),
    )


@dataclass(frozen=True, slots=True)
class DockedCamera:
    """A camera docked to a point; `slew` is set for a steerable camera when cueing is on."""

    seen: VisibleCamera
    slew: SlewCommand | None


def dock(
    seeing: list[VisibleCamera],
    *,
    count: int,
    slew_to_cue: bool,
    mount_height_m: float,
    profile_token: str,
    received_at: datetime | None = None,
) -> list[DockedCamera]:
    """The first `count` of the ranked cameras that see the point, PTZs with a slew."""
    docked = []
    for seen in seeing[:count]:
        slew = None
        if slew_to_cue and seen.camera.steerable:
            slew = slew_command(
                seen,
                mount_height_m=mount_height_m,
                profile_token=profile_token,
                received_at=received_at,
            )
        docked.append(DockedCamera(seen, slew))
    return docked
