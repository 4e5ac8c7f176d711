"""Agency address files → an AddressBook. A bad row is skipped, counted and reported once
at load (file:line, field, reason); it never stops the source.

CSV with a header row, or GeoJSON (a FeatureCollection of Point features whose properties
are the same columns). Column names are matched case-insensitively (spaces = `_`) in the
vocabularies real files use: RFC 5139 CAtypes (HNO, RD, STS…), the NENA NG9-1-1 GIS data
model (Add_Number, St_Name, St_PosTyp…), plain words, and a police CAD export's
"Hundred Block Location". A row with a house number is an address point; a row with a
hundred block ("92XX BLOCK OF RAINIER AV S") is a block; anything else is skipped.
"""

import csv
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rtcc.sources.pidf_lo.address_book import AddressBook, Place, Sample, place
from rtcc.sources.pidf_lo.streets import Street, house_number, hundred_block, street

log = logging.getLogger(__name__)

ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("hno", "add_number", "addnum", "house_number", "housenumber", "address_number"),
    "number_suffix": ("hns", "addnum_suf", "house_number_suffix"),
    "prd": ("prd", "st_predir", "predir", "prefix_direction"),
    "stp": ("stp", "st_pretyp", "pretype", "prefix_type"),
    "name": ("rd", "a6", "st_name", "street_name"),
    "sts": ("sts", "st_postyp", "street_type", "suffix_type"),
    "pod": ("pod", "st_posdir", "postdir", "suffix_direction"),
    "street": ("street", "full_street", "full_street_name", "fullname"),
    "block": ("hundred_block_location", "hundred_block", "block_address"),
    "city": ("a3", "city", "inc_muni", "municipality"),
    "community": ("pcn", "post_comm", "postal_community"),
    "state": ("a1", "state"),
    "postcode": ("pc", "post_code", "postcode", "zip", "zipcode", "zip_code"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "accuracy_m": ("accuracy_m",),
}
_LOOKUP = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
KEEP_PROBLEMS = 50


def _column(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


@dataclass(frozen=True, slots=True)
class RowProblem:
    where: str  # file:line, or file:feature[i] for GeoJSON
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field} {self.reason}"


@dataclass(slots=True)
class LoadReport:
    """What the files gave; the first KEEP_PROBLEMS skipped rows are kept to show."""

    points: int = 0
    blocks: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[RowProblem] = field(default_factory=list)

    def skip(self, problem: RowProblem) -> None:
        self.skipped[problem.reason] += 1
        if len(self.problems) < KEEP_PROBLEMS:
            self.problems.append(problem)


class _Bad(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(field_name, reason)
        self.field, self.reason = field_name, reason


def _coordinate(row: dict[str, str], key: str, limit: float) -> float:
    raw = row.get(key, "")
    if not raw:
        raise _Bad(key, "missing")
    try:
        value = float(raw)
    except ValueError:
        raise _Bad(key, "not_a_number") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise _Bad(key, "out_of_range")
    return value


def _sample(row: dict[str, str], default_m: float) -> Sample:
    lat, lon = _coordinate(row, "lat", 90), _coordinate(row, "lon", 180)
    if lat == 0 and lon == 0:  # "null island": a row that was never geocoded
        raise _Bad("lat", "out_of_range")
    accuracy = default_m
    if row.get("accuracy_m"):
        try:
            accuracy = float(row["accuracy_m"])
        except ValueError:
            raise _Bad("accuracy_m", "not_a_number") from None
        if not (math.isfinite(accuracy) and 0 <= accuracy <= 10_000):
            raise _Bad("accuracy_m", "out_of_range")
    return Sample(lat, lon, accuracy)


def _street(row: dict[str, str], text: str | None = None) -> Street:
    name = row.get("name") or ""
    if text is None and not name:
        text = row.get("street", "")
    parts = ("prd", "stp", "sts", "pod")
    found = street(text) if text is not None else street(name, *(row.get(p, "") for p in parts))
    if found is None:
        raise _Bad("street", "missing")
    return found


class AddressLoader:
    """Reads files into one AddressBook; `city`/`state` fill rows that name none."""

    def __init__(self, book: AddressBook, city: str = "", state: str = "") -> None:
        self.book, self.city, self.state = book, city, state
        self.report = LoadReport()

    def _place(self, row: dict[str, str]) -> Place:
        cities: tuple[str, ...] = (row.get("city") or "", row.get("community") or "")
        if not any(cities):
            cities = (self.city,)
        return place(cities, row.get("state") or self.state, row.get("postcode") or "")

    def add_row(self, row: dict[str, str], where: str) -> None:
        """One row, its columns already named by ALIASES keys."""
        try:
            if row.get("number"):
                number = house_number(row["number"])
                if number is None:
                    raise _Bad("house number", "not_a_number")
                at, spot = _street(row), _sample(row, 10.0)
                suffix = " ".join(p for p in (number[1], row.get("number_suffix", "")) if p)
                self.book.add_point(at, self._place(row), number[0], suffix, spot)
                self.report.points += 1
            elif row.get("block"):
                block = hundred_block(row["block"])
                if block is None:
                    raise _Bad("block", "intersection" if "/" in row["block"] else "not_a_block")
                at, spot = _street(row, block[1]), _sample(row, self.book.block_accuracy_m)
                self.book.add_block(at, self._place(row), block[0], spot)
                self.report.blocks += 1
            else:
                raise _Bad("house number", "missing")
        except _Bad as bad:
            self.report.skip(RowProblem(where, bad.field, bad.reason))

    def load(self, path: Path) -> None:
        """One file; a file that cannot be read at all is a configuration error (ValueError)."""
        try:
            if path.suffix.lower() in (".geojson", ".json"):
                self._geojson(path)
            else:
                self._csv(path)
        except (OSError, UnicodeError, json.JSONDecodeError, csv.Error) as exc:
            raise ValueError(f"{path}: cannot read address file: {exc}") from exc

    def _csv(self, path: Path) -> None:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            header = [_column(h) for h in next(reader, [])]
            known = {_LOOKUP[h] for h in header if h in _LOOKUP}
            streets = known & {"name", "street"} or "number" not in known
            if not {"lat", "lon"} <= known or not known & {"number", "block"} or not streets:
                raise ValueError(
                    f"{path}: needs latitude/longitude and house number + street or hundred "
                    f"block columns (docs/sources/pidf_lo.md); found {', '.join(header)[:200]}"
                )
            columns = [(i, _LOOKUP[h]) for i, h in enumerate(header) if h in _LOOKUP]
            for line, cells in _rows(reader):
                if cells is None:
                    self.report.skip(RowProblem(f"{path}:{line}", "row", "not_csv"))
                elif any(c.strip() for c in cells):
                    row = {key: cells[i].strip() for i, key in columns if i < len(cells)}
                    self.add_row(row, f"{path}:{line}")

    def _geojson(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise ValueError(f"{path}: a GeoJSON address file is a FeatureCollection")
        for index, feature in enumerate(features):
            where = f"{path}:feature[{index}]"
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if not isinstance(geometry, dict) or geometry.get("type") != "Point":
                self.report.skip(RowProblem(where, "geometry", "not_a_point"))
                continue
            if not isinstance(coords, list) or len(coords) < 2:
                self.report.skip(RowProblem(where, "geometry", "bad_coordinates"))
                continue
            props = feature.get("properties")
            row = {
                _LOOKUP[_column(str(k))]: str(v).strip()
                for k, v in (props if isinstance(props, dict) else {}).items()
                if _column(str(k)) in _LOOKUP and v is not None
            }
            row["lon"], row["lat"] = str(coords[0]), str(coords[1])
            self.add_row(row, where)


def _rows(reader: Any) -> Iterator[tuple[int, list[str] | None]]:
    """(line, cells); a row the csv module refuses (e.g. an oversized field) is None."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            continue
        yield reader.line_num, cells


def load_address_book(
    paths: list[str], city: str = "", state: str = "", block_accuracy_m: float = 100.0
) -> tuple[AddressBook, LoadReport]:
    """Every file into one book; the skipped rows are logged once, here."""
    loader = AddressLoader(AddressBook(block_accuracy_m), city, state)
    for path in paths:
        loader.load(Path(path))
    report = loader.report
    log.info("address data: %d points, %d hundred blocks", report.points, report.blocks)
    if report.skipped:
        counts = ", ".join(f"{n} {reason}" for reason, n in report.skipped.most_common())
        shown = "; ".join(str(p) for p in report.problems[:10])
        log.warning("address data: skipped %s rows (%s): %s", report.skipped.total(), counts, shown)
    return loader.book, report
