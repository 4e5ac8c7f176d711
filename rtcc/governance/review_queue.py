"""Runs misuse detection over the audit trail and queues what it finds for a supervisor."""

from datetime import datetime, timedelta

from rtcc.core.clock import utcnow
from rtcc.governance.misuse import MisuseRules, SearchRecord, detect
from rtcc.governance.purpose import PURPOSE_REQUIRED
from rtcc.storage.base import AuditStore, ReviewStore


def run_detection(
    audit: AuditStore, reviews: ReviewStore, rules: MisuseRules, now: datetime | None = None
) -> int:
    """Queue every new flag; returns how many were new (re-running queues nothing twice)."""
    now = now or utcnow()
    since = now - timedelta(days=max(rules.baseline_days + 1, rules.repeat_window_days))
    rows = audit.allowed_since(sorted(p.value for p in PURPOSE_REQUIRED), since)
    records = [
        SearchRecord(
            seq=int(row["seq"]),
            at=datetime.fromisoformat(row["at"]),
            actor=row["actor"],
            action=row["action"],
            resource=row["resource"],
            purpose=row["purpose"],
            case_number=row["case_number"],
        )
        for row in rows
    ]
    new = 0
    for flag in detect(records, now, rules):
        new += reviews.add_flag(
            flag.key,
            flag.actor,
            flag.rule,
            flag.detail,
            flag.first_at,
            flag.last_at,
            flag.audit_seqs,
        )
    return new
