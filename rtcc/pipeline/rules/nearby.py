"""What is near an event: cameras (and whether they look at it) and units."""

from datetime import datetime
from typing import Any

from rtcc.analysis.camera_dock import DockedCamera, dock
from rtcc.analysis.camera_live import CUE_RECEIVED_AT, for_store
from rtcc.analysis.visibility import CameraView, VisibleCamera
from rtcc.core.geo import angle_between_deg
from rtcc.storage.base import EventStore


def nearby_cameras(
    store: EventStore,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int,
    *,
    received_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Online cameras within the radius, nearest first, each flagged if it can see the spot.

    From the live camera index (`rtcc.analysis.camera_live`): a camera is `in_view` when
    the geodesic rule says it sees the point and no loaded building footprint blocks it.
    The nearest N that see it (CameraDockSettings) are `docked` and always listed; PTZ
    ones carry a `slew` command when slew-to-cue is on. The rest of the list is filled
    with the nearest other cameras up to `limit`.
    """
    live = for_store(store, lat, lon, radius_m)
    cfg = live.settings
    seeing = live.visible_cameras(lat, lon, None, max_radius_m=radius_m)
    docked = dock(
        [s for s in seeing if s.distance_m <= cfg.radius_m],
        count=min(cfg.count, limit),
        slew_to_cue=cfg.slew_to_cue,
        mount_height_m=cfg.mount_height_m,
        profile_token=cfg.ptz_profile_token,
        received_at=received_at or CUE_RECEIVED_AT.get(),
    )
    by_id = {s.camera.camera_id: s for s in seeing}
    chosen: dict[str, dict[str, Any]] = {
        d.seen.camera.camera_id: _summary(
            d.seen.camera, d.seen.distance_m, d.seen.bearing_deg, d.seen, d
        )
        for d in docked
    }
    for view, distance, bearing in live.within(lat, lon, radius_m):
        if len(chosen) >= limit:
            break
        if view.camera_id not in chosen:
            seen = by_id.get(view.camera_id)
            chosen[view.camera_id] = _summary(view, distance, bearing, seen, None)
    return sorted(chosen.values(), key=lambda c: (c["distance_m"], c["camera_id"]))


def _summary(
    view: CameraView,
    distance_m: float,
    bearing: float,
    seen: VisibleCamera | None,
    docked: DockedCamera | None,
) -> dict[str, Any]:
    off = 0.0 if view.heading_deg is None else angle_between_deg(bearing, view.heading_deg)
    return {
        "camera_id": view.camera_id,
        "name": view.name,
        "camera_type": view.camera_type,
        "distance_m": round(distance_m, 1),
        "bearing_from_camera_deg": round(bearing, 1),
        "angle_off_axis_deg": round(off, 1),
        "heading_deg": view.heading_deg,
        "fov_deg": view.fov_deg,
        "range_m": view.range_m,
        "in_view": seen is not None,
        "docked": docked is not None,
        "slew": docked.slew.to_wire() if docked is not None and docked.slew else None,
        "location": {"lat": view.lat, "lon": view.lon},
    }


def nearby_units(
    store: EventStore, lat: float, lon: float, radius_m: float
) -> list[dict[str, Any]]:
    """Units in service within the radius, nearest first."""
    units = []
    for near in store.entities_near(lat, lon, radius_m, "unit"):
        payload = near.entity.event["payload"]
        if payload.get("status") == "out_of_service":
            continue
        units.append(
            {
                "unit_id": payload["unit_id"],
                "unit_type": payload.get("unit_type"),
                "status": payload.get("status"),
                "distance_m": round(near.distance_m, 1),
                "location": {"lat": near.entity.lat, "lon": near.entity.lon},
            }
        )
    return units
