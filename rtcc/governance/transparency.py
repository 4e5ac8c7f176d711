"""The public transparency report, computed from the same stores operations write.

Counts only: no user, plate, case number or single search ever leaves this module.
Searches come from the audit trail (the decision point's rows), so the report and an
auditor's reading of the trail cannot disagree; month cells of 1-4 searches are shown
as "<5" so a single search cannot be tied to a known event by its month and purpose.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rtcc.governance.fairness import compute_fairness
from rtcc.governance.fairness_areas import AreaSet
from rtcc.governance.purpose import PURPOSE_REQUIRED
from rtcc.governance.roles import Permission
from rtcc.governance.sensor_inventory import alerts_since, count_by, sensor_inventory
from rtcc.pipeline.alert_lifecycle import precision, sensor_of
from rtcc.storage.base import AuditCheckpoint, Storage

#: Audit rows a report reads (the newest); the report says when the trail is longer.
AUDIT_SCAN = 2_000_000
DEFAULT_PERIOD = timedelta(days=365)
SUPPRESS_BELOW = 5
NO_PURPOSE = "(none stated)"
UNLISTED_PURPOSE = "(not a configured purpose)"  # refused free text is never published
SEARCH_ACTIONS = frozenset(p.value for p in PURPOSE_REQUIRED)
PARTNER_ACTION = Permission.PARTNER_READ.value

PRECISION_NOTE = (
    "Precision: of the alerts closed in the period with a judged outcome, the share that "
    "proved right (confirmed, arrest, report taken) rather than wrong (no evidence found, "
    "unfounded). Duplicates and other outcomes count for neither."
)


@dataclass(frozen=True, slots=True)
class Period:
    since: datetime
    until: datetime


def suppress(count: int) -> int | str:
    """1-4 becomes "<5"; 0 and 5+ are shown as they are."""
    return "<5" if 0 < count < SUPPRESS_BELOW else count


def transparency_report(
    storage: Storage,
    now: datetime,
    purposes: Collection[str],
    areas: AreaSet | None = None,
    period: Period | None = None,
    how_to_verify: str = "",
    public_key_pem: str = "",
) -> dict[str, Any]:
    """Everything the public page, JSON and PDF show, for `period` (default: the last
    12 months) beside all time."""
    period = period or Period(now - DEFAULT_PERIOD, now)
    rows = storage.audit.recent(AUDIT_SCAN)
    return {
        "generated_at": now.isoformat(),
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat()},
        "searches": _searches(rows, period, frozenset(purposes)),
        "audit_rows_read": len(rows),
        "audit_rows_cut": len(rows) >= AUDIT_SCAN,
        "sensors": _sensors(storage, areas),
        "hotlists": _hotlists(storage, now),
        "retention": _retention(storage, now),
        "alerts": _alerts(storage, period),
        "audit_checkpoint": {
            "latest": _checkpoint(storage.audit.checkpoints()),
            "public_key_pem": public_key_pem,
            "how_to_verify": how_to_verify,
        },
    }


def _searches(
    rows: list[dict[str, Any]], period: Period, purposes: frozenset[str]
) -> dict[str, Any]:
    searches = [_public(r, purposes) for r in rows if r["action"] in SEARCH_ACTIONS and _counted(r)]
    partner = [_public(r, purposes) for r in rows if r["action"] == PARTNER_ACTION and _counted(r)]
    in_period = [r for r in searches if _within(r, period)]
    return {
        "suppressed_below": SUPPRESS_BELOW,
        "by_purpose": {
            "period": _by_purpose(in_period),
            "all_time": _by_purpose(searches),
        },
        "by_month": _by_month(in_period),
        "partner_requests": {
            "period": _by_purpose([r for r in partner if _within(r, period)]),
            "all_time": _by_purpose(partner),
        },
    }


def _counted(row: dict[str, Any]) -> bool:
    """Requests by signed-in people and partners; anonymous probes are not searches."""
    return bool(row["actor_kind"] != "anonymous")


def _public(row: dict[str, Any], purposes: frozenset[str]) -> dict[str, Any]:
    """Only what is counted: time, outcome and a purpose label from the configured list."""
    purpose = row["purpose"]
    label = purpose if purpose in purposes else UNLISTED_PURPOSE
    if purpose is None:
        label = NO_PURPOSE
    return {"at": row["at"], "outcome": row["outcome"], "purpose": label}


def _within(row: dict[str, Any], period: Period) -> bool:
    at = datetime.fromisoformat(row["at"])
    return period.since <= at <= period.until


def _by_purpose(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    tally: dict[str, list[int]] = {}
    for row in rows:
        cell = tally.setdefault(row["purpose"], [0, 0])
        cell[0 if row["outcome"] == "allow" else 1] += 1
    return [
        {"purpose": purpose, "allowed": allowed, "refused": refused}
        for purpose, (allowed, refused) in sorted(tally.items())
    ]


def _by_month(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    tally: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        key = (str(row["at"])[:7], row["purpose"])
        cell = tally.setdefault(key, [0, 0])
        cell[0 if row["outcome"] == "allow" else 1] += 1
    return [
        {"month": month, "purpose": purpose, "allowed": suppress(a), "refused": suppress(r)}
        for (month, purpose), (a, r) in sorted(tally.items())
    ]


def _sensors(storage: Storage, areas: AreaSet | None) -> dict[str, Any]:
    inventory = sensor_inventory(storage.events)
    by_area = None
    if areas is not None:
        figures = compute_fairness(areas, inventory.sensors, [])
        by_area = [
            {
                "name": a.name,
                "cameras": sum(a.cameras.values()),
                "lpr_readers": a.lpr_readers,
                "gunshot_sensors": a.gunshot_sensors,
                "sensors": a.sensors,
            }
            for a in figures.areas
        ]
    return {
        "by_type": inventory.by_kind(),
        "total": len(inventory.sensors),
        "by_neighbourhood": by_area,
        "reads_scanned": inventory.reads_scanned,
        "scan_limit": inventory.scan_limit,
    }


def _hotlists(storage: Storage, now: datetime) -> list[dict[str, Any]]:
    sizes = []
    for hotlist in storage.hotlists.lists():
        entries = storage.hotlists.entries(hotlist.name)
        sizes.append(
            {
                "name": hotlist.name,
                "source": hotlist.source,
                "active_entries": sum(1 for e in entries if e.active(now)),
                "pending_approval": sum(1 for e in entries if e.status == "pending"),
            }
        )
    return sizes


def _retention(storage: Storage, now: datetime) -> dict[str, Any]:
    certificates = [
        {
            "at": c["at"],
            "digest": c["digest"],
            "key_id": c.get("key_id"),
            "kinds": [
                {"kind": k["kind"], "purged": k["count"], "held": k.get("held", 0)}
                for k in c.get("kinds", [])
            ],
            "legal_holds": len(c.get("legal_holds", [])),
        }
        for c in storage.retention.certificates(5)
    ]
    return {
        "intel_records_overdue_for_review": storage.intel.overdue(now),
        "purge_certificates": certificates,
        "purge_note": None if certificates else "retention purge certificates: none recorded",
    }


def _alerts(storage: Storage, period: Period) -> dict[str, Any]:
    found, cut = alerts_since(storage.events, period.since, period.until)
    by_rule = count_by([a.rule for a in found])
    by_sensor = count_by([sensor_of(a.rule) for a in found])
    outcomes: dict[str, list[str]] = {}
    for rule, disposition in storage.alert_states.outcomes(period.since):
        outcomes.setdefault(sensor_of(rule), []).append(disposition)
    table = []
    for sensor, dispositions in sorted(outcomes.items()):
        right, wrong, share = precision(dispositions)
        table.append(
            {
                "sensor_type": sensor,
                "closed": len(dispositions),
                "right": right,
                "wrong": wrong,
                "precision": round(share, 3) if share is not None else None,
            }
        )
    return {
        "by_rule": by_rule,
        "by_sensor_type": by_sensor,
        "total": len(found),
        "scan_cut": cut,
        "precision": table,
        "precision_note": PRECISION_NOTE,
    }


def _checkpoint(signed: list[AuditCheckpoint]) -> dict[str, Any] | None:
    if not signed:
        return None
    latest = signed[-1]
    return {name: getattr(latest, name) for name in AuditCheckpoint.__slots__}
