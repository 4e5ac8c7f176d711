"""Every registered input adapter, fed arbitrary bytes and near-valid mutations of its
real samples: it returns events or raises AdapterError naming field and reason, never
anything else, and never hangs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtcc.sources.base import Framing
from rtcc.sources.registry import ADAPTERS
from tests.fuzz.checks import check_framing, check_translate
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import arbitrary_bytes, near_valid, seeds
from tests.sources.test_conformance import make_adapter

NAMES = sorted(ADAPTERS)
FRAMINGS: tuple[Framing, ...] = ("datagram", "lines", "cot", "document", "csv")


@pytest.mark.parametrize("name", NAMES)
def test_every_adapter_has_seeds(name: str) -> None:
    assert len(seeds(name)) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_arbitrary_bytes(name: str) -> None:
    @FUZZ
    @given(message=arbitrary_bytes())
    def run(message: bytes) -> None:
        check_translate(make_adapter(name), message)

    run()


@pytest.mark.parametrize("name", NAMES)
def test_near_valid_mutations_of_real_samples(name: str) -> None:
    @FUZZ
    @given(message=near_valid(name))
    def run(message: bytes) -> None:
        check_translate(make_adapter(name), message)

    run()


@FUZZ
@given(framing=st.sampled_from(FRAMINGS), data=st.binary(max_size=2048), cut=st.integers(1, 64))
def test_framing_never_raises(framing: Framing, data: bytes, cut: int) -> None:
    """Recorded files and TCP streams are cut into messages without an exception."""
    check_framing(framing, data, cut)
