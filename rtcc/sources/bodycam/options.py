"""Options of one body-worn camera webhook (strict: unknown keys are refused)."""

from typing import Annotated

from pydantic import Field, StringConstraints

from rtcc.sources.base import AdapterOptions


class BodycamOptions(AdapterOptions):
    """`id_prefix` goes before every device serial (e.g. `axon:`), so two vendors' serials
    never collide; `fov_deg`/`range_m`, when set, are sent with every status (else the
    payload's defaults apply)."""

    id_prefix: Annotated[str, StringConstraints(max_length=24, pattern=r"^[A-Za-z0-9_.:\-]*$")] = ""
    fov_deg: Annotated[float, Field(gt=0, le=360)] | None = None
    range_m: Annotated[float, Field(gt=0, le=2_000)] | None = None
