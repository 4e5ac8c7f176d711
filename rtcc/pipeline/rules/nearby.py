"""What is near an event: cameras (and whether they look at it) and units."""

from typing import Any

from rtcc.core.geo import angle_between_deg, bearing_deg
from rtcc.storage.base import EventStore, NearbyEntity


def nearby_cameras(
    store: EventStore, lat: float, lon: float, radius_m: float, limit: int
) -> list[dict[str, Any]]:
    """Online cameras within the radius, nearest first, each flagged if the spot is in view."""
    cameras = []
    for near in store.entities_near(lat, lon, radius_m, "camera"):
        payload = near.entity.event["payload"]
        if payload.get("status") == "offline":
            continue
        cameras.append(_camera_summary(near, payload, lat, lon))
        if len(cameras) >= limit:
            break
    return cameras


def _camera_summary(
    near: NearbyEntity, payload: dict[str, Any], lat: float, lon: float
) -> dict[str, Any]:
    cam_lat, cam_lon = near.entity.lat or 0.0, near.entity.lon or 0.0
    bearing = bearing_deg(cam_lat, cam_lon, lat, lon)
    heading = payload.get("heading_deg")
    in_range = near.distance_m <= float(payload.get("range_m", 150.0))
    steerable = payload.get("camera_type") in ("ptz", "drone") or heading is None
    in_fov = heading is None or steerable
    if heading is not None and not in_fov:
        in_fov = angle_between_deg(bearing, float(heading)) <= payload["fov_deg"] / 2
    return {
        "camera_id": payload["camera_id"],
        "name": payload.get("name"),
        "camera_type": payload.get("camera_type"),
        "distance_m": round(near.distance_m, 1),
        "bearing_from_camera_deg": round(bearing, 1),
        "in_view": bool(in_range and in_fov),
        "location": {"lat": cam_lat, "lon": cam_lon},
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
