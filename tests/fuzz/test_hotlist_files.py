"""Hotlist files (NCIC national, its WA variant, the SFR table): any bytes, and mutated
lines of the sample files, parse without raising; every bad line is a LineError."""

from hypothesis import given
from hypothesis import strategies as st

from rtcc.analysis.hotlists.ncic import FORMATS, FileFormat
from tests.fuzz.checks import check_hotlist_file
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import hotlist_files, hotlist_seeds


def test_the_sample_files_are_there() -> None:
    assert len(hotlist_seeds()) >= 4


@FUZZ
@given(data=hotlist_files(), fmt=st.sampled_from(FORMATS))
def test_mutated_hotlist_files(data: bytes, fmt: FileFormat) -> None:
    check_hotlist_file(data, fmt)


@FUZZ
@given(data=st.binary(max_size=4096), fmt=st.sampled_from(FORMATS))
def test_arbitrary_bytes_as_a_hotlist_file(data: bytes, fmt: FileFormat) -> None:
    check_hotlist_file(data, fmt)
