"""The one decision point: every protected action is decided and audited here."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rtcc.core.clock import iso, utcnow
from rtcc.governance.identity import Principal
from rtcc.governance.purpose import (
    DEFAULT_PURPOSES,
    PURPOSE_REQUIRED,
    Purpose,
    PurposeStatement,
    check_purpose,
)
from rtcc.governance.roles import Permission, permissions_of
from rtcc.storage.base import AuditRecord, AuditStore


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    field: str = "authorization"  # what the caller must change: "purpose" when it was that


class DecisionPoint:
    """Decides allow/deny with a reason and writes the audit record for it.

    Route handlers never write audit rows; they only ever see the decision.
    """

    def __init__(self, audit: AuditStore, purposes: tuple[Purpose, ...] = DEFAULT_PURPOSES) -> None:
        self._audit = audit
        self.purposes = purposes

    def decide(
        self,
        principal: Principal,
        permission: Permission,
        resource: str,
        purpose: PurposeStatement | None = None,
        attributes: Callable[[], Decision] | None = None,
    ) -> Decision:
        """Allow or deny, with the reason: the role first, then a purpose for sensitive
        permissions, then `attributes` (a share's scope, a grant's window) if given."""
        decision = self._evaluate(principal, permission)
        if decision.allowed and permission in PURPOSE_REQUIRED:
            stated, why = check_purpose(purpose, self.purposes)
            field = "authorization" if stated else "purpose"
            decision = Decision(stated, f"{decision.reason}; {why}", field)
        if decision.allowed and attributes is not None:
            scoped = attributes()
            decision = Decision(scoped.allowed, f"{decision.reason}; {scoped.reason}", scoped.field)
        self._audit.append(
            AuditRecord(
                at=utcnow(),
                actor=principal.name,
                actor_kind=principal.kind,
                role=principal.role_name,
                action=permission.value,
                resource=resource,
                outcome="allow" if decision.allowed else "deny",
                reason=decision.reason,
                purpose=purpose.purpose if purpose else None,
                case_number=purpose.case_number if purpose else None,
            )
        )
        return decision

    def record_login(
        self,
        username: str,
        success: bool,
        reason: str,
        *,
        code: str | None = None,
        locked_until: datetime | None = None,
    ) -> None:
        """Logins are decisions too: who tried, whether it worked and why not (`code`).

        When this failure locked the account, the lock is recorded as its own row.
        """
        outcome = "allow" if success else "deny"
        self._account_event(
            username, "auth.login", "session", outcome, f"{code}: {reason}" if code else reason
        )
        if locked_until is not None:
            why = f"locked: too many failed logins; locked until {iso(locked_until)}"
            self._account_event(username, "auth.lock", f"user:{username}", "deny", why)

    def record_system_action(self, action: str, resource: str, reason: str) -> None:
        """What the system did on its own (a purge, a signed checkpoint), in the same trail."""
        self._audit.append(
            AuditRecord(
                at=utcnow(),
                actor="system",
                actor_kind="system",
                role="none",
                action=action,
                resource=resource,
                outcome="allow",
                reason=reason,
            )
        )

    def _account_event(
        self, username: str, action: str, resource: str, outcome: str, reason: str
    ) -> None:
        """An audit row about a person's account, before any role is known."""
        self._audit.append(
            AuditRecord(
                at=utcnow(),
                actor=username,
                actor_kind="user",
                role="none",
                action=action,
                resource=resource,
                outcome=outcome,
                reason=reason,
            )
        )

    @staticmethod
    def _evaluate(principal: Principal, permission: Permission) -> Decision:
        if principal.role is None:
            return Decision(False, "not authenticated")
        if permission in permissions_of(principal.role):
            return Decision(True, f"role {principal.role.value} grants {permission.value}")
        return Decision(False, f"role {principal.role.value} lacks {permission.value}")
