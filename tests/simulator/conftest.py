"""Shared simulated streams: computed once, read by many tests."""

import pytest

from tests.simulator.streams import Stream, simulate


@pytest.fixture(scope="session")
def two_hours() -> Stream:
    """Two simulated hours of the default city, one-second steps."""
    return simulate(seed=7, seconds=2 * 3600)
