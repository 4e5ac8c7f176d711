"""The store as the rules see it during one batch: identical neighbourhood reads answered once.

A built-in rule and a playbook often ask the same question about the same spot (plate
reads within 1 km either side of 10 minutes, units within 1.5 km); during one batch the
answer cannot change (rules do not write events), so it is read from SQLite once.
"""

from collections.abc import Sequence
from typing import Any, cast

from rtcc.storage.base import EventStore, NearbyEntity, NearbyEvent


def _key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    flat = tuple(tuple(a) if isinstance(a, list | tuple) else a for a in args)
    named = tuple(
        (k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in sorted(kwargs.items())
    )
    return (name, flat, named)


class BatchReads:
    def __init__(self, store: EventStore) -> None:
        self.underlying = store  # what live indexes are registered under
        self._memo: dict[tuple[Any, ...], Sequence[Any]] = {}

    def events_near(self, *args: Any, **kwargs: Any) -> list[NearbyEvent]:
        key = _key("events_near", args, kwargs)
        if key not in self._memo:
            self._memo[key] = self.underlying.events_near(*args, **kwargs)
        return list(self._memo[key])

    def entities_near(self, *args: Any, **kwargs: Any) -> list[NearbyEntity]:
        key = _key("entities_near", args, kwargs)
        if key not in self._memo:
            self._memo[key] = self.underlying.entities_near(*args, **kwargs)
        return list(self._memo[key])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.underlying, name)


def batch_reads(store: EventStore) -> EventStore:
    return cast(EventStore, BatchReads(store))
