"""Street addresses normalised the way NENA and USPS do, so that a caller's civic address
and the agency's address file meet on the same key.

Upper case, `.` and `'` dropped, other punctuation a space, ordinals as digits (23RD → 23),
and the directionals and street types of USPS Publication 28 (appendices B and C1)
written as the standard abbreviation: NORTH → N, AVENUE/AV → AVE, STREET → ST. The type
table holds the common types only (not all ~200 of C1): a type it does not know stays a
word of the street name on both sides, so such streets still match each other.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

DIRECTIONS: dict[str, str] = {
    "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S", "E": "E", "EAST": "E", "W": "W",
    "WEST": "W", "NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
    "SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}  # fmt: skip

# standard abbreviation → the spellings that mean it (USPS Pub. 28 C1; BV is Seattle's)
_TYPES: dict[str, tuple[str, ...]] = {
    "ALY": ("ALLEY", "ALLEE", "ALLY"),
    "AVE": ("AVENUE", "AV", "AVEN", "AVENU", "AVN", "AVNUE"),
    "BLVD": ("BOULEVARD", "BOUL", "BOULV", "BV"),
    "BRG": ("BRIDGE", "BRDGE"),
    "CIR": ("CIRCLE", "CIRC", "CIRCL", "CRCL", "CRCLE"),
    "CT": ("COURT",),
    "CV": ("COVE",),
    "DR": ("DRIVE", "DRIV", "DRV"),
    "EXPY": ("EXPRESSWAY", "EXP", "EXPR", "EXPRESS", "EXPW"),
    "FWY": ("FREEWAY", "FREEWY", "FRWAY", "FRWY"),
    "HWY": ("HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY"),
    "LN": ("LANE",),
    "LOOP": ("LOOPS",),
    "PKWY": ("PARKWAY", "PARKWY", "PKWAY", "PKY"),
    "PL": ("PLACE",),
    "PLZ": ("PLAZA", "PLZA"),
    "RD": ("ROAD",),
    "SQ": ("SQUARE", "SQR", "SQRE", "SQU"),
    "ST": ("STREET", "STRT", "STR"),
    "TER": ("TERRACE", "TERR"),
    "TRL": ("TRAIL", "TRAILS", "TRLS"),
    "WAY": ("WY",),
    "XING": ("CROSSING", "CRSSNG"),
}
STREET_TYPES: dict[str, str] = {v: k for k, vs in _TYPES.items() for v in (k, *vs)}

_DROP = re.compile(r"[.']")
_SPLIT = re.compile(r"[^A-Z0-9/]+")
_ORDINAL = re.compile(r"^(\d+)(?:ST|ND|RD|TH)$")
_HOUSE = re.compile(r"^(\d{1,7})(?!\d)\s*-?\s*(.*)$")
_BLOCK = re.compile(r"^(?:(\d*)XX|(\d+))\s+(?:BLOCK|BLK)(?:\s+OF)?\s+(.+)$")


def words(value: str) -> list[str]:
    return [w for w in _SPLIT.split(_DROP.sub("", value.upper())) if w]


def plain(value: str) -> str:
    """A city, a unit, a suffix: upper case words, one space apart."""
    return " ".join(words(value))


def _ordinal(word: str) -> str:
    match = _ORDINAL.match(word)
    return match.group(1) if match else word


@dataclass(frozen=True, slots=True)
class Street:
    """PRD STP name STS POD, each normalised ("" when absent)."""

    name: str
    prd: str = ""
    stp: str = ""
    sts: str = ""
    pod: str = ""

    def text(self) -> str:
        return " ".join(p for p in (self.prd, self.stp, self.name, self.sts, self.pod) if p)


@lru_cache(maxsize=1 << 16)  # an address file repeats each street many times
def street(name: str, prd: str = "", stp: str = "", sts: str = "", pod: str = "") -> Street | None:
    """The street from its parts; a part not given is looked for in `name` itself, so
    "Rainier Ave S" and RD=Rainier STS=AV POD=S give the same street. The trailing
    directional is taken first, then the type, then the leading directional, and a name is
    never emptied (N ST stays the street named N)."""
    tokens = words(name)
    found = {"prd": plain(prd), "stp": plain(stp), "sts": plain(sts), "pod": plain(pod)}
    if not found["pod"] and len(tokens) > 1 and tokens[-1] in DIRECTIONS:
        found["pod"] = tokens.pop()
    if not found["sts"] and len(tokens) > 1 and tokens[-1] in STREET_TYPES:
        found["sts"] = tokens.pop()
    if not found["prd"] and len(tokens) > 1 and tokens[0] in DIRECTIONS:
        found["prd"] = tokens.pop(0)
    if not tokens:
        return None
    return Street(
        name=" ".join(_ordinal(t) for t in tokens),
        prd=DIRECTIONS.get(found["prd"], found["prd"]),
        stp=STREET_TYPES.get(found["stp"], found["stp"]),
        sts=STREET_TYPES.get(found["sts"], found["sts"]),
        pod=DIRECTIONS.get(found["pod"], found["pod"]),
    )


def house_number(value: str) -> tuple[int, str] | None:
    """ "9215", "9215 A", "9215-1/2" → (9215, suffix); None when it does not start with one."""
    match = _HOUSE.match(value.strip().upper())
    if not match:
        return None
    return int(match.group(1)), plain(match.group(2))


def hundred_block(value: str) -> tuple[int, str] | None:
    """A CAD hundred block ("92XX BLOCK OF RAINIER AV S", "9200 BLOCK OF …", "XX BLOCK OF …")
    → (9200, "RAINIER AV S"); None for an intersection or anything else."""
    match = _BLOCK.match(value.strip().upper())
    if not match:
        return None
    hundreds, number, rest = match.groups()
    if number is not None:
        if int(number) % 100:
            return None
        return int(number), rest
    return int(hundreds or 0) * 100, rest


def postcode(value: str) -> str:
    """US ZIP+4 → the 5-digit ZIP; other codes upper case without spaces."""
    code = re.sub(r"\s+", "", value.upper())
    return code[:5] if re.fullmatch(r"\d{5}(-?\d{4})?", code) else code


_STATES = (
    "AL ALABAMA AK ALASKA AZ ARIZONA AR ARKANSAS CA CALIFORNIA CO COLORADO CT CONNECTICUT "
    "DE DELAWARE DC DISTRICT_OF_COLUMBIA FL FLORIDA GA GEORGIA HI HAWAII ID IDAHO "
    "IL ILLINOIS IN INDIANA IA IOWA KS KANSAS KY KENTUCKY LA LOUISIANA ME MAINE MD MARYLAND "
    "MA MASSACHUSETTS MI MICHIGAN MN MINNESOTA MS MISSISSIPPI MO MISSOURI MT MONTANA "
    "NE NEBRASKA NV NEVADA NH NEW_HAMPSHIRE NJ NEW_JERSEY NM NEW_MEXICO NY NEW_YORK "
    "NC NORTH_CAROLINA ND NORTH_DAKOTA OH OHIO OK OKLAHOMA OR OREGON PA PENNSYLVANIA "
    "PR PUERTO_RICO RI RHODE_ISLAND SC SOUTH_CAROLINA SD SOUTH_DAKOTA TN TENNESSEE TX TEXAS "
    "UT UTAH VT VERMONT VA VIRGINIA WA WASHINGTON WV WEST_VIRGINIA WI WISCONSIN WY WYOMING"
)
_PAIRS = _STATES.split()
STATE_CODES: dict[str, str] = {
    name.replace("_", " "): code for code, name in zip(_PAIRS[::2], _PAIRS[1::2], strict=True)
}


def state(value: str) -> str:
    """A1 as the USPS two-letter code when it is a US state's name ("New York" → NY)."""
    text = plain(value)
    return STATE_CODES.get(text, text)
