"""Roles and the permissions each one grants (least privilege: nothing by default)."""

from enum import StrEnum


class Permission(StrEnum):
    EVENTS_INGEST = "events.ingest"
    WALL_VIEW = "wall.view"
    ALERTS_VIEW = "alerts.view"
    ADMIN_VIEW = "admin.view"
    SOURCES_MANAGE = "sources.manage"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"
    GEOFENCES_MANAGE = "geofences.manage"
    DFR_VIEW = "dfr.view"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    OFFICER = "officer"
    AUDITOR = "auditor"
    SOURCE = "source"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # An admin runs the system; it does not feed it, so no EVENTS_INGEST.
    Role.ADMIN: frozenset(
        {
            P.WALL_VIEW,
            P.ALERTS_VIEW,
            P.ADMIN_VIEW,
            P.SOURCES_MANAGE,
            P.USERS_MANAGE,
            P.AUDIT_READ,
            P.GEOFENCES_MANAGE,
            P.DFR_VIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {P.WALL_VIEW, P.ALERTS_VIEW, P.AUDIT_READ, P.GEOFENCES_MANAGE, P.DFR_VIEW}
    ),
    Role.ANALYST: frozenset({P.WALL_VIEW, P.ALERTS_VIEW, P.GEOFENCES_MANAGE, P.DFR_VIEW}),
    Role.OFFICER: frozenset({P.WALL_VIEW, P.ALERTS_VIEW, P.GEOFENCES_MANAGE, P.DFR_VIEW}),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    Role.SOURCE: frozenset({P.EVENTS_INGEST}),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())
