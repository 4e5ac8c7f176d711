"""The purge job: delete what the retention policy says has expired, and certify it.

For each rule, data older than `keep_days` is deleted from its table and from
everything derived from it (spatial indexes, live state, the plate index), except what
a live legal hold keeps. Plate reads that hit a hotlist are kept with their hit (kind
`lpr_hit`), not as plain reads; each camera's current status stays (only its history
goes). The run ends with a **purge certificate** (what kinds, how many, which time range,
a SHA-256 of the deleted ids), signed with the agency's audit key and noted in the audit
trail. An alarm fires when no purge ran for too long.
"""

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rtcc.core.alerts import Alert
from rtcc.core.clock import iso, utcnow
from rtcc.governance.audit_checkpoints import key_id
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.intel import RULE_RETENTION
from rtcc.governance.retention_policy import RetentionPolicy
from rtcc.storage.base import IntelStore, PurgedKind, RetentionStore, Storage

EVENT_KINDS = frozenset(
    {"cad_incident", "caller_location", "unit_position", "lpr_read", "gunshot", "camera_status"}
)
TABLE_KINDS = frozenset({"alerts", "dead_letters", "video"})


def run_purge(
    storage: Storage,
    decisions: DecisionPoint,
    policy: RetentionPolicy,
    key: Ed25519PrivateKey,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Purge every kind the policy names; return the signed certificate (also stored)."""
    now = now or utcnow()
    retention = storage.retention
    holds = retention.holds()
    held = retention.held_event_ids(holds)
    purged: list[PurgedKind] = []
    for rule in policy.rules:
        cutoff = now - timedelta(days=rule.keep_days)
        if rule.kind in EVENT_KINDS:
            purged.append(
                retention.purge_events(rule.kind, cutoff, _kept(retention, rule.kind, held))
            )
        elif rule.kind == "lpr_hit":
            purged.append(retention.purge_hits(cutoff, held))
        elif rule.kind in TABLE_KINDS:
            purged.append(retention.purge_table(rule.kind, cutoff))
        # "audit": a minimum; the chain is never shortened, so nothing is deleted.
    retention.compact()
    certificate = _certificate(now, policy, purged, [h.case_number for h in holds], key)
    certificate_id = retention.add_certificate(certificate)
    total = sum(p.count for p in purged)
    decisions.record_system_action(
        "retention.purge",
        f"certificate:{certificate_id}",
        f"purged {total} records of {len(purged)} kinds; digest {certificate['digest']}",
    )
    return {"id": certificate_id, **certificate}


def _kept(retention: RetentionStore, kind: str, held: frozenset[str]) -> frozenset[str]:
    """Expired events that stay: held ones; reads that hit a hotlist (they go with their
    hit); each camera's current status, which is its place in the registry, not history (a
    fixed camera may report once a year, and must not leave the map for it)."""
    if kind == "lpr_read":
        return held | retention.hit_event_ids()
    if kind == "camera_status":
        return held | retention.live_state_event_ids("camera")
    return held


def _certificate(
    now: datetime,
    policy: RetentionPolicy,
    purged: list[PurgedKind],
    holds: list[str],
    key: Ed25519PrivateKey,
) -> dict[str, Any]:
    body = {
        "at": iso(now),
        "policy": policy.source,
        "rules": {r.kind: r.keep_days for r in policy.rules},
        "kinds": [{name: getattr(p, name) for name in PurgedKind.__slots__} for p in purged],
        "legal_holds": sorted(holds),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return {
        **body,
        "digest": digest,
        "key_id": key_id(key.public_key()),
        "signature": key.sign(bytes.fromhex(digest)).hex(),
    }


def overdue_alert(storage: Storage, every_hours: float, started: datetime) -> Alert | None:
    """An alarm when the last purge is older than twice the interval (or none ran since
    the server has been up that long)."""
    now = utcnow()
    latest = storage.retention.certificates(1)
    since = datetime.fromisoformat(latest[0]["at"]) if latest else started
    late = now - since
    if late <= timedelta(hours=2 * every_hours):
        return None
    last = f"last purge {latest[0]['at']}" if latest else "no purge has run"
    return Alert(
        id=uuid.uuid4().hex,
        rule="retention_overdue",
        created_at=now,
        severity="warning",
        title=f"Retention purge overdue: {last} ({late.total_seconds() / 3600:.0f} h ago)",
        event_id="",
        location=None,
        detail={"last_purge": latest[0]["at"] if latest else None, "every_hours": every_hours},
    )


def purge_expired_intel(
    intel: IntelStore, decisions: DecisionPoint, now: datetime | None = None
) -> list[str]:
    """Delete every record past its 5-year review date, and say so in the audit trail."""
    purged = intel.purge_due(now or utcnow())
    if purged:
        decisions.record_system_action(
            "intel.purge",
            f"intel:{len(purged)} records",
            f"{RULE_RETENTION}: not revalidated within five years; ids {', '.join(purged)}",
        )
    return purged
