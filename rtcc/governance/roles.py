"""Roles and the permissions each one grants (least privilege: nothing by default)."""

from enum import StrEnum


class Permission(StrEnum):
    EVENTS_INGEST = "events.ingest"
    WALL_VIEW = "wall.view"
    ALERTS_VIEW = "alerts.view"
    ALERTS_ASSIGN = "alerts.assign"  # give an alert to a unit or a person
    CAMERAS_OPEN = "cameras.open"  # a camera's stream (and its group, an attribute)
    DATA_EXPORT = "data.export"  # a document out of the system (lead summary PDF): purpose-bound
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
    # The review queue of flagged patterns of use (misuse detection).
    MISUSE_REVIEW = "misuse.review"
    # Criminal intelligence (28 CFR Part 23): read and release, submit, review or purge.
    INTEL_READ = "intel.read"
    INTEL_SUBMIT = "intel.submit"
    INTEL_REVIEW = "intel.review"
    # Sharing with partner agencies: granting shares, and a partner's own signed requests.
    SHARING_MANAGE = "sharing.manage"
    PARTNER_READ = "partner.read"
    # Retention: legal holds, purge runs and their certificates.
    RETENTION_MANAGE = "retention.manage"
    # Output channels: send a dead-lettered alert again once the far end is fixed.
    OUTPUTS_MANAGE = "outputs.manage"
    PLAYBOOKS_MANAGE = "playbooks.manage"  # reload the playbooks folder
    # The live latency page: per-hop delays per feed, rule and output channel.
    LATENCY_VIEW = "latency.view"


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    OFFICER = "officer"
    AUDITOR = "auditor"
    SOURCE = "source"
    PARTNER = "partner"  # another agency's system, signing its requests (never a login)


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
    P.INTEL_READ,
    P.INTEL_SUBMIT,
    P.DATA_EXPORT,
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
            P.RETENTION_MANAGE,
            P.OUTPUTS_MANAGE,
            P.PLAYBOOKS_MANAGE,
            P.LATENCY_VIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            P.WALL_VIEW,
            P.ALERTS_VIEW,
            P.ALERTS_ASSIGN,
            P.CAMERAS_OPEN,
            P.AUDIT_READ,
            P.GEOFENCES_MANAGE,
            P.DFR_VIEW,
            P.MISUSE_REVIEW,
            P.INTEL_REVIEW,
            P.SHARING_MANAGE,
            P.RETENTION_MANAGE,
            P.LATENCY_VIEW,
            *_INVESTIGATION,
        }
    ),
    Role.ANALYST: frozenset(
        {
            P.WALL_VIEW,
            P.ALERTS_VIEW,
            P.ALERTS_ASSIGN,
            P.CAMERAS_OPEN,
            P.GEOFENCES_MANAGE,
            P.DFR_VIEW,
            *_INVESTIGATION,
        }
    ),
    Role.OFFICER: frozenset(
        {P.WALL_VIEW, P.ALERTS_VIEW, P.GEOFENCES_MANAGE, P.DFR_VIEW, P.CAMERAS_OPEN, P.DATA_EXPORT}
    ),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    Role.SOURCE: frozenset({P.EVENTS_INGEST}),
    Role.PARTNER: frozenset({P.PARTNER_READ}),
}


#: Roles a person's account may have; sources and partners are machines with keys.
PEOPLE_ROLES: frozenset[Role] = frozenset(Role) - {Role.SOURCE, Role.PARTNER}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())
