"""An alert's life: new → acknowledged → assigned → closed, with who and when, and a
disposition on close so each sensor type's precision can be computed from real outcomes.

Transitions only move forward (an alert may skip a step: a supervisor can assign a new
alert directly, an officer can close an acknowledged one); a closed alert stays closed.
"""

from typing import Literal

Status = Literal["new", "acknowledged", "assigned", "closed"]
Disposition = Literal[
    "confirmed",  # it happened as alerted (a shooting, the stolen car)
    "arrest",
    "report_taken",
    "no_evidence_found",
    "unfounded",  # a false alarm: fireworks, a misread plate
    "duplicate",
    "other",
]
ORDER: dict[Status, int] = {"new": 0, "acknowledged": 1, "assigned": 2, "closed": 3}
TRUE_POSITIVE: frozenset[str] = frozenset({"confirmed", "arrest", "report_taken"})
FALSE_POSITIVE: frozenset[str] = frozenset({"no_evidence_found", "unfounded"})

#: Which sensor an alert's rule speaks for (the transparency report's precision table).
SENSOR_OF_RULE: dict[str, str] = {
    "gunshot_nearby": "gunshot detection",
    "gunshot_incident": "gunshot detection",
    "hotlist_match": "plate reader",
    "lpr_hotlist": "plate reader",
    "hotlist_hit_confirmed": "plate reader",
    "caller_in_geofence": "911 caller location",
}


class TransitionRefused(ValueError):
    """A move the lifecycle does not allow, with the reason."""


def check_transition(current: Status, target: Status, disposition: str | None) -> None:
    if current == "closed":
        raise TransitionRefused("the alert is closed")
    if ORDER[target] <= ORDER[current]:
        raise TransitionRefused(f"the alert is already {current}")
    if target == "closed" and disposition is None:
        raise TransitionRefused("closing needs a disposition")


def sensor_of(rule: str) -> str:
    return SENSOR_OF_RULE.get(rule, rule.replace("_", " "))


def precision(dispositions: list[str]) -> tuple[int, int, float | None]:
    """(true positives, false positives, precision) over closed alerts of one sensor;
    duplicates and 'other' count for neither; None when nothing was judged."""
    true = sum(1 for d in dispositions if d in TRUE_POSITIVE)
    false = sum(1 for d in dispositions if d in FALSE_POSITIVE)
    judged = true + false
    return true, false, (true / judged if judged else None)
