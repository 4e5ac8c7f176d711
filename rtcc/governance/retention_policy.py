"""Retention rules as a policy file: how long each kind of data is kept.

The agency writes them as YAML (versioned with the deployment); a file with an error is
refused with the file, the line and the reason, and the policy in force stays in force.

    rules:
      - kind: lpr_read        # plate reads that hit nothing
        keep_days: 30
      - kind: video           # private camera clips reported by their owners
        keep_days: 30
      - kind: audit
        keep_days: 400        # never less than a year

Reads that hit a hotlist are not `lpr_read` data for this purpose: they are kept with
their hit (kind `lpr_hit`). Criminal intelligence follows 28 CFR 23.20(h) (five years
unless revalidated) and is not configurable here.
"""

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rtcc.core.yaml_lines import line_of

DataKind = Literal[
    "cad_incident",
    "caller_location",
    "unit_position",
    "lpr_read",
    "lpr_hit",
    "gunshot",
    "camera_status",
    "alerts",
    "dead_letters",
    "video",
    "audit",
]
AUDIT_MINIMUM_DAYS = 365


class RetentionRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DataKind
    keep_days: Annotated[int, Field(ge=1, le=36_500)]

    @model_validator(mode="after")
    def _audit_at_least_a_year(self) -> "RetentionRule":
        if self.kind == "audit" and self.keep_days < AUDIT_MINIMUM_DAYS:
            raise ValueError(f"the audit trail is kept at least {AUDIT_MINIMUM_DAYS} days")
        return self


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[RetentionRule] = Field(default_factory=list)
    source: str = "built-in defaults"

    def keep_days(self, kind: str) -> int | None:
        return next((r.keep_days for r in self.rules if r.kind == kind), None)


DEFAULT_POLICY = RetentionPolicy(
    rules=[
        RetentionRule(kind="lpr_read", keep_days=30),
        RetentionRule(kind="lpr_hit", keep_days=365),
        RetentionRule(kind="video", keep_days=30),
        RetentionRule(kind="unit_position", keep_days=90),
        RetentionRule(kind="camera_status", keep_days=30),  # history; the current one stays
        RetentionRule(kind="caller_location", keep_days=365),
        RetentionRule(kind="dead_letters", keep_days=30),
        RetentionRule(kind="audit", keep_days=AUDIT_MINIMUM_DAYS * 7),
    ]
)


class PolicyError(ValueError):
    """A policy file that cannot be used: names the file, the line and the reason."""


def load_policy(path: Path) -> RetentionPolicy:
    """Parse and check a policy file; raise `PolicyError` with `file:line: reason`."""
    try:
        text = path.read_text()
        root = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read ({exc})") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise PolicyError(f"{path}:{line}: not valid YAML ({exc.problem})") from exc
    if root is None:
        raise PolicyError(f"{path}:1: the file is empty")
    data = yaml.safe_load(text)
    try:
        policy = RetentionPolicy.model_validate({**data, "source": str(path)})
    except (ValidationError, TypeError) as exc:
        raise PolicyError(_located(path, root, exc)) from exc
    kinds = [r.kind for r in policy.rules]
    twice = sorted({k for k in kinds if kinds.count(k) > 1})
    if twice:
        raise PolicyError(f"{path}: kind {twice[0]} has more than one rule")
    return policy


def _located(path: Path, root: yaml.Node, exc: Exception) -> str:
    """The first validation error, at the line of the YAML node it concerns."""
    if not isinstance(exc, ValidationError):
        return f"{path}:{root.start_mark.line + 1}: the policy must be a mapping with 'rules'"
    error = exc.errors()[0]
    field = ".".join(str(s) for s in error["loc"]) or "policy"
    return f"{path}:{line_of(root, error['loc'])}: {field}: {error['msg']}"


class RetentionSettings(BaseModel):
    """Where the policy file is and how often the purge runs."""

    model_config = ConfigDict(extra="forbid")

    policy_path: Path | None = Field(
        None, description="YAML policy file; built-in defaults if unset"
    )
    every_hours: float = Field(24.0, gt=0, le=24 * 7, description="how often the purge runs")


class PolicyInForce:
    """The policy file, re-read when it changes; a broken edit leaves the last good policy
    in force and is reported (`last_error`) instead."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.last_error: str | None = None
        self._mtime: float | None = None
        self._policy = load_policy(path) if path else DEFAULT_POLICY
        if path:
            self._mtime = path.stat().st_mtime

    def current(self) -> RetentionPolicy:
        if self.path is None:
            return self._policy
        try:
            mtime = self.path.stat().st_mtime
        except OSError as exc:
            self.last_error = f"{self.path}: cannot be read ({exc}); previous policy in force"
            return self._policy
        if mtime != self._mtime:
            try:
                self._policy = load_policy(self.path)
                self.last_error = None
            except PolicyError as exc:
                self.last_error = f"{exc}; previous policy in force"
            self._mtime = mtime
        return self._policy
