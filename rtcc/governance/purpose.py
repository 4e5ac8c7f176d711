"""A stated purpose for every sensitive action, from a configured list, kept in the audit.

Sensitive actions (plate search, viewing an integrated private camera, …) name why
they are done: a purpose the agency has approved and, where its policy says so, the
case or incident number. The decision point refuses an action without one and writes
both into the audit record, so the transparency report can count searches by purpose.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from rtcc.governance.roles import Permission

#: Permissions whose every use must state a purpose.
PURPOSE_REQUIRED: frozenset[Permission] = frozenset(
    {Permission.LPR_SEARCH, Permission.PRIVATE_CAMERA_VIEW, Permission.DATA_EXPORT}
)

PurposeCode = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
]
CaseNumber = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]*$"),
]


class Purpose(BaseModel):
    """One purpose the agency allows, and whether it must name a case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: PurposeCode
    label: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    case_required: bool = True


class PurposeStatement(BaseModel):
    """What a user states when they run a sensitive action (the request carries it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    purpose: PurposeCode = Field(description="a code from the configured purpose list")
    case_number: CaseNumber | None = Field(
        None, description="case or incident number; required when the purpose says so"
    )


DEFAULT_PURPOSES: tuple[Purpose, ...] = (
    Purpose(code="criminal_investigation", label="Investigation of a specific crime"),
    Purpose(code="crime_in_progress", label="Crime in progress (exigent)", case_required=False),
    Purpose(code="stolen_vehicle", label="Stolen vehicle or plate"),
    Purpose(code="missing_person", label="Missing or endangered person (AMBER/Silver)"),
    Purpose(code="wanted_person", label="Wanted person (warrant)"),
    Purpose(code="officer_safety", label="Officer safety", case_required=False),
)


def check_purpose(
    statement: PurposeStatement | None, allowed: tuple[Purpose, ...]
) -> tuple[bool, str]:
    """(accepted, reason): is the statement a configured purpose with what it needs?"""
    if statement is None:
        return False, "purpose required: state a purpose from the configured list"
    by_code = {p.code: p for p in allowed}
    purpose = by_code.get(statement.purpose)
    if purpose is None:
        known = ", ".join(sorted(by_code)) or "none configured"
        return False, f"purpose {statement.purpose!r} is not in the configured list ({known})"
    if purpose.case_required and not statement.case_number:
        return False, f"purpose {purpose.code} requires a case number"
    case = f", case {statement.case_number}" if statement.case_number else ""
    return True, f"purpose {purpose.code}{case}"
