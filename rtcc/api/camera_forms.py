"""Reading what the public sends to the camera pages: a size-capped body, a strict
urlencoded form, aware timestamps, and a per-address rate limit on registrations."""

import time
from collections import deque
from datetime import datetime
from urllib.parse import parse_qs

from fastapi import Request

from rtcc.operations.private_cameras import FieldError

MAX_FORM_BYTES = 8 * 1024
MAX_FORM_FIELDS = 30


class BadForm(ValueError):
    def __init__(self, status: int, error: FieldError) -> None:
        super().__init__(error.message)
        self.status = status
        self.error = error


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadForm(413, FieldError("body", "too_large", f"at most {limit} bytes"))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadForm(413, FieldError("body", "too_large", f"at most {limit} bytes"))
    return bytes(body)


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form with each field at most once."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        message = "send the form as application/x-www-form-urlencoded"
        raise BadForm(415, FieldError("content-type", "unsupported", message))
    body = await read_capped(request, MAX_FORM_BYTES)
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadForm(400, FieldError("body", "form_invalid", str(exc))) from exc
    for name, values in fields.items():
        if len(values) > 1:
            raise BadForm(422, FieldError(name, "repeated", "give this field once"))
    return {name: values[0] for name, values in fields.items()}


def parse_time(value: str, field: str) -> datetime:
    """ISO 8601 with a zone ('Z' allowed); anything else names the field."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadForm(422, FieldError(field, "datetime_invalid", str(exc))) from exc
    if parsed.tzinfo is None:
        raise BadForm(422, FieldError(field, "timezone_missing", "give a time zone, e.g. Z"))
    return parsed


class RateLimit:
    """At most `limit` hits per `window_s` seconds per client address (in memory)."""

    def __init__(self, limit: int, window_s: float, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_clients = max_clients
        self._hits: dict[str, deque[float]] = {}

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self._hits) >= self._max_clients and client not in self._hits:
            self._forget_idle(now)
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        cutoff = now - self.window_s
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= cutoff]:
            del self._hits[client]
        if len(self._hits) >= self._max_clients:  # all busy: start over rather than grow
            self._hits.clear()
