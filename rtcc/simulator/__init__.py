"""A seeded synthetic city that feeds OpenRTCC through its public ingest API.

Used by `make demo` and by tests: `build_city` lays out streets, districts and
sensors; `CitySimulator` turns simulated time into wire events (no I/O);
`run_simulation` posts them in real time to `POST /api/v1/events`.
"""

from rtcc.simulator.city import City, build_city
from rtcc.simulator.ingest import IngestAuthError, SimStats
from rtcc.simulator.runner import CitySimulator, run_simulation

__all__ = ["City", "CitySimulator", "IngestAuthError", "SimStats", "build_city", "run_simulation"]
