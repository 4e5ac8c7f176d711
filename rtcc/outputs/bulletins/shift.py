"""A shift brief: what the last shift produced, read from the stores, for the next one.

Alerts by rule and severity, the incidents they belong to (and CAD calls of the period),
the places that came up most, and the hotlist hits an analyst confirmed.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rtcc.analysis.hotlists.models import Hit
from rtcc.core.clock import utcnow
from rtcc.outputs.bulletins.lead import incident_of, parse_time
from rtcc.storage.base import Storage

MAX_PERIOD = timedelta(days=31)
ALERTS_SCANNED = 20_000
CAD_EVENTS_SCANNED = 5_000
HITS_SCANNED = 2_000
CELL_DEG = 0.002  # ~220 m of latitude: alerts this close count as one place
SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: str
    by_severity: dict[str, int]
    total: int


@dataclass(frozen=True, slots=True)
class PlaceCount:
    label: str
    count: int
    rules: list[str]


@dataclass(frozen=True, slots=True)
class ShiftBrief:
    since: datetime
    until: datetime
    generated_at: datetime
    alerts_total: int
    by_severity: dict[str, int]
    by_rule: list[RuleCount]
    incidents: list[dict[str, Any]]
    top_locations: list[PlaceCount]
    confirmed_hits: list[Hit]
    truncated: bool


def check_period(since: datetime, until: datetime) -> None:
    """Refuse a period the brief cannot cover, naming the field."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since: give a time zone (e.g. 2026-11-25T06:00:00Z)")
    if until <= since:
        raise ValueError("until: must be after since")
    if until - since > MAX_PERIOD:
        raise ValueError(f"until: the period may be at most {MAX_PERIOD.days} days")


def shift_brief(storage: Storage, since: datetime, until: datetime) -> ShiftBrief:
    check_period(since, until)
    scanned = storage.events.recent_alerts(ALERTS_SCANNED)
    alerts = [a for a in scanned if _within(a.get("created_at"), since, until)]
    oldest = parse_time(scanned[-1]["created_at"]) if scanned else None
    truncated = len(scanned) == ALERTS_SCANNED and oldest is not None and oldest > since
    by_severity = Counter(str(a["severity"]) for a in alerts)
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for a in alerts:
        per_rule[str(a["rule"])][str(a["severity"])] += 1
    by_rule = sorted(
        (
            RuleCount(rule, {s: counts[s] for s in SEVERITIES}, sum(counts.values()))
            for rule, counts in per_rule.items()
        ),
        key=lambda r: (-r.total, r.rule),
    )
    hits = [
        h
        for h in storage.hotlists.hits("confirmed", HITS_SCANNED)
        if h.decided_at is not None and since <= h.decided_at < until
    ]
    return ShiftBrief(
        since=since,
        until=until,
        generated_at=utcnow(),
        alerts_total=len(alerts),
        by_severity={s: by_severity[s] for s in SEVERITIES},
        by_rule=by_rule,
        incidents=_incidents(storage, alerts, since, until),
        top_locations=_places(alerts),
        confirmed_hits=sorted(hits, key=lambda h: h.decided_at or since),
        truncated=truncated,
    )


def _within(value: Any, since: datetime, until: datetime) -> bool:
    at = parse_time(value)
    return at is not None and since <= at < until


def _incidents(
    storage: Storage, alerts: list[dict[str, Any]], since: datetime, until: datetime
) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for a in sorted(alerts, key=lambda a: str(a["created_at"])):
        incident_id = incident_of(a)
        if incident_id is None:
            continue
        item = found.setdefault(
            incident_id,
            {"id": incident_id, "first_at": a["created_at"], "what": a["title"], "alerts": 0},
        )
        item["alerts"] += 1
    cad = storage.events.recent_events(["cad_incident"], CAD_EVENTS_SCANNED)
    for e in sorted(cad, key=lambda e: str(e["occurred_at"])):
        if not _within(e["occurred_at"], since, until):
            continue
        p = e["payload"]
        what = " at ".join(x for x in (p.get("call_type"), p.get("address")) if x)
        item = found.setdefault(
            p["incident_id"],
            {"id": p["incident_id"], "first_at": e["occurred_at"], "what": what, "alerts": 0},
        )
        item["status"] = p.get("status")
    return sorted(found.values(), key=lambda i: str(i["first_at"]))


def _places(alerts: list[dict[str, Any]], top: int = 10) -> list[PlaceCount]:
    counts: Counter[str] = Counter()
    rules: dict[str, set[str]] = defaultdict(set)
    for a in alerts:
        label = _place_label(a)
        if label is None:
            continue
        counts[label] += 1
        rules[label].add(str(a["rule"]))
    return [
        PlaceCount(label, n, sorted(rules[label]))
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]


def _place_label(alert: dict[str, Any]) -> str | None:
    detail = alert.get("detail") or {}
    for holder in (detail, detail.get("incident") or {}):
        if isinstance(holder, dict) and isinstance(holder.get("address"), str):
            return str(holder["address"])
    loc = alert.get("location")
    if not loc:
        return None
    lat = round(float(loc["lat"]) / CELL_DEG) * CELL_DEG
    lon = round(float(loc["lon"]) / CELL_DEG) * CELL_DEG
    return f"near {lat:.3f}, {lon:.3f}"
