"""The compiled strptime subset CSV adapters read times with: same answers as strptime."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtcc.sources.timeformat import TimeFormat

TIME_FORMATS = [
    "%m/%d/%Y %I:%M:%S %p",  # the default: compiled once, no strptime call
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y",
    "%Y%m%d%H%M%S",
    "[%Y](%m)|%d.*",  # regex characters in the literal text
    "%Y-%m-%d %H:%M:%S%z",  # outside the compiled subset: strptime itself
    "%m/%d/%y %H:%M",
    "%Y %Y",
    "%Y-%m-%d %",
]
TIME_TEXTS = st.one_of(
    st.text(alphabet="0123456789 /:.-TAPMapm\t\u00a0\u0663+%[]()|*", max_size=24),
    st.datetimes().map(lambda d: d.strftime("%m/%d/%Y %I:%M:%S %p")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.sampled_from(["12/31/2026 12:00:00 AM", "2/29/2025 1:00:00 pm", "03/08/2026  1:58:61 AM"]),
)


@settings(max_examples=300, deadline=None)
@given(fmt=st.sampled_from(TIME_FORMATS), text=TIME_TEXTS)
def test_time_format_reads_exactly_as_strptime(fmt: str, text: str) -> None:
    """The compiled time pattern returns what strptime returns, and refuses what it refuses;
    a naive result takes the given zone."""
    zone = ZoneInfo("America/Chicago")
    try:
        expected: datetime | None = datetime.strptime(text, fmt)
    except ValueError:
        expected = None
    except Exception:  # e.g. "%Y %Y": strptime's own error, which the fallback repeats
        return
    if expected is None:
        with pytest.raises(ValueError):
            TimeFormat(fmt).parse(text, zone)
        return
    assert TimeFormat(fmt).parse(text) == expected
    zoned = TimeFormat(fmt).parse(text, zone)
    assert zoned == (expected if expected.tzinfo else expected.replace(tzinfo=zone))
    assert zoned.tzinfo is (expected.tzinfo or zone)
