"""Misuse detection: unusual use of sensitive searches, flagged for a supervisor to review.

Works on the audit trail alone (every sensitive search is there with its purpose and
case), so it sees exactly what an outside auditor would. Three patterns, each a rule
with a name that the review queue shows:

* `volume`: a user's sensitive searches in the last day far above their own norm
  (the median day over the baseline window), and above a floor.
* `off_hours_no_case`: a search outside working hours that names no case.
* `repeated_subject_no_case`: the same plate (or other subject) searched again and
  again without a case.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from rtcc.analysis.plate_text import PlateError, normalize_plate


class MisuseRules(BaseModel):
    """Thresholds of the three patterns; an agency tunes them to its own practice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    volume_factor: float = Field(3.0, gt=1, description="times the user's median day")
    volume_floor: int = Field(20, ge=1, description="never flag fewer searches than this a day")
    baseline_days: int = Field(30, ge=2, le=365)
    timezone: str = Field("UTC", description="IANA zone of the agency, for working hours")
    work_start_hour: int = Field(7, ge=0, le=23)
    work_end_hour: int = Field(19, ge=1, le=24)
    repeat_threshold: int = Field(3, ge=2, description="searches of one subject without a case")
    repeat_window_days: int = Field(7, ge=1, le=90)
    every_minutes: float = Field(15.0, gt=0, description="how often the server looks")


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """One allowed sensitive action, as the audit trail holds it."""

    seq: int
    at: datetime
    actor: str
    action: str
    resource: str
    purpose: str | None
    case_number: str | None


@dataclass(frozen=True, slots=True)
class Flag:
    """A pattern worth a supervisor's look; `key` makes re-running the detector idempotent."""

    key: str
    actor: str
    rule: str
    detail: str
    first_at: datetime
    last_at: datetime
    audit_seqs: tuple[int, ...]


def detect(records: Sequence[SearchRecord], now: datetime, rules: MisuseRules) -> list[Flag]:
    """Every flag the records raise at `now` (records: the baseline window and after)."""
    return [
        *_volume(records, now, rules),
        *_off_hours(records, rules),
        *_repeated(records, now, rules),
    ]


def subject_of(resource: str) -> str:
    """What a search was about: the plate (normal form) when there is one, else the query."""
    method_path = resource.split(" ", 1)[-1]
    parts = urlsplit(method_path)
    pattern = parse_qs(parts.query).get("pattern")
    segments = parts.path.strip("/").split("/")
    candidate = pattern[0] if pattern else None
    if candidate is None and "plates" in segments[:-1]:
        candidate = segments[segments.index("plates") + 1]
    if candidate is not None:
        try:
            return f"plate {normalize_plate(candidate.replace('*', '').replace('?', ''))}"
        except PlateError:
            return f"pattern {candidate}"
    return method_path


def _volume(records: Sequence[SearchRecord], now: datetime, rules: MisuseRules) -> Iterable[Flag]:
    day_start = now - timedelta(days=1)
    baseline_start = now - timedelta(days=rules.baseline_days + 1)
    recent: dict[str, list[SearchRecord]] = defaultdict(list)
    per_day: dict[str, Counter[int]] = defaultdict(Counter)
    for record in records:
        if record.at > day_start:
            recent[record.actor].append(record)
        elif record.at > baseline_start:
            per_day[record.actor][(now - record.at).days] += 1
    for actor, searches in recent.items():
        days = [per_day[actor].get(d, 0) for d in range(1, rules.baseline_days + 1)]
        norm = statistics.median(days)
        threshold = max(rules.volume_floor, rules.volume_factor * norm)
        if len(searches) > threshold:
            yield Flag(
                key=f"volume:{actor}:{day_start.date().isoformat()}",
                actor=actor,
                rule="volume",
                detail=(
                    f"{len(searches)} sensitive searches in 24 h; their median day over "
                    f"{rules.baseline_days} days is {norm:g} (flag above {threshold:g})"
                ),
                first_at=searches[0].at,
                last_at=searches[-1].at,
                audit_seqs=tuple(r.seq for r in searches),
            )


def _off_hours(records: Sequence[SearchRecord], rules: MisuseRules) -> Iterable[Flag]:
    zone = ZoneInfo(rules.timezone)
    for record in records:
        if record.case_number:
            continue
        local = record.at.astimezone(zone)
        if rules.work_start_hour <= local.hour < rules.work_end_hour:
            continue
        yield Flag(
            key=f"off_hours_no_case:{record.seq}",
            actor=record.actor,
            rule="off_hours_no_case",
            detail=(
                f"{subject_of(record.resource)} searched at {local:%H:%M} {rules.timezone} "
                f"(working hours {rules.work_start_hour:02d}-{rules.work_end_hour:02d}) "
                f"with purpose {record.purpose} and no case"
            ),
            first_at=record.at,
            last_at=record.at,
            audit_seqs=(record.seq,),
        )


def _repeated(records: Sequence[SearchRecord], now: datetime, rules: MisuseRules) -> Iterable[Flag]:
    since = now - timedelta(days=rules.repeat_window_days)
    groups: dict[tuple[str, str], list[SearchRecord]] = defaultdict(list)
    for record in records:
        if record.at > since and not record.case_number:
            groups[(record.actor, subject_of(record.resource))].append(record)
    for (actor, subject), searches in groups.items():
        if len(searches) < rules.repeat_threshold:
            continue
        yield Flag(
            key=f"repeated_subject_no_case:{actor}:{subject}:{searches[0].seq}",
            actor=actor,
            rule="repeated_subject_no_case",
            detail=(
                f"{subject} searched {len(searches)} times in {rules.repeat_window_days} days "
                "without a case"
            ),
            first_at=searches[0].at,
            last_at=searches[-1].at,
            audit_seqs=tuple(r.seq for r in searches),
        )
