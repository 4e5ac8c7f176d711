"""The four-eyes rules for custom entries and the confirm-first rule for hits."""

from rtcc.analysis.hotlists.models import Hit, HotlistEntry, HotlistError


def check_entry_decision(entry: HotlistEntry, by: str, approve: bool, reason: str | None) -> None:
    """A second person decides a pending custom entry; a rejection says why."""
    if entry.status != "pending":
        raise HotlistError("entry", f"already {entry.status} by {entry.decided_by}")
    if by == entry.added_by:
        raise HotlistError("approved_by", "the person who added an entry cannot approve it")
    if not approve and not (reason and reason.strip()):
        raise HotlistError("reason", "a rejection needs a reason")


def check_hit_decision(hit: Hit, confirm: bool, reason: str | None) -> None:
    """Only a pending hit is decided, once; a dismissal says why."""
    if hit.status != "pending":
        raise HotlistError("hit", f"already {hit.status} by {hit.decided_by}")
    if not confirm and not (reason and reason.strip()):
        raise HotlistError("reason", "a dismissal needs a reason")
