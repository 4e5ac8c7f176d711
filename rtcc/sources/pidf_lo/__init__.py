"""PIDF-LO caller location (RFC 4119 / RFC 5491 / RFC 5139 / RFC 7459) as an ALI/LIS pushes it.

See docs/sources/pidf_lo.md. The parser is shared with the EIDO adapter, which finds
PIDF-LO documents embedded in its location components.
"""

from rtcc.sources.pidf_lo.adapter import PidfLoAdapter, PidfLoOptions
from rtcc.sources.pidf_lo.parse import LocationObject, Presence, parse_presence

__all__ = ["LocationObject", "PidfLoAdapter", "PidfLoOptions", "Presence", "parse_presence"]
