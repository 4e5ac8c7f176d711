"""ONVIF cameras: event notifications (WS-BaseNotification) and PTZ status → camera_status.

One message is one SOAP document: a `wsnt:Notify` or `tev:PullMessagesResponse` (each
state-changing notification becomes one event; motion and unknown topics none), or a
`tptz:GetStatusResponse` (one event with heading, tilt and zoom). The device names neither
itself nor its position, so both come from the options (see docs/sources/onvif.md).
"""

from typing import ClassVar

from rtcc.core.events import EventKind
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, AdapterOptions, Framing, WireEvent
from rtcc.sources.onvif.envelope import (
    TEV,
    TPTZ,
    WSNT,
    body_of,
    notifications,
    parse_xml,
    q,
)
from rtcc.sources.onvif.mapping import EventMaker
from rtcc.sources.onvif.options import OnvifOptions
from rtcc.sources.onvif.ptz import ptz_status

NOTIFICATION_BODIES = (q(WSNT, "Notify"), q(TEV, "PullMessagesResponse"))
PTZ_RESPONSE = q(TPTZ, "GetStatusResponse")


class OnvifAdapter:
    name: ClassVar[str] = "onvif"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.CAMERA_STATUS,)
    framing: ClassVar[Framing] = "document"
    options_model: ClassVar[type[AdapterOptions]] = OnvifOptions

    def __init__(self, options: OnvifOptions) -> None:
        self.options = options
        self._events = EventMaker(options)

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("document", "too_large", f"{len(message)} bytes")
        try:
            payload = body_of(parse_xml(message))
            if payload.tag in NOTIFICATION_BODIES:
                return self._events.from_notifications(notifications(payload))
            if payload.tag == PTZ_RESPONSE:
                return [self._events.from_ptz(ptz_status(payload))]
        except AdapterError:
            raise
        except Exception as exc:  # a library surprise must not escape as anything else
            raise AdapterError("document", "unreadable", f"{type(exc).__name__}: {exc}") from exc
        tag = str(payload.tag)[:80]
        raise AdapterError("soap:Body", "not_onvif", f"{tag} is no Notify or GetStatusResponse")


__all__ = ["OnvifAdapter", "OnvifOptions"]
