"""One Hypothesis settings profile for the fuzz tests, bounded in `make test`.

`RTCC_FUZZ_EXAMPLES` raises the number of generated inputs per test (bench/fuzz.py and
long local runs); the default keeps the whole tests/fuzz folder well under a minute.
"""

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from hypothesis import HealthCheck, settings

DEFAULT_EXAMPLES = 60
EXAMPLES = int(os.environ.get("RTCC_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
# No call on one message may take longer: a parser that does has a hang (or a quadratic
# path an attacker can use to pin a core).
CALL_LIMIT_S = float(os.environ.get("RTCC_FUZZ_CALL_LIMIT_S", 5.0))

settings.register_profile(
    "rtcc-fuzz",
    max_examples=EXAMPLES,
    # Timing is checked by `within` (a hang), not by Hypothesis' per-example deadline,
    # which flakes on a loaded CI machine.
    deadline=None,
    # Seeds are read from disk and mutated: generation is slower than Hypothesis expects.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # Failures found in the bench must not replay into `make test` from a shared database.
    database=None,
    derandomize=False,
    print_blob=True,
)
FUZZ = settings.get_profile("rtcc-fuzz")


class Hang(AssertionError):
    """One call ran past CALL_LIMIT_S."""


class _Expired(BaseException):
    """Raised into the running code; a BaseException so `except Exception` (which adapters
    use to turn library surprises into AdapterError) cannot swallow it."""


@contextmanager
def within(seconds: float = CALL_LIMIT_S) -> Iterator[None]:
    """Fail (instead of waiting forever) when the body runs longer than `seconds`.

    SIGALRM interrupts pure-Python loops; the fuzz tests run in the main thread.
    """
    fired: list[bool] = []

    def expired(_signum: int, _frame: FrameType | None) -> None:
        fired.append(True)
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise Hang(f"no answer within {seconds:g} s: a hang")
