"""The agency's address data in memory, and a civic address looked up in it.

An exact address point first (street + house number [+ suffix]), then the hundred block
the number falls in (9215 → the 9200 block), else a refusal. Blocks come from CAD-style
hundred-block rows and from the address points themselves. Several rows for one key are
kept as samples: the answer is their mean, with a radius that covers every sample's own
radius, so rows that disagree make the answer less certain rather than wrong.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rtcc.core.geo import haversine_m
from rtcc.sources.base import AdapterError
from rtcc.sources.pidf_lo.streets import Street, house_number, plain, postcode, state, street

LocatedBy = Literal["civic_address_point", "civic_hundred_block"]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a row or a caller is: city names (municipality, postal community), state, ZIP."""

    cities: frozenset[str] = frozenset()
    state: str = ""
    postcode: str = ""

    def agrees(self, other: "Place") -> bool:
        """What both name must agree; ZIPs are compared only when the cities cannot be."""
        if self.state and other.state and self.state != other.state:
            return False
        if self.cities and other.cities:
            return bool(self.cities & other.cities)
        return not (self.postcode and other.postcode and self.postcode != other.postcode)


@lru_cache(maxsize=1 << 12)  # rows repeat a few cities and ZIPs
def place(cities: tuple[str, ...], state_text: str = "", zip_text: str = "") -> Place:
    return Place(
        frozenset(c for c in map(plain, cities) if c), state(state_text), postcode(zip_text)
    )


@dataclass(frozen=True, slots=True)
class Sample:
    lat: float
    lon: float
    accuracy_m: float


@dataclass(frozen=True, slots=True)
class Query:
    street: Street
    number: int
    suffix: str
    place: Place

    def text(self) -> str:
        where = ", ".join(sorted(self.place.cities))
        tail = " ".join(p for p in (self.place.state, self.place.postcode) if p)
        number = f"{self.number} {self.suffix}".strip()
        return ", ".join(p for p in (f"{number} {self.street.text()}", where, tail) if p)


@dataclass(frozen=True, slots=True)
class Located:
    lat: float
    lon: float
    accuracy_m: float
    method: LocatedBy


@dataclass(slots=True)
class _Street:
    points: dict[tuple[int, str], list[Sample]] = field(default_factory=lambda: defaultdict(list))
    blocks: dict[int, list[Sample]] = field(default_factory=lambda: defaultdict(list))


def _not_found(message: str) -> AdapterError:
    return AdapterError("location-info", "civic_address_not_found", message[:300])


def civic_query(fields: dict[str, str]) -> Query:
    """RFC 5139 CAtypes → what to look up (RD, else the legacy A6, is the street name)."""
    name = fields.get("RD") or fields.get("A6") or ""
    found = street(
        name,
        fields.get("PRD", ""),
        fields.get("STP", ""),
        fields.get("STS", ""),
        fields.get("POD", ""),
    )
    number = house_number(fields.get("HNO", ""))
    if found is None or number is None:
        missing = "street name (RD/A6)" if found is None else "house number (HNO)"
        shown = " ".join(plain(v) for v in fields.values())[:120]
        raise _not_found(f"no {missing} to look up in {shown!r}")
    suffix = plain(fields["HNS"]) if fields.get("HNS") else number[1]
    cities = (fields.get("A3", ""), fields.get("PCN", ""))
    return Query(
        found, number[0], suffix, place(cities, fields.get("A1", ""), fields.get("PC", ""))
    )


def _score(row: Street, query: Street) -> int | None:
    """Parts both give that agree (both absent counts); None when a given part differs."""
    score = 0
    pairs = ((row.prd, query.prd), (row.stp, query.stp), (row.sts, query.sts), (row.pod, query.pod))
    for a, b in pairs:
        if a == b:
            score += 1
        elif a and b:
            return None
    return score


def _resolve(samples: list[Sample], floor_m: float) -> tuple[float, float, float]:
    lat = sum(s.lat for s in samples) / len(samples)
    lon = sum(s.lon for s in samples) / len(samples)
    reach = max(haversine_m(lat, lon, s.lat, s.lon) + s.accuracy_m for s in samples)
    return lat, lon, max(floor_m, reach)


class AddressBook:
    """Address points and hundred blocks by street name; `locate` answers one query."""

    def __init__(self, block_accuracy_m: float = 100.0) -> None:
        self.block_accuracy_m = block_accuracy_m
        self._streets: dict[str, dict[tuple[Street, Place], _Street]] = defaultdict(dict)

    def _entry(self, at: Street, where: Place) -> _Street:
        return self._streets[at.name].setdefault((at, where), _Street())

    def add_point(self, at: Street, where: Place, number: int, suffix: str, s: Sample) -> None:
        entry = self._entry(at, where)
        entry.points[(number, suffix)].append(s)
        entry.blocks[number // 100 * 100].append(s)  # a point also tells where its block is

    def add_block(self, at: Street, where: Place, block: int, s: Sample) -> None:
        self._entry(at, where).blocks[block].append(s)

    def locate(self, query: Query) -> Located:
        candidates = [
            (score, at, entry)
            for (at, where), entry in self._streets.get(query.street.name, {}).items()
            if where.agrees(query.place) and (score := _score(at, query.street)) is not None
        ]
        block = query.number // 100 * 100
        keys = [(query.number, query.suffix), (query.number, "")]
        tries: tuple[tuple[LocatedBy, float], ...] = (
            ("civic_address_point", 0.0),
            ("civic_hundred_block", self.block_accuracy_m),
        )
        for method, floor_m in tries:
            hits: list[tuple[int, Street, list[Sample]]] = []
            for score, at, entry in candidates:
                if method == "civic_hundred_block":
                    found = entry.blocks.get(block)
                else:
                    found = next((entry.points[k] for k in keys if k in entry.points), None)
                if found:
                    hits.append((score, at, found))
            if hits:
                return self._pick(query, method, floor_m, hits)
        if not candidates:
            raise _not_found(
                f"{query.text()}: street {query.street.text()} not in the address data"
            )
        raise _not_found(f"{query.text()}: no address point and no {block} block")

    def _pick(
        self,
        query: Query,
        method: LocatedBy,
        floor_m: float,
        hits: list[tuple[int, Street, list[Sample]]],
    ) -> Located:
        best = max(score for score, _, _ in hits)
        streets = sorted({at.text() for score, at, _ in hits if score == best})
        if len(streets) > 1:
            raise _not_found(f"{query.text()}: ambiguous, could be {' or '.join(streets[:3])}")
        samples = [s for score, _, found in hits if score == best for s in found]
        return Located(*_resolve(samples, floor_m), method)
