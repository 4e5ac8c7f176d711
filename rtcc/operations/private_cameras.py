"""Private camera registration: strict validation of the public form, the owner's token,
and the `camera_status` event that puts the camera on the map."""

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from rtcc.core.clock import iso
from rtcc.governance.camera_grants import PrivateCamera, SharingMode
from rtcc.storage.base import EventStore

SOURCE = "private-camera-registry"  # the pipeline source name of registry events
_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,25}$")
_URL = re.compile(r"^(https?|rtsp|rtsps)://[^\s<>\"']{3,490}$")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Registration(BaseModel):
    """What a resident or business tells us about their camera (form values, lax types)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner_name: Text
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=25)] | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    label: Text = "Private camera"
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    heading_deg: float | None = Field(None, ge=0, lt=360)
    fov_deg: float = Field(90.0, gt=0, le=360)
    range_m: float = Field(30.0, gt=0, le=500)
    kind: Literal["registered", "integrated"]
    sharing: SharingMode | None = None
    stream_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        None
    )


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    reason: str
    message: str

    def to_wire(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason, "message": self.message}


class RegistrationInvalid(ValueError):
    """Every problem with a registration at once, each naming its field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def parse_registration(form: Mapping[str, str]) -> Registration:
    """Validate the form (blank optional fields count as absent); RegistrationInvalid if bad."""
    values = {k: v for k, v in form.items() if v.strip() != ""}
    try:
        reg = Registration.model_validate(values)
    except ValidationError as exc:
        raise RegistrationInvalid(
            [
                FieldError(".".join(str(p) for p in e["loc"]) or "form", e["type"], e["msg"])
                for e in exc.errors()
            ]
        ) from exc
    errors = _cross_field_errors(reg)
    if errors:
        raise RegistrationInvalid(errors)
    if reg.email:
        reg = reg.model_copy(update={"email": _normal_email(reg.email)})
    if reg.kind == "registered":
        reg = reg.model_copy(update={"sharing": None})
    return reg


def _normal_email(email: str) -> str:
    return validate_email(email, check_deliverability=False).normalized


def _cross_field_errors(reg: Registration) -> list[FieldError]:
    errors: list[FieldError] = []
    if not reg.email and not reg.phone:
        errors.append(FieldError("email", "missing", "give an email address or a phone number"))
    if reg.email:
        try:
            _normal_email(reg.email)
        except EmailNotValidError as exc:
            errors.append(FieldError("email", "email_invalid", str(exc)))
    if reg.phone and not _PHONE.match(reg.phone):
        errors.append(FieldError("phone", "phone_invalid", "digits, spaces, + ( ) . - only"))
    if reg.heading_deg is None and reg.fov_deg < 360:
        errors.append(
            FieldError("heading_deg", "missing", "give the view direction (or a 360° view)")
        )
    if reg.kind == "integrated" and reg.sharing is None:
        errors.append(FieldError("sharing", "missing", "an integrated camera needs a sharing mode"))
    if reg.stream_url:
        if reg.kind != "integrated":
            errors.append(
                FieldError("stream_url", "not_integrated", "only an integrated camera streams")
            )
        elif not _URL.match(reg.stream_url):
            errors.append(
                FieldError("stream_url", "url_invalid", "an http(s):// or rtsp(s):// address")
            )
    return errors


def new_camera(reg: Registration, now: datetime) -> PrivateCamera:
    return PrivateCamera(
        id=f"pc-{secrets.token_hex(6)}",
        kind=reg.kind,
        sharing=reg.sharing,
        label=reg.label,
        owner_name=reg.owner_name,
        email=reg.email,
        phone=reg.phone,
        address=reg.address,
        lat=reg.lat,
        lon=reg.lon,
        heading_deg=reg.heading_deg,
        fov_deg=reg.fov_deg,
        range_m=reg.range_m,
        stream_url=reg.stream_url,
        created_at=now,
    )


def camera_event(camera: PrivateCamera, now: datetime, change: str) -> dict[str, Any]:
    """The `camera_status` item for the ingest pipeline: the map shows where it looks.

    The owner's name, contact and stream address never go on the map; a withdrawn
    camera is published offline.
    """
    return {
        "kind": "camera_status",
        "id": f"{camera.id}-{change}",
        "occurred_at": iso(now),
        "location": {"lat": camera.lat, "lon": camera.lon},
        "payload": {
            "camera_id": camera.id,
            "name": camera.label,
            "camera_type": f"private_{camera.kind}",
            "status": "offline" if camera.withdrawn_at else "online",
            "heading_deg": camera.heading_deg,
            "fov_deg": camera.fov_deg,
            "range_m": camera.range_m,
        },
    }


def active_incident_near(store: EventStore, camera: PrivateCamera, radius_m: float) -> str | None:
    """The nearest open CAD incident within `radius_m` of the camera, if any (alarm_only)."""
    for near in store.entities_near(camera.lat, camera.lon, radius_m, "incident"):
        payload = near.entity.event.get("payload", {})
        if payload.get("status") != "closed":
            return str(payload.get("incident_id", near.entity.key))
    return None
