"""Titles, group keys and conditions: sandboxed Jinja2, so a playbook cannot reach Python.

Undefined names fail loudly (StrictUndefined): a typo in a title is an error, not a blank.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def address_key(address: object) -> str:
    """Case, punctuation and spacing do not make a different address: '1 Elm St.' = '1 ELM ST'."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in str(address or "").upper())
    return " ".join(cleaned.split())


_ENV.filters["address_key"] = address_key


def check_template(text: str) -> None:
    """Raise TemplateSyntaxError when the text does not parse."""
    _ENV.parse(text)


def check_expression(text: str) -> None:
    _ENV.compile_expression(text)


@lru_cache(maxsize=1024)
def _template(text: str) -> Template:
    """Compiled once per text: compiling costs about a millisecond, rendering microseconds."""
    return _ENV.from_string(text)


@lru_cache(maxsize=1024)
def _expression(text: str) -> Callable[..., Any]:
    return _ENV.compile_expression(text, undefined_to_none=False)


def render(text: str, context: dict[str, Any]) -> str:
    return _template(text).render(context)


def holds(expression: str, context: dict[str, Any]) -> bool:
    return bool(_expression(expression)(**context))
