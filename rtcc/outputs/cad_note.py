"""CAD note: the alert summarised as narrative text, POSTed as a CAD "add note" call.

The body is `{incident_id, note_text, author, created_at}` — what a CAD's add-narrative
API takes — signed like the generic webhook (X-RTCC-Timestamp, X-RTCC-Signature).
`incident_id` is null for alerts not tied to an incident; the receiver decides.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, Field

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.outputs.base import Receipt
from rtcc.outputs.summary import counts_line, summarise
from rtcc.outputs.webhook import SignedPoster, SignedPostOptions

MAX_LISTED = 5  # names listed per kind before "and N more"


class CadNoteOptions(SignedPostOptions):
    author: str = Field("RTCC", min_length=1, max_length=64, description="note author in CAD")
    max_chars: int = Field(2000, ge=200, le=32_000, description="CAD narrative field limit")


def _names(label: str, names: list[str]) -> str | None:
    if not names:
        return None
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return f"{label}: {', '.join(names[:MAX_LISTED])}{more}."


def note_text(alert: Alert, max_chars: int = 2000) -> str:
    """Plain text, one fact per sentence, no markup (CAD narratives are plain text)."""
    s = summarise(alert)
    parts = [f"RTCC {s.severity.upper()} ALERT: {s.title}.", f"Time {s.time_utc}."]
    if s.place:
        parts.append(f"Location {s.place}.")
    parts.append(counts_line(s).replace(" · ", ", ") + ".")
    for label, names in (("Cameras", s.camera_names), ("Plates", s.plates), ("Units", s.unit_ids)):
        line = _names(label, names)
        if line:
            parts.append(line)
    parts.append(f"Rule {s.rule}, RTCC alert {alert.id}.")
    text = " ".join(parts)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def note_document(alert: Alert, author: str, max_chars: int = 2000) -> dict[str, Any]:
    return {
        "incident_id": summarise(alert).incident_id,
        "note_text": note_text(alert, max_chars),
        "author": author,
        "created_at": iso(alert.created_at),
    }


class CadNoteChannel:
    kind: ClassVar[str] = "cad_note"
    options_model: ClassVar[type[BaseModel]] = CadNoteOptions

    def __init__(self, name: str, options: CadNoteOptions) -> None:
        self.name = name
        self._options = options
        self._poster = SignedPoster(options)

    async def deliver(self, alert: Alert) -> Receipt:
        document = note_document(alert, self._options.author, self._options.max_chars)
        response = await self._poster.send(document)
        detail = {"status": response.status_code, "incident_id": document["incident_id"]}
        return Receipt(self.name, alert.id, utcnow(), detail)

    async def close(self) -> None:
        await self._poster.close()
