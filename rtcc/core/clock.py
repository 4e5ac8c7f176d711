"""One place to read the time, always UTC and tz-aware."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    """Fixed-width ISO 8601 in UTC, so stored strings sort as times."""
    return ts.astimezone(UTC).isoformat(timespec="microseconds")
