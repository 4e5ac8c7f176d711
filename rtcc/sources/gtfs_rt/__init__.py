"""GTFS-realtime VehiclePositions feeds (transit AVL) → unit_position events."""

from rtcc.sources.gtfs_rt.adapter import GtfsRtAdapter
from rtcc.sources.gtfs_rt.options import GtfsRtOptions

__all__ = ["GtfsRtAdapter", "GtfsRtOptions"]
