"""The playbook file format: one validated pydantic model, published as a JSON schema.

A playbook says when it fires (a trigger: an event kind or a built-in rule's alert, plus
field tests), what it looks up around the spot (correlate), whether that is enough
(condition) and what it does (actions), with its own test cases.
"""

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from jinja2 import TemplateSyntaxError
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from rtcc.core.events import EventKind
from rtcc.pipeline.playbooks.template import check_expression, check_template

DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
BUILTIN_RULES = frozenset(
    {
        "gunshot_nearby",
        "hotlist_match",
        "lpr_hotlist",
        "caller_in_geofence",
        "hotlist_hit_confirmed",
    }
)


def _duration(value: object) -> object:
    """'90s', '10m', '24h', '7d' → timedelta; anything else is refused with the format."""
    if isinstance(value, timedelta):
        return value
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("must be a duration like '30s', '10m', '24h' or '7d'")
    return timedelta(seconds=float(match.group(1)) * _UNIT_S[match.group(2)])


def _duration_text(value: timedelta) -> str:
    return f"{value.total_seconds():g}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(_duration_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION.pattern}),
]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
FieldPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")]
Scalar = str | int | float | bool
Radius = Annotated[float, Field(gt=0, le=50_000, description="metres")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FieldTest(_Strict):
    """One comparison on the trigger, e.g. {field: payload.rounds, gte: 3}: exactly one op."""

    field: FieldPath = Field(description="dotted path: payload.rounds, detail.hit.list_name…")
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(None, alias="in")
    gte: float | None = None
    lte: float | None = None
    matches: str | None = Field(None, description="a Python regular expression (search)")

    @field_validator("matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> "FieldTest":
        ops = [
            n for n in ("equals", "in_", "gte", "lte", "matches") if getattr(self, n) is not None
        ]
        if len(ops) != 1:
            raise ValueError("give exactly one of equals, in, gte, lte, matches")
        return self


class Trigger(_Strict):
    """What starts the playbook: a new event of a kind, or an alert of a built-in rule."""

    event: EventKind | None = Field(None, description="an event kind, e.g. gunshot")
    alert: Name | None = Field(None, description="a built-in rule's alert, e.g. gunshot_nearby")
    where: list[FieldTest] = Field(default_factory=list, description="all must hold")
    inside_geofence: bool = Field(False, description="only when the point is in a geofence")

    @model_validator(mode="after")
    def _one_source(self) -> "Trigger":
        if (self.event is None) == (self.alert is None):
            raise ValueError("give exactly one of event or alert")
        if self.alert is not None and self.alert not in BUILTIN_RULES:
            raise ValueError(f"alert must be one of {', '.join(sorted(BUILTIN_RULES))}")
        return self


class CamerasThatSee(_Strict):
    count: int = Field(4, ge=1, le=50)
    radius_m: Radius = 1000.0


class PlateReads(_Strict):
    window: Duration = Field("10m", validate_default=True, description="either side of the trigger")
    radius_m: Radius = 1000.0
    limit: int = Field(50, ge=1, le=500)


UnitStatus = Literal["available", "enroute", "on_scene", "busy", "out_of_service"]


def _in_service() -> list[UnitStatus]:
    return ["available", "enroute", "on_scene"]


class Units(_Strict):
    radius_m: Radius = 1000.0
    statuses: list[UnitStatus] = Field(default_factory=_in_service)


class PriorIncidents(_Strict):
    window: Duration = Field("30d", validate_default=True, description="before the trigger")
    radius_m: Radius = 200.0
    call_types: list[str] = Field(default_factory=list, description="empty: every call type")


class SameAddressCalls(_Strict):
    window: Duration = Field(
        "24h", validate_default=True, description="before the trigger, inclusive"
    )
    min_count: int = Field(1, ge=1, le=1000, description="fewer: the playbook does not fire")
    radius_m: Radius = Field(250.0, description="search radius around the address's point")


class Correlate(_Strict):
    """Lookups around the trigger's point; each result is named after its lookup."""

    cameras_that_see: CamerasThatSee | None = None
    plate_reads: PlateReads | None = None
    units: Units | None = None
    prior_incidents: PriorIncidents | None = None
    same_address_calls: SameAddressCalls | None = None


class AlertAction(_Strict):
    severity: Literal["info", "warning", "critical"] = "warning"
    title: str = Field(min_length=1, max_length=500, description="sandboxed Jinja2 template")
    mode: Literal["new", "annotate"] = Field(
        "new", description="annotate: add to the triggering built-in alert instead of a new one"
    )

    @field_validator("title")
    @classmethod
    def _template(cls, value: str) -> str:
        return _checked(check_template, value)


class Throttle(_Strict):
    per: Duration = Field("10m", validate_default=True, description="the sliding window")
    max_alerts: int = Field(10, ge=1, le=10_000, description="per playbook per window")
    area_max_alerts: int | None = Field(None, ge=1, le=10_000, description="per H3 cell")
    area_resolution: int = Field(8, ge=0, le=15, description="H3 resolution (8 ≈ 0.7 km²)")


class Actions(_Strict):
    alert: AlertAction
    dock_cameras: bool = Field(False, description="list the docked cameras and PTZ slews")
    notify: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = Field(
        None, description="output channel names; absent: every channel"
    )
    suggest_drone: bool = Field(False, description="add the DFR recommendation for the point")
    group_by: str | None = Field(None, description="template of the group key, e.g. an address")
    dedupe_window: Duration | None = Field(None, description="one alert per group per window")
    throttle: Throttle | None = None

    @field_validator("group_by")
    @classmethod
    def _group_template(cls, value: str | None) -> str | None:
        return None if value is None else _checked(check_template, value)


class ExpectedResult(_Strict):
    alerts: int = Field(ge=0, description="alerts this playbook raised or annotated")
    severity: Literal["info", "warning", "critical"] | None = None
    title_contains: str | None = None
    suppressed: int | None = Field(None, ge=0, description="alerts held back by fatigue control")
    detail: dict[str, Any] = Field(
        default_factory=dict, description="dotted path → expected value in the last alert"
    )


class PlaybookTest(_Strict):
    name: str = Field(min_length=1, max_length=200)
    geofences: list[dict[str, Any]] = Field(default_factory=list, description="created first")
    events: list[dict[str, Any]] = Field(default_factory=list, description="ingested in order")
    alerts: list[dict[str, Any]] = Field(
        default_factory=list, description="built-in alerts raised outside ingest (e.g. confirm)"
    )
    expect: ExpectedResult


class Playbook(_Strict):
    """One playbook file."""

    name: Name = Field(description="unique; becomes the alert's rule")
    description: str = Field("", max_length=2000)
    enabled: bool = True
    trigger: Trigger
    correlate: Correlate = Field(default_factory=Correlate)
    condition: str | None = Field(None, description="Jinja2 expression, e.g. units_count >= 1")
    actions: Actions
    tests: list[PlaybookTest] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _not_builtin(cls, value: str) -> str:
        if value in BUILTIN_RULES:
            raise ValueError(f"{value} is a built-in rule; a playbook cannot shadow it")
        return value

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        return None if value is None else _checked(check_expression, value)

    @model_validator(mode="after")
    def _consistent(self) -> "Playbook":
        if self.actions.alert.mode == "annotate":
            if self.trigger.alert is None:
                raise ValueError("actions.alert.mode annotate needs a trigger.alert")
            if self.actions.group_by or self.actions.dedupe_window or self.actions.throttle:
                raise ValueError("annotate adds to an alert; group_by/throttle need mode new")
        if self.actions.dock_cameras and self.correlate.cameras_that_see is None:
            raise ValueError("actions.dock_cameras needs correlate.cameras_that_see")
        if self.actions.dedupe_window and not self.actions.group_by:
            raise ValueError("actions.dedupe_window needs actions.group_by")
        return self


def _checked(check: Any, value: str) -> str:
    try:
        check(value)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template error: {exc.message}") from exc
    return value


def playbook_schema() -> dict[str, Any]:
    schema = Playbook.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://openrtcc.org/schemas/playbook.schema.json"
    return schema
