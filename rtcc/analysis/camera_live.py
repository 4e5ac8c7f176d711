"""The live camera picture the correlation rules ask: an index kept current by ingest.

Built once from the store's camera entities, then updated from every stored
`camera_status` event (newest per camera wins, as in the store; an offline camera
leaves the index and a later online status brings it back). Rules reach it through the
store they are given (`for_store`), so their signatures do not change. One lock guards
the index: ingest runs in worker threads.
"""

import threading
import weakref
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from rtcc.analysis.camera_index import CameraIndex
from rtcc.analysis.footprints import Footprints
from rtcc.analysis.visibility import CameraView, VisibleCamera
from rtcc.core.events import Event, EventKind
from rtcc.core.payloads import CameraStatus
from rtcc.settings import CameraDockSettings
from rtcc.storage.base import EntityState, EventStore

MAX_CAMERA_RANGE_M = 2000.0  # the largest range a camera_status may declare
CUE_RECEIVED_AT: ContextVar[datetime | None] = ContextVar("cue_received_at", default=None)
"""When the batch being correlated was received: the start of the event → slew latency."""

_REGISTRY: "weakref.WeakKeyDictionary[Any, LiveCameras]" = weakref.WeakKeyDictionary()


class LiveCameras:
    """Online cameras by view sector, optional building footprints, and the dock settings."""

    def __init__(
        self,
        settings: CameraDockSettings | None = None,
        footprints: Footprints | None = None,
        index: CameraIndex | None = None,
    ) -> None:
        self.settings = settings or CameraDockSettings()
        if footprints is None and self.settings.footprints_path is not None:
            footprints = Footprints.from_file(self.settings.footprints_path)
        self.footprints = footprints
        self.index = index or CameraIndex()
        self._latest: dict[str, datetime] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_entities(
        cls, entities: Iterable[EntityState], settings: CameraDockSettings | None = None
    ) -> "LiveCameras":
        live = cls(settings)
        views = []
        for entity in entities:
            if entity.entity_type != "camera" or entity.lat is None or entity.lon is None:
                continue
            payload = entity.event["payload"]
            live._latest[payload["camera_id"]] = datetime.fromisoformat(entity.event["occurred_at"])
            if payload.get("status") != "offline":
                views.append(CameraView.from_payload(entity.lat, entity.lon, payload))
        live.index.bulk_load(views)
        return live

    def apply(self, events: Sequence[Event]) -> int:
        """Take the stored camera statuses of a batch; returns how many changed the index."""
        changed = 0
        for event in events:
            if event.kind is not EventKind.CAMERA_STATUS or event.location is None:
                continue
            p = event.payload
            assert isinstance(p, CameraStatus)
            with self._lock:
                last = self._latest.get(p.camera_id)
                if last is not None and event.occurred_at < last:
                    continue  # an older status never overwrites a newer one
                self._latest[p.camera_id] = event.occurred_at
                if p.status == "offline":
                    self.index.remove(p.camera_id)
                else:
                    self.index.upsert(_view(event.location.lat, event.location.lon, p))
            changed += 1
        return changed

    def visible_cameras(
        self, lat: float, lon: float, limit: int | None, max_radius_m: float | None = None
    ) -> list[VisibleCamera]:
        """Online cameras that can see the point and whose view no building blocks, ranked."""
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        with self._lock:
            hits = self.index.hits(lat, lon, max_radius_m)
            if self.footprints is not None and hits.slots.size:
                cam_lat, cam_lon = self.index.positions(hits.slots)
                clear = ~self.footprints.occluded(cam_lat, cam_lon, lat, lon)
                hits = type(hits)(
                    hits.slots[clear], hits.dist[clear], hits.az[clear], hits.off[clear]
                )
            return self.index.ranked(hits, limit)

    def within(
        self, lat: float, lon: float, radius_m: float
    ) -> list[tuple[CameraView, float, float]]:
        """Online cameras standing within the radius, nearest first (see CameraIndex)."""
        with self._lock:
            return self.index.within(lat, lon, radius_m)


def _view(lat: float, lon: float, p: CameraStatus) -> CameraView:
    return CameraView(
        camera_id=p.camera_id,
        lat=lat,
        lon=lon,
        heading_deg=p.heading_deg,
        fov_deg=p.fov_deg,
        range_m=p.range_m,
        camera_type=p.camera_type,
        name=p.name,
    )


def attach(store: EventStore, live: LiveCameras) -> None:
    """Make `live` the camera picture of everything correlated against `store`."""
    _REGISTRY[store] = live


def for_store(store: EventStore, lat: float, lon: float, radius_m: float) -> LiveCameras:
    """The attached picture, or (a store no pipeline feeds) one built from the cameras the
    store holds near the point: every camera that could see it stands within 2 km."""
    live = _REGISTRY.get(getattr(store, "underlying", store))  # a batch's view of the store
    if live is not None:
        return live
    near = store.entities_near(lat, lon, max(radius_m, MAX_CAMERA_RANGE_M), "camera")
    return LiveCameras.from_entities(n.entity for n in near)
