"""NMEA 0183 from a vehicle GPS receiver (RMC, GGA) → unit_position events."""

from rtcc.sources.nmea.adapter import NmeaAdapter
from rtcc.sources.nmea.options import NmeaOptions

__all__ = ["NmeaAdapter", "NmeaOptions"]
