"""Back-pressure at the door: a bounded number of batches between "body read" and "stored".

When storage is slow, batches would otherwise pile up in memory, each holding its parsed
body, until the process runs out. Past the limit a batch is refused at once with 503 and
Retry-After, before its body is read; the source keeps it and sends it again.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from rtcc.pipeline.ingest import IngestUnavailable


class IngestGate:
    """Used from the event loop's thread only, so a plain counter is enough."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.inflight = 0
        self.refused = 0

    @contextmanager
    def enter(self) -> Iterator[None]:
        if self.inflight >= self.limit:
            self.refused += 1
            raise IngestUnavailable(f"ingest is behind: {self.limit} batches are being stored", 1)
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1
