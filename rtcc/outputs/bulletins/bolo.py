"""What a BOLO (be on the lookout) says: who or what, why, the case and whom to call."""

from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from rtcc.governance.purpose import CaseNumber

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Bolo(BaseModel):
    """The body of `POST /api/v1/bulletins/bolo`: strict, so a typo is a 422 naming the field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Short = Field(description="the headline, e.g. 'Armed robbery suspect'")
    kind: Literal["person", "vehicle", "person_and_vehicle"] = "person_and_vehicle"
    subject: Text | None = Field(None, description="who: description, name if known")
    vehicle: Text | None = Field(None, description="make, model, colour, marks")
    plate: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,10}$")] | None = None
    plate_state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    photo_ref: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="where the photo is kept (evidence or image id); printed, not fetched"
    )
    reason: Text = Field(description="why officers should look out")
    caution: Short | None = Field(None, description="e.g. 'armed, do not approach alone'")
    case_number: CaseNumber
    contact: Short = Field(description="whom to call on sight, with a number")
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _says_what_to_look_for(self) -> Self:
        if not (self.subject or self.vehicle or self.plate):
            raise ValueError("subject: give a subject, a vehicle or a plate to look out for")
        if self.plate_state and not self.plate:
            raise ValueError("plate_state: given without a plate")
        return self
