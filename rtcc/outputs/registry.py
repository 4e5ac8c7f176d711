"""Every output channel kind by name. Adding a channel is one module and one line here."""

from importlib import import_module

from rtcc.outputs.base import Channel

# kind → "module:Class"; imported lazily so a heavy dependency loads only when used.
CHANNELS: dict[str, str] = {}
CHANNELS["slack"] = "rtcc.outputs.slack:SlackChannel"
CHANNELS["teams"] = "rtcc.outputs.teams:TeamsChannel"
CHANNELS["webhook"] = "rtcc.outputs.webhook:WebhookChannel"
CHANNELS["cad_note"] = "rtcc.outputs.cad_note:CadNoteChannel"
CHANNELS["radio"] = "rtcc.outputs.radio:RadioChannel"
CHANNELS["bulletin"] = "rtcc.outputs.bulletin:BulletinChannel"
CHANNELS["cap"] = "rtcc.outputs.cap:CapChannel"
CHANNELS["eido"] = "rtcc.outputs.eido:EidoChannel"
CHANNELS["cot"] = "rtcc.outputs.cot:CotChannel"


def channel_class(kind: str) -> type[Channel]:
    try:
        target = CHANNELS[kind]
    except KeyError:
        known = ", ".join(sorted(CHANNELS)) or "none"
        raise KeyError(f"unknown output kind {kind!r}; known: {known}") from None
    module_name, _, class_name = target.partition(":")
    cls: type[Channel] = getattr(import_module(module_name), class_name)
    return cls
