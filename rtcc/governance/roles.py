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
    # Sensitive: each use states a purpose (rtcc.governance.purpose).
    LPR_SEARCH = "lpr.search"
    PRIVATE_CAMERA_VIEW = "cameras.private.view"
    # Hotlists: keeping lists, approving a colleague's custom entries, confirming hits.
    HOTLISTS_MANAGE = "hotlists.manage"
    HOTLISTS_APPROVE = "hotlists.approve"
    LPR_HITS_CONFIRM = "lpr.hits.confirm"
    # Time-boxed access to an integrated private camera, tied to an incident or case.
    CAMERA_GRANTS_MANAGE = "cameras.grants.manage"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    OFFICER = "officer"
    AUDITOR = "auditor"
    SOURCE = "source"


P = Permission
# What RTCC analysts and their supervisors do with plates and cameras; officers receive
# the confirmed results, they do not search or grant.
_INVESTIGATION = (
    P.LPR_SEARCH,
    P.PRIVATE_CAMERA_VIEW,
    P.HOTLISTS_MANAGE,
    P.HOTLISTS_APPROVE,
    P.LPR_HITS_CONFIRM,
    P.CAMERA_GRANTS_MANAGE,
)
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
        {
            P.WALL_VIEW,
            P.ALERTS_VIEW,
            P.AUDIT_READ,
            P.GEOFENCES_MANAGE,
            P.DFR_VIEW,
            *_INVESTIGATION,
        }
    ),
    Role.ANALYST: frozenset(
        {P.WALL_VIEW, P.ALERTS_VIEW, P.GEOFENCES_MANAGE, P.DFR_VIEW, *_INVESTIGATION}
    ),
    Role.OFFICER: frozenset({P.WALL_VIEW, P.ALERTS_VIEW, P.GEOFENCES_MANAGE, P.DFR_VIEW}),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    Role.SOURCE: frozenset({P.EVENTS_INGEST}),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())
