"""Who may see a hit: pending ones only those who confirm, decided ones by outcome.

A pending hit's alert carries `detail.audience` (a permission); every place that shows
alerts to people (the live websocket, the alerts API, the snapshot) filters with
`visible_alerts`, so an officer never sees a hit an analyst has not confirmed.
"""

from collections.abc import Iterable
from typing import Any

from rtcc.analysis.hotlists.models import HitStatus
from rtcc.governance.roles import Permission, Role, permissions_of

AUDIENCE_KEY = "audience"


def hit_permission(status: HitStatus) -> Permission:
    """Confirmed hits go to everyone who sees alerts; pending and dismissed ones to confirmers."""
    return Permission.ALERTS_VIEW if status == "confirmed" else Permission.LPR_HITS_CONFIRM


def granted(role: Role | None) -> frozenset[Permission]:
    return permissions_of(role) if role is not None else frozenset()


def alert_visible(alert: dict[str, Any], permissions: frozenset[Permission]) -> bool:
    audience = (alert.get("detail") or {}).get(AUDIENCE_KEY)
    return audience is None or audience in permissions


def visible_alerts(
    alerts: Iterable[dict[str, Any]], permissions: frozenset[Permission]
) -> list[dict[str, Any]]:
    return [alert for alert in alerts if alert_visible(alert, permissions)]


def redact_device_flag(event: dict[str, Any], permissions: frozenset[Permission]) -> dict[str, Any]:
    """A reader's on-device hotlist flag is an unconfirmed hit: hidden from non-confirmers."""
    payload = event.get("payload") or {}
    if Permission.LPR_HITS_CONFIRM in permissions or not payload.get("hotlist"):
        return event
    return {**event, "payload": {**payload, "hotlist": None}}
