"""NMEA 0183 sentences from a vehicle's GPS receiver → unit_position events.

One line is one sentence. RMC (time, date, fix status, position, speed, course) and
GGA (time of day, fix quality, position, HDOP, altitude) each become one event; every
other sentence (GSA, GSV, VTG, GLL, TXT, proprietary…) carries nothing we map and
translates to no events. GGA has no date: the last RMC date of the same unit is used.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import pynmea2

from rtcc.core.events import EventKind
from rtcc.core.geo import compass
from rtcc.sources.base import MAX_MESSAGE_BYTES, AdapterError, Framing, WireEvent
from rtcc.sources.nmea import fields
from rtcc.sources.nmea.options import NmeaOptions

KNOT_MPS = 1852 / 3600
HDOP_TO_METRES = 5.0  # a common rule of thumb: ~5 m of horizontal error per unit of HDOP
MAX_SENTENCE_CHARS = 1024  # the standard says 82; real receivers exceed it, not by this much
MAX_UNITS = 10_000  # units whose last RMC date is remembered (prefix mode)
_CHECKSUM_TAIL = re.compile(r"\*[0-9A-Fa-f]{2}")  # the last three characters
_UNIT_PREFIX = re.compile(r"^([A-Za-z0-9_.:\-]{1,64})[,;: ]+$")
_HALF_DAY = timedelta(hours=12)
_KIND = EventKind.UNIT_POSITION.value
_RMC = fields.positions(
    pynmea2.RMC,
    "timestamp status lat lat_dir lon lon_dir spd_over_grnd true_course datestamp mode_indicator",
)
_GGA = fields.positions(
    pynmea2.GGA,
    "timestamp lat lat_dir lon lon_dir gps_qual horizontal_dil altitude altitude_units",
)


class NmeaAdapter:
    name: ClassVar[str] = "nmea"
    kinds: ClassVar[tuple[EventKind, ...]] = (EventKind.UNIT_POSITION,)
    framing: ClassVar[Framing] = "lines"
    options_model: ClassVar[type[NmeaOptions]] = NmeaOptions

    def __init__(self, options: NmeaOptions) -> None:
        self.options = options
        self._last_rmc: dict[str, datetime] = {}  # unit id → UTC time of its last RMC fix

    def translate(self, message: bytes) -> list[WireEvent]:
        if len(message) > MAX_MESSAGE_BYTES:
            raise AdapterError("sentence", "too_large", f"{len(message)} bytes")
        try:
            line = message.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise AdapterError("sentence", "bad_encoding", "NMEA 0183 is ASCII") from exc
        if not line:
            return []  # a keep-alive
        if len(line) > MAX_SENTENCE_CHARS:
            raise AdapterError("sentence", "too_large", f"{len(line)} characters")
        unit_id, sentence = self._split_prefix(line)
        parsed = self._parse(sentence)
        if isinstance(parsed, pynmea2.RMC):
            return [self._from_rmc(unit_id, fields.texts(parsed.data, _RMC))]
        if isinstance(parsed, pynmea2.GGA):
            return [self._from_gga(unit_id, fields.texts(parsed.data, _GGA))]
        return []

    def _split_prefix(self, line: str) -> tuple[str, str]:
        start = line.find("$")
        if start < 0:
            raise AdapterError("sentence", "not_nmea", "no '$' sentence start")
        if start == 0:
            return self.options.unit_id, line
        if not self.options.unit_id_from_prefix:
            raise AdapterError("sentence", "not_nmea", "text before the '$' sentence start")
        match = _UNIT_PREFIX.match(line[:start])
        if not match:
            raise AdapterError("prefix", "bad_value", f"not a unit id: {line[:start]!r}")
        return match[1], line[start:]

    def _parse(self, sentence: str) -> Any:
        if self.options.require_checksum and not _CHECKSUM_TAIL.fullmatch(sentence[-3:]):
            raise AdapterError("sentence", "truncated", "no *hh checksum at the end")
        try:
            return pynmea2.parse(sentence, check=self.options.require_checksum)
        except pynmea2.ChecksumError as exc:
            detail = exc.args[0][0] if exc.args and isinstance(exc.args[0], tuple) else "bad"
            raise AdapterError("sentence.checksum", "checksum_mismatch", str(detail)) from exc
        except pynmea2.SentenceTypeError:
            return None  # a well-formed sentence of a type pynmea2 does not know
        except Exception as exc:  # pynmea2 raises ParseError and, on odd input, others
            raise AdapterError("sentence", "not_nmea", "not an NMEA 0183 sentence") from exc

    def _from_rmc(self, unit_id: str, raw: list[str]) -> WireEvent:
        clock, status, lat, lat_dir, lon, lon_dir, speed, course, day, mode = raw
        fields.required("RMC.status", status)
        if status == "V" or mode == "N":
            raise AdapterError("RMC.status", "no_fix", "the receiver flags this fix void")
        if status != "A":
            raise AdapterError("RMC.status", "bad_value", f"expected A or V: {status!r}")
        at = fields.utc_datetime(
            fields.utc_date("RMC.datestamp", day), fields.utc_time("RMC.timestamp", clock)
        )
        location = {
            "lat": fields.coordinate("RMC.lat", lat, lat_dir, is_lat=True),
            "lon": fields.coordinate("RMC.lon", lon, lon_dir, is_lat=False),
        }
        knots = fields.number("RMC.spd_over_grnd", speed, low=0, high=233)
        degrees = fields.number("RMC.true_course", course, low=0, high=360)
        self._remember_rmc(unit_id, at)
        payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": self.options.unit_type}
        if knots is not None:
            payload["speed_mps"] = round(knots * KNOT_MPS, 3)
        if degrees is not None:
            payload["heading_deg"] = compass(degrees)
        return _event(unit_id, "rmc", at, location, payload)

    def _remember_rmc(self, unit_id: str, at: datetime) -> None:
        last_rmc = self._last_rmc
        last_rmc.pop(unit_id, None)  # most recent last, so the oldest unit goes first
        last_rmc[unit_id] = at
        if len(last_rmc) > MAX_UNITS:
            del last_rmc[next(iter(last_rmc))]

    def _from_gga(self, unit_id: str, raw: list[str]) -> WireEvent:
        clock, lat, lat_dir, lon, lon_dir, quality_text, hdop_text, altitude_text, units = raw
        quality = fields.number("GGA.gps_qual", quality_text, low=0, high=9)
        if quality is None:
            raise AdapterError("GGA.gps_qual", "missing", "empty field")
        if not quality.is_integer():
            raise AdapterError("GGA.gps_qual", "bad_value", f"not a fix quality: {quality:g}")
        if quality == 0:
            raise AdapterError("GGA.gps_qual", "no_fix", "fix quality 0: no fix")
        time_of_day = fields.utc_time("GGA.timestamp", clock)
        location: dict[str, Any] = {
            "lat": fields.coordinate("GGA.lat", lat, lat_dir, is_lat=True),
            "lon": fields.coordinate("GGA.lon", lon, lon_dir, is_lat=False),
        }
        hdop = fields.number("GGA.horizontal_dil", hdop_text, low=0, high=100)
        altitude = fields.number("GGA.altitude", altitude_text, low=-500, high=20_000)
        if altitude is not None and units not in ("", "M"):
            raise AdapterError("GGA.altitude_units", "bad_value", "altitude must be in metres")
        at = self._gga_datetime(unit_id, time_of_day)
        if hdop is not None:
            location["accuracy_m"] = round(hdop * HDOP_TO_METRES, 1)
        payload: dict[str, Any] = {"unit_id": unit_id, "unit_type": self.options.unit_type}
        if altitude is not None:
            payload["altitude_m"] = altitude
        return _event(unit_id, "gga", at, location, payload)

    def _gga_datetime(self, unit_id: str, time_of_day: time) -> datetime:
        """The date of the last RMC; a GGA 12 h+ away from it crossed midnight."""
        last = self._last_rmc.get(unit_id)
        day: date
        if last is not None:
            day = last.date()
        elif self.options.assume_date is not None:
            day = self.options.assume_date
        else:
            day = datetime.now(UTC).date()
        at = fields.utc_datetime(day, time_of_day)
        if last is not None:
            if last - at > _HALF_DAY:
                at += timedelta(days=1)
            elif at - last > _HALF_DAY:
                at -= timedelta(days=1)
        return at


def _event(
    unit_id: str, sentence: str, at: datetime, location: dict[str, Any], payload: dict[str, Any]
) -> WireEvent:
    epoch_ms = round(at.timestamp() * 1000)
    return {
        "kind": _KIND,
        "id": f"{unit_id}-{epoch_ms}-{sentence}",
        "occurred_at": at.isoformat(),
        "location": location,
        "payload": payload,
    }
