"""Attributes beside the role: which camera groups a person may open.

Some cameras are shared on terms: a school district's cameras for the school resource
officers, a transit agency's for the transit unit. A camera may carry a `group`; a person
opens a grouped camera's stream only if that group is among their `camera_groups`
(set by an administrator: `rtcc users attributes`). Ungrouped cameras are open to every
role that may open cameras. Everyone still sees where cameras are on the map.
"""

from typing import Any

from rtcc.governance.authz import Decision
from rtcc.governance.identity import Principal


def camera_access(principal: Principal, camera: dict[str, Any]) -> Decision:
    """May this person open this camera (its payload, as the live state holds it)?"""
    group = camera.get("group")
    if not group:
        return Decision(True, "camera is in no restricted group")
    if group in principal.camera_groups:
        return Decision(True, f"camera group {group} granted")
    held = ", ".join(sorted(principal.camera_groups)) or "none"
    return Decision(False, f"camera group {group} not granted (granted: {held})", "camera_group")


def without_stream(event: dict[str, Any]) -> dict[str, Any]:
    """A camera event as the map shows it: where it looks, not how to open it."""
    payload = event.get("payload") or {}
    if "stream_url" not in payload:
        return event
    return {**event, "payload": {k: v for k, v in payload.items() if k != "stream_url"}}
