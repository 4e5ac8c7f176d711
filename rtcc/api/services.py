"""The running system's parts, as the routes reach them (set once by the composition root)."""

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from rtcc.core.bus import Bus
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.retention_policy import PolicyInForce
from rtcc.pipeline.gate import IngestGate
from rtcc.pipeline.ingest import Ingestor
from rtcc.settings import Settings
from rtcc.sources.manager import SourceManager
from rtcc.storage.base import Storage


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    storage: Storage
    bus: Bus
    pipeline: Ingestor
    decisions: DecisionPoint
    sources: SourceManager
    basemap: dict[str, Any]
    retention: PolicyInForce
    ingest_gate: IngestGate  # batches being stored at once; past it, 503 + Retry-After


def services_of(conn: HTTPConnection) -> Services:
    svc: Services = conn.app.state.services
    return svc
