"""How often things happen in the synthetic city, in one place so a demo can be tuned.

Rates are per unit of `intensity` (1.0 = a lively demo).  The hourly curves are
shaped like real calls-for-service, gunfire and traffic data (quiet at 4-6 am,
busy in the evening; gunfire peaks around midnight; traffic at the rush hours),
normalised to a mean of 1 so the base rate is also the daily average.
"""

import math
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CALLS_PER_MIN = 2.0  # CAD incidents: one every ~30 s on average, ~20 s at 8 pm
GUNSHOTS_PER_MIN = 0.5  # acoustic detections: one every ~2 min on average
SHOTS_CALL_SHARE = 0.8  # share of confident detections that also become a SHOTS call
LPR_READS_PER_S = 3.0  # plate reads across all readers
HOTLIST_READS_PER_MIN = 0.5  # hotlist hits: one every ~2 min
AVL_INTERVAL_S = (4.0, 6.0)  # each unit reports its position this often (and on status change)
CAMERA_HEARTBEAT_S = 60.0
CAMERA_OUTAGE_CHANCE = 0.005  # per heartbeat: with 30 cameras, an outage every ~7 min
CAMERA_OUTAGE_S = (60.0, 300.0)
CALLER_UPDATE_S = (5.0, 15.0)


def _normalised(raw: tuple[float, ...]) -> tuple[float, ...]:
    assert len(raw) == 24
    mean = sum(raw) / len(raw)
    return tuple(v / mean for v in raw)


CALLS_BY_HOUR = _normalised(
    (1.00, 0.85, 0.75, 0.55, 0.40, 0.35, 0.45, 0.65, 0.80, 0.90, 0.95, 1.00,
     1.05, 1.05, 1.10, 1.20, 1.25, 1.30, 1.35, 1.40, 1.45, 1.40, 1.30, 1.15)
)  # fmt: skip
GUNSHOTS_BY_HOUR = _normalised(
    (1.60, 1.50, 1.30, 1.00, 0.80, 0.60, 0.50, 0.50, 0.50, 0.55, 0.60, 0.65,
     0.70, 0.75, 0.80, 0.85, 0.90, 1.00, 1.10, 1.25, 1.40, 1.55, 1.65, 1.70)
)  # fmt: skip
TRAFFIC_BY_HOUR = _normalised(
    (0.35, 0.25, 0.20, 0.18, 0.20, 0.35, 0.70, 1.30, 1.40, 1.10, 1.00, 1.05,
     1.15, 1.10, 1.10, 1.25, 1.45, 1.50, 1.30, 1.05, 0.90, 0.80, 0.65, 0.50)
)  # fmt: skip


def city_tz(name: str, lon: float) -> timezone | ZoneInfo:
    """The city's zone; without tz data, the nominal offset of its longitude."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=round(lon / 15)))


def hourly_factor(curve: tuple[float, ...], local: datetime) -> float:
    """The curve's value at a local time, interpolated linearly between whole hours."""
    h = local.hour + local.minute / 60 + local.second / 3600
    lo = int(h) % 24
    frac = h - int(h)
    return curve[lo] * (1 - frac) + curve[(lo + 1) % 24] * frac


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw: exact (Knuth) for small means, normal approximation above 30."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
