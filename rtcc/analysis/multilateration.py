"""Locate a gunshot from the times its sound reached fixed acoustic sensors.

Time-of-arrival multilateration: unknowns are the shot's position (x, y) in a local
azimuthal-equidistant frame centred on the sensors and the emission time. A closed-form
linear solution seeds a nonlinear least-squares fit (scipy) with a soft-L1 loss, so one
sensor that heard an echo does not drag the fix; a sensor whose residual is still far out
after that is dropped and the fit repeated. The uncertainty radius is a 95 % circle from
the fit's covariance (see docs/gunshot.md).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer
from scipy import optimize, stats  # type: ignore[import-untyped]

from rtcc.core.errors import FieldError

MIN_SENSORS = 4
DEFAULT_TEMPERATURE_C = 15.0
DEFAULT_TIMING_SIGMA_S = 0.001
CHI2_2D_95 = 5.991464547107979  # chi-square, 2 degrees of freedom, 95 %
COLLINEAR_RATIO = 0.02  # minor/major spread of the sensor layout below which it is a line
MAX_SPREAD_S = 10.0  # sensors ~3 km apart hear one shot within ~10 s
Vector = NDArray[np.float64]


def speed_of_sound(temperature_c: float) -> float:
    """Speed of sound in dry air at `temperature_c`, m/s (331.3 at 0 °C)."""
    if not -60.0 <= temperature_c <= 60.0:
        raise LocateError("temperature_c", "out_of_range", f"{temperature_c} °C is not air")
    return 331.3 * math.sqrt(1.0 + temperature_c / 273.15)


class LocateError(FieldError):
    """Why a shot could not be located: the input field and a short reason code."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """One sensor's detection: where it is (WGS84) and when the sound reached it (UTC)."""

    sensor_id: str
    lat: float
    lon: float
    at: datetime


@dataclass(frozen=True, slots=True)
class ShotFix:
    """The located shot: position, emission time, and how far off it may be (95 %, m)."""

    lat: float
    lon: float
    emitted_at: datetime
    uncertainty_m: float
    speed_mps: float
    sensors_used: int
    rms_residual_s: float
    dropped: tuple[str, ...]

    @property
    def note(self) -> str:
        dropped = f", dropped {', '.join(self.dropped)}" if self.dropped else ""
        return (
            f"multilateration: {self.sensors_used} sensors, {self.speed_mps:.1f} m/s, "
            f"rms {self.rms_residual_s * 1000:.2f} ms, 95% radius "
            f"{self.uncertainty_m:.1f} m{dropped}"
        )


def locate(
    arrivals: Sequence[Arrival],
    temperature_c: float = DEFAULT_TEMPERATURE_C,
    *,
    timing_sigma_s: float = DEFAULT_TIMING_SIGMA_S,
    robust: bool = True,
) -> ShotFix:
    """The shot position from ≥ 4 arrivals; `LocateError` names why when it cannot be found.

    `timing_sigma_s` is the sensors' nominal timing error: the floor of the error model,
    so a fit that happens to match a few sensors closely does not claim metre accuracy.
    `robust=False` is plain least squares (no soft-L1, nobody dropped), for comparison.
    """
    _check_arrivals(arrivals)
    speed = speed_of_sound(temperature_c)
    lat0 = sum(a.lat for a in arrivals) / len(arrivals)
    lon0 = sum(a.lon for a in arrivals) / len(arrivals)
    frame = local_frame(lat0, lon0)
    east, north = frame.transform([a.lon for a in arrivals], [a.lat for a in arrivals])
    sensors = np.column_stack([np.asarray(east, float), np.asarray(north, float)])
    t_ref = min(a.at for a in arrivals)
    ranges = np.array([(a.at - t_ref).total_seconds() * speed for a in arrivals])
    sigma_m = timing_sigma_s * speed
    _check_geometry(sensors)

    keep = np.ones(len(arrivals), dtype=bool)
    params = _seed(sensors, ranges)
    if robust:
        params, _ = _fit(sensors, ranges, params, sigma_m)
        residuals = _residuals(params, sensors, ranges)
        # One sensor far outside the timing error (an echo, a clock fault) is dropped, once.
        worst = int(np.argmax(np.abs(residuals)))
        if len(arrivals) > MIN_SENSORS and abs(residuals[worst]) > max(6.0 * sigma_m, 3.0):
            keep[worst] = False
            params, _ = _fit(sensors[keep], ranges[keep], params, sigma_m)
    params, jac = _fit(sensors[keep], ranges[keep], params, sigma_m, loss="linear")
    residuals = _residuals(params, sensors[keep], ranges[keep])
    radius = _radius_95(jac, residuals, sigma_m)

    lon, lat = frame.transform(float(params[0]), float(params[1]), direction="INVERSE")
    emitted = t_ref + timedelta(seconds=float(params[2]) / speed)
    return ShotFix(
        lat=float(lat),
        lon=float(lon),
        emitted_at=emitted,
        uncertainty_m=radius,
        speed_mps=speed,
        sensors_used=int(keep.sum()),
        rms_residual_s=float(np.sqrt(np.mean(residuals**2))) / speed,
        dropped=tuple(a.sensor_id for a, k in zip(arrivals, keep, strict=True) if not k),
    )


def local_frame(lat0: float, lon0: float) -> Transformer:
    """WGS84 (lon, lat degrees) → metres east/north, azimuthal equidistant about a point.

    A bare PROJ pipeline: building it takes ~0.1 ms where `from_crs` takes ~20 ms.
    """
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +ellps=WGS84"
    )


def _check_arrivals(arrivals: Sequence[Arrival]) -> None:
    if len(arrivals) < MIN_SENSORS:
        raise LocateError(
            "sensors",
            "too_few_sensors",
            f"{len(arrivals)} sensors heard it; multilateration needs at least {MIN_SENSORS}",
        )
    ids = [a.sensor_id for a in arrivals]
    if len(set(ids)) != len(ids):
        raise LocateError("sensors", "duplicate_sensor", "a sensor is listed more than once")
    for a in arrivals:
        if a.at.utcoffset() is None:
            raise LocateError("sensors", "no_timezone", f"{a.sensor_id}: arrival time has no zone")
    spread = (max(a.at for a in arrivals) - min(a.at for a in arrivals)).total_seconds()
    if spread > MAX_SPREAD_S:
        raise LocateError(
            "sensors", "inconsistent_times", f"arrivals span {spread:.1f} s: not one shot"
        )


def _check_geometry(sensors: Vector) -> None:
    """Sensors on (nearly) one line cannot tell a shot from its mirror image."""
    spread = np.linalg.svd(sensors - sensors.mean(axis=0), compute_uv=False)
    if spread[0] < 1.0:
        raise LocateError("sensors", "degenerate_geometry", "the sensors are all at one spot")
    if spread[1] < COLLINEAR_RATIO * spread[0]:
        raise LocateError(
            "sensors",
            "degenerate_geometry",
            "the sensors lie on one line: a shot and its mirror image fit alike",
        )


def _residuals(p: Vector, sensors: Vector, ranges: Vector) -> Vector:
    """Per sensor: measured range (c·Δt) minus the range the fit predicts, metres.

    p = (x, y, s) with s = c·(emission - first arrival), so the model is linear in s.
    """
    distance = np.hypot(sensors[:, 0] - p[0], sensors[:, 1] - p[1])
    result: Vector = ranges - p[2] - distance
    return result


def _jacobian(p: Vector, sensors: Vector, ranges: Vector) -> Vector:
    dx, dy = p[0] - sensors[:, 0], p[1] - sensors[:, 1]
    distance = np.maximum(np.hypot(dx, dy), 1e-9)
    return np.column_stack([-dx / distance, -dy / distance, -np.ones(len(sensors))])


def _seed(sensors: Vector, ranges: Vector) -> Vector:
    """Closed form: subtract the first sensor's squared-range equation from the others.

    |p - sᵢ|² = (rᵢ - s)² is linear in (x, y, s) once differenced; a rank-deficient
    system means the sensors cannot tell positions apart (e.g. all on one line).
    """
    s0, r0 = sensors[0], ranges[0]
    a = np.column_stack([2 * (sensors[1:] - s0), -2 * (ranges[1:] - r0)])
    b = (np.sum(sensors[1:] ** 2, axis=1) - s0 @ s0) - (ranges[1:] ** 2 - r0**2)
    scale = np.abs(a).max(axis=0)
    scale[scale == 0] = 1.0
    singular = np.linalg.svd(a / scale, compute_uv=False)
    if singular[-1] < 1e-6 * singular[0]:
        raise LocateError(
            "sensors", "degenerate_geometry", "the sensors lie on one line or one spot"
        )
    solution, *_ = np.linalg.lstsq(a, b, rcond=None)
    seed: Vector = np.asarray(solution, dtype=float)
    return seed


def _fit(
    sensors: Vector, ranges: Vector, start: Vector, sigma_m: float, loss: str = "soft_l1"
) -> tuple[Vector, Vector]:
    result = optimize.least_squares(
        _residuals,
        start,
        jac=_jacobian,
        args=(sensors, ranges),
        loss=loss,
        f_scale=max(3.0 * sigma_m, 0.5),
        method="trf",
    )
    return np.asarray(result.x, dtype=float), np.asarray(result.jac, dtype=float)


def _radius_95(jac: Vector, residuals: Vector, sigma_m: float) -> float:
    """95 % radius from the position covariance (JᵀJ)⁻¹σ², on its major axis.

    Sigma is estimated from the residuals, with Fisher's F for few degrees of freedom; it
    never goes below the nominal timing error, with the chi-square quantile for that floor.
    """
    try:
        cov_unit = np.linalg.inv(jac.T @ jac)[:2, :2]
    except np.linalg.LinAlgError:
        raise LocateError(
            "sensors", "degenerate_geometry", "the fit cannot separate x, y and time"
        ) from None
    major = float(np.linalg.eigvalsh(cov_unit)[-1])
    if not math.isfinite(major) or major <= 0 or major > 1e8:
        raise LocateError("sensors", "degenerate_geometry", "the position is not determined")
    floor = math.sqrt(CHI2_2D_95 * major) * sigma_m
    dof = len(residuals) - 3
    if dof < 1:
        return floor
    s2 = float(residuals @ residuals) / dof
    measured = math.sqrt(2.0 * float(stats.f.ppf(0.95, 2, dof)) * major * s2)
    return max(floor, measured)
