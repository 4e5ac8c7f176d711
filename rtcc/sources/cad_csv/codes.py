"""Call-type code maps: code → call type (≤ 32 chars), description and priority.

A map file is CSV (header `code,call_type[,description][,priority]`) or YAML (a mapping of
code → call type, or code → {call_type, description, priority}).
"""

import csv
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class CallTypeEntry(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    call_type: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    description: Annotated[str, StringConstraints(max_length=200)] | None = None
    priority: Annotated[int, Field(ge=1, le=9)] | None = None


def _entry(value: Any) -> CallTypeEntry:
    if isinstance(value, str):
        return CallTypeEntry(call_type=value)
    return CallTypeEntry.model_validate(value)


def _csv_entries(path: Path) -> dict[str, CallTypeEntry]:
    entries: dict[str, CallTypeEntry] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code") or "").strip()
            if not code:
                continue
            raw_priority = (row.get("priority") or "").strip()
            entries[code] = CallTypeEntry(
                call_type=(row.get("call_type") or "").strip(),
                description=(row.get("description") or "").strip() or None,
                priority=int(raw_priority) if raw_priority else None,
            )
    return entries


def load_code_map(path: str | None, inline: dict[str, str]) -> dict[str, CallTypeEntry]:
    """Inline entries override the file's. Errors here are configuration errors (ValueError)."""
    entries: dict[str, CallTypeEntry] = {}
    if path:
        file = Path(path)
        if file.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path}: a YAML code map is a mapping of code → call type")
            entries = {str(code).strip(): _entry(value) for code, value in data.items()}
        else:
            entries = _csv_entries(file)
    entries.update({code.strip(): CallTypeEntry(call_type=v) for code, v in inline.items()})
    return entries
