"""NENA EIDO (Emergency Incident Data Object, NENA-STA-021.1b JSON) → cad_incident.

See docs/sources/eido.md. Embedded PIDF-LO location is read with the pidf_lo parser.
"""

from rtcc.sources.eido.adapter import EidoAdapter, EidoOptions

__all__ = ["EidoAdapter", "EidoOptions"]
