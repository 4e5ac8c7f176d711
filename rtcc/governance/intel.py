"""Criminal intelligence records under 28 CFR Part 23: what may be kept, how long, for whom.

The regulation's operating principles (28 CFR 23.20), as rules a record must pass:

* (a) collect only with a criminal predicate: reasonable suspicion that the subject is
  involved in criminal conduct, and information relevant to it.
* (b) no information about political, religious or social views, associations or
  activities unless it directly relates to the criminal conduct.
* (e), (f) release only to law enforcement with a need to know and a right to know;
  (g) keep a record of who received it, why and when.
* (h) review and validate within five years, recording reviewer, date and reason to
  keep, or purge.

Submission criteria from BJA's guidance add an evaluation of the source's reliability
and the content's validity (the 4 x 4 grading). Every refusal names the rule.
"""

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RETENTION = timedelta(days=5 * 365 + 1)  # five years, leap day included

RULE_PREDICATE = "28 CFR 23.20(a)"
RULE_PROTECTED = "28 CFR 23.20(b)"
RULE_EVALUATION = "28 CFR Part 23 submission criteria"
RULE_DISSEMINATION = "28 CFR 23.20(e)-(f)"
RULE_RETENTION = "28 CFR 23.20(h)"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

SourceReliability = Literal["reliable", "usually_reliable", "unreliable", "unknown"]
ContentValidity = Literal["confirmed", "probably_true", "doubtfully_true", "cannot_be_judged"]

Offense = Literal[
    "homicide",
    "assault",
    "robbery",
    "burglary",
    "motor_vehicle_theft",
    "weapons",
    "narcotics",
    "human_trafficking",
    "fraud",
    "gang_activity",
    "terrorism",
    "organized_crime",
    "other_felony",
]


class IntelRefused(ValueError):
    """A record or a dissemination that the regulation does not allow; names the rule."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.field = field
        self.message = message


class CriminalPredicate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    offense: Offense
    reasonable_suspicion: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=4000)
    ] = Field(description="the articulable facts that give reasonable suspicion")


class ProtectedInformation(BaseModel):
    """Political, religious or social views/associations: only with a direct criminal nexus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Literal["political", "religious", "social"]
    information: Text
    criminal_nexus: Text | None = Field(
        None, description="how it directly relates to the criminal conduct"
    )


class IntelRecordIn(BaseModel):
    """What a submitter sends; `check_intel_record` then applies the regulation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Line = Field(description="who or what the record is about")
    summary: Text
    criminal_predicate: CriminalPredicate | None = None
    source_reliability: SourceReliability | None = None
    content_validity: ContentValidity | None = None
    protected_information: list[ProtectedInformation] = Field(default_factory=list, max_length=20)
    case_number: Line | None = None


def check_intel_record(record: IntelRecordIn) -> None:
    """Raise `IntelRefused` naming the first rule the record breaks."""
    if record.criminal_predicate is None:
        raise IntelRefused(
            RULE_PREDICATE,
            "criminal_predicate",
            "a criminal predicate is required: reasonable suspicion that the subject is "
            "involved in definable criminal conduct",
        )
    if record.source_reliability is None or record.content_validity is None:
        missing = "source_reliability" if record.source_reliability is None else "content_validity"
        raise IntelRefused(
            RULE_EVALUATION, missing, f"{missing} must be evaluated when the record is submitted"
        )
    for index, item in enumerate(record.protected_information):
        if item.criminal_nexus is None:
            raise IntelRefused(
                RULE_PROTECTED,
                f"protected_information[{index}].criminal_nexus",
                f"{item.category} views, associations or activities may not be kept unless "
                "they directly relate to the criminal conduct: state the nexus or leave it out",
            )


class Dissemination(BaseModel):
    """One release of a record outside the submitting unit: who received it and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recipient: Line
    recipient_agency: Line
    recipient_is_law_enforcement: bool
    need_to_know: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)]
    right_to_know: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5)] = Field(
        description="the recipient's authority (e.g. sworn officer, task force member)"
    )


def check_dissemination(release: Dissemination) -> None:
    if not release.recipient_is_law_enforcement:
        raise IntelRefused(
            RULE_DISSEMINATION,
            "recipient_is_law_enforcement",
            "criminal intelligence goes only to law enforcement with a need and right to know",
        )


def review_due(validated_at: datetime) -> datetime:
    """When a record must have been revalidated, or be purged."""
    return validated_at + RETENTION
