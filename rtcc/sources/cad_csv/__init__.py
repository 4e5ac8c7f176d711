"""Configurable CAD CSV exports (agencies without EIDO): column mapping + code maps.

See docs/sources/cad_csv.md and the example option sets docs/sources/cad_csv_*.yaml.
"""

from rtcc.sources.cad_csv.adapter import CadCsvAdapter
from rtcc.sources.cad_csv.options import CadCsvOptions, TimelineStep

__all__ = ["CadCsvAdapter", "CadCsvOptions", "TimelineStep"]
