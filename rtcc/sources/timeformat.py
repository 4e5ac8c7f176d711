"""`datetime.strptime` for the numeric formats exports use, without its per-call cost.

strptime checks the locale, takes a lock and walks a generic result loop on every call:
most of a CSV row's translation time. `TimeFormat` builds the regular expression strptime
itself would build (CPython's directive patterns verbatim, its whitespace and case rules,
its "match, then refuse leftover text" check) once, for formats made of %Y %m %d %H %I
%M %S %p and literal text. Any other format is handed to strptime, so the result, or the
ValueError, is always strptime's.
"""

import re
import time
from datetime import datetime, tzinfo

# CPython's _strptime.TimeRE patterns, verbatim (%p in the C locale, checked below).
_DIRECTIVES = {
    "Y": r"(?P<Y>\d\d\d\d)",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "I": r"(?P<I>1[0-2]|0[1-9]|[1-9])",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "p": r"(?P<p>am|pm)",
}
_PIECES = re.compile(r"%(?P<directive>.)|(?P<space>\s+)|(?P<literal>[^%\s]+)", re.DOTALL)


def _locale_am_pm() -> tuple[str, str]:
    """What strptime's %p accepts in the current locale (as _strptime.LocaleTime finds it)."""
    hours = (time.struct_time((1999, 3, 17, h, 44, 55, 2, 76, 0)) for h in (1, 22))
    am, pm = (time.strftime("%p", t).lower() for t in hours)
    return am, pm


def _compile(fmt: str) -> re.Pattern[str] | None:
    """strptime's regex for `fmt`, or None when `fmt` is outside the supported subset."""
    regex, seen, covered = [], set(), 0
    for piece in _PIECES.finditer(fmt):
        covered += len(piece.group())
        directive = piece["directive"]
        if directive is None:
            regex.append(r"\s+" if piece["space"] else re.escape(piece["literal"]))
        elif directive in _DIRECTIVES and directive not in seen:
            seen.add(directive)
            regex.append(_DIRECTIVES[directive])
        else:
            return None  # %%, %z, %f, a repeated directive...: strptime's own business
    if covered != len(fmt) or "Y" not in seen or {"H", "I"} <= seen:
        return None  # a stray %, no year (1900 and leap-day rules), or two hour fields
    if "p" in seen and _locale_am_pm() != ("am", "pm"):
        return None
    return re.compile("".join(regex), re.IGNORECASE)


class TimeFormat:
    """One strptime pattern, compiled once: `parse(text)` == `datetime.strptime(text, fmt)`,
    and with a `zone`, a time the text leaves naive is read in that zone."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._regex = _compile(fmt)

    def parse(self, text: str, zone: tzinfo | None = None) -> datetime:
        if self._regex is None:
            parsed = datetime.strptime(text, self.fmt)
            return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
        found = self._regex.match(text)
        if found is None or found.end() != len(text):
            raise ValueError(f"time data {text!r} does not match format {self.fmt!r}")
        values = found.groupdict()
        hour = int(values.get("H", 0))
        if "I" in values:
            hour = _twelve_hour(int(values["I"]), values.get("p", "").lower())
        return datetime(
            int(values["Y"]),
            int(values.get("m", 1)),
            int(values.get("d", 1)),
            hour,
            int(values.get("M", 0)),
            int(values.get("S", 0)),
            tzinfo=zone,
        )


def _twelve_hour(hour: int, am_pm: str) -> int:
    """strptime's %I reading: no marker counts as AM; 12 AM is 0 h, 12 PM stays 12 h."""
    if am_pm in ("", "am"):
        return 0 if hour == 12 else hour
    if am_pm == "pm" and hour != 12:
        return hour + 12
    return hour
