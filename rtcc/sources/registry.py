"""Every adapter by name. Adding an input format is one sub-package and one line here."""

from importlib import import_module

from rtcc.sources.base import Adapter

# name → "module:Class"; imported lazily so a heavy parser loads only when used.
ADAPTERS: dict[str, str] = {
    "nmea": "rtcc.sources.nmea:NmeaAdapter",
    "gtfs_rt": "rtcc.sources.gtfs_rt:GtfsRtAdapter",
    "cot": "rtcc.sources.cot:CotAdapter",
    "mavlink": "rtcc.sources.mavlink:MavlinkAdapter",
    "eido": "rtcc.sources.eido:EidoAdapter",
    "pidf_lo": "rtcc.sources.pidf_lo:PidfLoAdapter",
    "cad_csv": "rtcc.sources.cad_csv:CadCsvAdapter",
    "shotspotter": "rtcc.sources.shotspotter:ShotSpotterAdapter",
    "gunshot_csv": "rtcc.sources.shotspotter:GunshotCsvAdapter",
    "lpr_webhook": "rtcc.sources.lpr:LprWebhookAdapter",
    "lpr_csv": "rtcc.sources.lpr:LprCsvAdapter",
    "camera_registry": "rtcc.sources.cameras:CameraRegistryAdapter",
    "onvif": "rtcc.sources.onvif:OnvifAdapter",
    "bodycam": "rtcc.sources.bodycam:BodycamAdapter",
}


def adapter_class(name: str) -> type[Adapter]:
    try:
        target = ADAPTERS[name]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS)) or "none"
        raise KeyError(f"unknown adapter {name!r}; known: {known}") from None
    module_name, _, class_name = target.partition(":")
    cls: type[Adapter] = getattr(import_module(module_name), class_name)
    return cls
