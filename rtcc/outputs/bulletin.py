"""Bulletin channel: the lead-summary PDF of each serious alert, written to a folder.

For a records system or a shared drive that picks up files: what the alert knew when it
fired (detections, cameras with their view, plate reads, units, the drawn map). The full
summary with later CAD events is `GET /api/v1/bulletins/incidents/{id}.pdf`.
"""

import asyncio
import os
import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from rtcc.core.alerts import Alert
from rtcc.core.clock import utcnow
from rtcc.outputs.airtime import PRIORITY
from rtcc.outputs.base import DeliveryError, Receipt
from rtcc.outputs.bulletins.lead import incident_of, lead_from
from rtcc.outputs.bulletins.render import render_lead


class BulletinOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Path = Field(description="where the PDFs are written")
    agency: str = Field("OpenRTCC", min_length=1, max_length=120, description="masthead")
    min_severity: Literal["info", "warning", "critical"] = Field(
        "critical", description="alerts below this are not written (the receipt says so)"
    )


class BulletinChannel:
    kind: ClassVar[str] = "bulletin"
    options_model: ClassVar[type[BulletinOptions]] = BulletinOptions

    def __init__(self, name: str, options: BulletinOptions) -> None:
        self.name = name
        self.options = options
        options.folder.mkdir(parents=True, exist_ok=True)

    async def deliver(self, alert: Alert) -> Receipt:
        if PRIORITY[alert.severity] < PRIORITY[self.options.min_severity]:
            reason = f"{alert.severity} is below min_severity {self.options.min_severity}"
            return Receipt(self.name, alert.id, utcnow(), {"written": False, "reason": reason})
        wire = alert.to_wire()
        incident_id = incident_of(wire) or f"alert-{alert.id}"
        lead = lead_from(incident_id, [wire], [])
        try:
            pdf = await asyncio.to_thread(render_lead, lead, agency=self.options.agency)
        except Exception as exc:  # a render failure must reach the dispatcher, not the loop
            raise DeliveryError(f"bulletin render failed: {exc}", retryable=False) from exc
        safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", incident_id)
        path = self.options.folder / f"lead-{safe}-{alert.id}.pdf"
        try:
            await asyncio.to_thread(_write_atomic, path, pdf)
        except OSError as exc:
            raise DeliveryError(f"bulletin folder: {exc}", retryable=True) from exc
        detail = {"written": True, "file": str(path), "bytes": len(pdf), "incident": incident_id}
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def close(self) -> None:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write beside, then rename: a folder watcher never picks up half a PDF."""
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
