"""Radio: real espeak-ng + sox make the WAVs; the airtime budget holds, drops and pre-empts."""

import asyncio
import json
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rtcc.core.alerts import Alert, Severity
from rtcc.core.geo import Location, offset_m
from rtcc.outputs.airtime import AirtimeScheduler, Broadcast
from rtcc.outputs.base import DeliveryError
from rtcc.outputs.radio import RadioChannel, RadioOptions, measure_seconds
from rtcc.outputs.radio_script import (
    Landmark,
    ScriptOptions,
    address_phrase,
    phonetic,
    script,
    unit_call_sign,
)
from rtcc.outputs.registry import channel_class

T0 = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
BUDGET_S = 15.0  # each test alert speaks for ~10 s: one fits in the hour, two do not
HALL = Landmark(name="City Hall", lat=39.9612, lon=-82.9988)


def gunshot(alert_id: str = "g1", **detail: Any) -> Alert:
    base: dict[str, Any] = {
        "rounds": 4,
        "incident": {"id": "RTCC-1", "address": "312 Main Street"},
        "detections": [{"occurred_at": "2026-11-26T02:14:03Z"}],
        "units": [
            {"unit_id": "4A15", "distance_m": 420.0},
            {"unit_id": "4A12", "distance_m": 180.0},
        ],
    }
    base.update(detail)
    return Alert(
        id=alert_id,
        rule="gunshot_nearby",
        created_at=T0,
        severity="critical",
        title="Gunshot",
        event_id="e-" + alert_id,
        location=Location(lat=39.9612, lon=-82.9988),
        detail=base,
    )


def hit(alert_id: str, severity: Severity = "warning") -> Alert:
    return Alert(
        id=alert_id,
        rule="hotlist_hit_confirmed",
        created_at=T0,
        severity=severity,
        title="hit",
        event_id="e-" + alert_id,
        location=Location(lat=39.97, lon=-82.99),
        detail={
            "hit": {
                "plate_read": "ABC123",
                "state_read": "OH",
                "list_name": "stolen",
                "entry": {"reason": "stolen vehicle"},
                "read_at": "2026-11-25T21:00:00Z",
            }
        },
    )


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


# ---- the words -------------------------------------------------------------------------


def test_gunshot_script_reads_like_a_dispatcher() -> None:
    opts = ScriptOptions(talkgroup="All units, District 4", timezone="America/New_York")
    assert script(gunshot(), opts) == (
        "All units, District 4. Shots fired, four rounds, 300 block of Main Street. "
        "Units 4-Adam-12 and 4-Adam-15 nearby. 21:14."
    )


def test_without_an_address_it_says_direction_and_distance_from_the_landmark() -> None:
    lat, lon = offset_m(HALL.lat, HALL.lon, 300.0, 300.0)  # ~424 m north-east
    alert = gunshot(incident={"id": "RTCC-1"}, units=[])
    alert = Alert(**{**_fields(alert), "location": Location(lat=lat, lon=lon)})
    text = script(alert, ScriptOptions(landmark=HALL))
    assert "400 metres north-east of City Hall" in text
    imperial = script(alert, ScriptOptions(landmark=HALL, distance_units="imperial"))
    assert "0.3 miles north-east of City Hall" in imperial
    near = Alert(**{**_fields(alert), "location": Location(lat=HALL.lat, lon=HALL.lon)})
    assert "at City Hall" in script(near, ScriptOptions(landmark=HALL))


def test_coordinates_are_read_only_when_configured() -> None:
    alert = gunshot(incident={"id": "RTCC-1"})
    assert "39" not in script(alert, ScriptOptions())
    assert "location on your terminal" in script(alert, ScriptOptions())
    spoken = script(alert, ScriptOptions(read_coordinates=True))
    assert "latitude 39.9612 north, longitude 82.9988 west" in spoken


def test_plates_units_and_addresses_in_radio_style() -> None:
    assert phonetic("ABC123") == "Adam Boy Charles 1 2 3"
    assert unit_call_sign("4A12") == "4-Adam-12"
    assert unit_call_sign("K9") == "King-9"
    assert address_phrase("312 Main Street") == "300 block of Main Street"
    assert address_phrase("45 Oak Ave") == "unit block of Oak Ave"
    assert address_phrase("Main St and 5th Ave") == "Main St and 5th Ave"
    text = script(hit("h1"), ScriptOptions())
    assert "Confirmed hotlist hit, plate Adam Boy Charles 1 2 3, OH, stolen vehicle" in text
    assert text.endswith("21:00.")


def test_bad_options_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="timezone"):
        ScriptOptions(timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="seconds_per_hour"):
        RadioOptions.model_validate({"folder": str(tmp_path), "seconds_per_hour": 0})
    assert channel_class("radio") is RadioChannel


# ---- the budget, exact numbers ---------------------------------------------------------


def b(alert_id: str, severity: Severity, seconds: float, at: datetime) -> Broadcast:
    return Broadcast(alert_id, severity, seconds, at)


def test_budget_airs_holds_then_releases_when_the_hour_rolls() -> None:
    s = AirtimeScheduler(60, hold_max_s=3600, critical_may_exceed=False)
    assert [o.decision for o in s.arrive(b("a", "warning", 30, T0), T0)] == ["aired"]
    later = T0 + timedelta(seconds=10)
    assert s.arrive(b("b", "warning", 20, later), later)[0].used_s == 50
    t2 = T0 + timedelta(seconds=20)
    held = s.arrive(b("c", "info", 20, t2), t2)[-1]
    assert (held.decision, held.used_s, held.left_s) == ("held", 50, 10)
    assert "frees in 3580 s" in held.reason
    assert s.next_wake_s(t2) == pytest.approx(3580)
    assert s.release(T0 + timedelta(seconds=3599)) == []
    out = s.release(T0 + timedelta(seconds=3600))
    assert [(o.broadcast.alert_id, o.decision, o.used_s) for o in out] == [("c", "aired", 40)]


def test_budget_drops_what_cannot_air_within_hold_max() -> None:
    s = AirtimeScheduler(60, hold_max_s=300, critical_may_exceed=False)
    s.arrive(b("a", "warning", 50, T0), T0)
    out = s.arrive(b("b", "warning", 20, T0), T0)[-1]
    assert out.decision == "dropped" and "more than hold_max_s 300" in out.reason
    too_long = s.arrive(b("c", "critical", 61, T0), T0)[-1]
    assert too_long.decision == "dropped"
    assert "longer than the whole hourly budget" in too_long.reason


def test_critical_cuts_queued_routine_traffic_and_waits_at_the_head() -> None:
    s = AirtimeScheduler(60, hold_max_s=3600, critical_may_exceed=False)
    s.arrive(b("a", "warning", 50, T0), T0)
    s.arrive(b("w", "warning", 20, T0), T0)
    s.arrive(b("i", "info", 5, T0), T0)
    out = s.arrive(b("c", "critical", 20, T0), T0)
    assert [(o.broadcast.alert_id, o.decision) for o in out] == [
        ("w", "cut"),
        ("i", "cut"),
        ("c", "held"),
    ]
    assert out[0].reason == "pre-empted by critical alert c"
    # A short routine broadcast that would fit still waits behind the held critical one.
    small = s.arrive(b("x", "info", 5, T0), T0)[-1]
    assert small.decision == "held" and "behind 1" in small.reason
    assert [q.alert_id for q in s.held] == ["c", "x"]


def test_critical_may_exceed_the_budget_only_when_configured() -> None:
    s = AirtimeScheduler(60, hold_max_s=0, critical_may_exceed=True)
    s.arrive(b("a", "warning", 50, T0), T0)
    out = s.arrive(b("c", "critical", 20, T0), T0)[-1]
    assert out.decision == "aired" and "over budget by 10.0 s" in out.reason
    assert (out.used_s, out.left_s) == (70, -10)
    routine = s.arrive(b("w", "warning", 1, T0), T0)[-1]
    assert routine.decision == "dropped"


def test_held_broadcasts_expire() -> None:
    s = AirtimeScheduler(60, hold_max_s=3600, critical_may_exceed=False)
    s.arrive(b("a", "warning", 60, T0), T0)
    s.arrive(b("w", "warning", 10, T0 + timedelta(seconds=100)), T0 + timedelta(seconds=100))
    s.arrive(b("c", "critical", 10, T0 + timedelta(seconds=200)), T0 + timedelta(seconds=200))
    out = s.release(T0 + timedelta(seconds=3701))
    assert [(o.broadcast.alert_id, o.decision) for o in out] == [("c", "aired")]
    assert s.held == []


# ---- the channel, real espeak-ng and sox -----------------------------------------------


def _fields(alert: Alert) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in Alert.__slots__}


def channel(tmp_path: Path, clock: Clock, **options: Any) -> RadioChannel:
    opts = RadioOptions.model_validate({"folder": tmp_path / "radio", **options})
    return RadioChannel("radio-d4", opts, clock=clock)


def _header_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def _log(ch: RadioChannel) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ch.log_path.read_text().splitlines()]


async def test_a_broadcast_is_a_measured_wav_and_a_log_line(tmp_path: Path) -> None:
    clock = Clock()
    ch = channel(tmp_path, clock, seconds_per_hour=600, talkgroup="All units, District 4")
    receipt = await ch.deliver(gunshot())
    await ch.close()
    detail = receipt.detail
    wav = Path(detail["file"])
    assert wav.parent == tmp_path / "radio" and wav.name.endswith("-critical-g1.wav")
    with wave.open(str(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
    assert detail["seconds"] == pytest.approx(_header_seconds(wav), abs=0.002)
    assert detail["seconds"] == pytest.approx(await measure_seconds(wav), abs=0.001)
    assert 3.0 < detail["seconds"] < 30.0  # a short spoken sentence, not silence
    assert detail["script"].startswith("All units, District 4. Shots fired, four rounds")
    assert list((tmp_path / "radio" / ".pending").iterdir()) == []
    (line,) = _log(ch)
    assert line == detail
    assert (line["decision"], line["priority"], line["budget_s"]) == ("aired", "critical", 600)
    assert line["used_s"] == detail["seconds"]
    assert line["left_s"] == pytest.approx(600 - detail["seconds"], abs=0.002)


async def test_over_budget_is_held_then_aired_when_airtime_frees(tmp_path: Path) -> None:
    clock = Clock()
    ch = channel(tmp_path, clock, seconds_per_hour=BUDGET_S, hold_max_s=3600)
    first = await ch.deliver(hit("h1"))
    assert first.detail["decision"] == "aired"
    second = await ch.deliver(hit("h2"))
    assert second.detail["decision"] == "held"
    assert ch.held == ["h2"]
    assert [p.name for p in (tmp_path / "radio" / ".pending").iterdir()] == ["h2.wav"]
    clock.now = T0 + timedelta(hours=1)
    for _ in range(40):  # the channel's own pump airs it (it looks at least once a second)
        if not ch.held:
            break
        await asyncio.sleep(0.1)
    await ch.close()
    released = _log(ch)[-1]
    assert (released["alert_id"], released["decision"]) == ("h2", "aired")
    assert (tmp_path / "radio" / Path(released["file"]).name).is_file()
    assert released["used_s"] == pytest.approx(released["seconds"], abs=0.002)
    assert [(e["alert_id"], e["decision"]) for e in _log(ch)] == [
        ("h1", "aired"),
        ("h2", "held"),
        ("h2", "aired"),
    ]


async def test_critical_pre_empts_and_may_exceed_when_configured(tmp_path: Path) -> None:
    clock = Clock()
    ch = channel(
        tmp_path, clock, seconds_per_hour=BUDGET_S, hold_max_s=3600, critical_may_exceed_budget=True
    )
    await ch.deliver(hit("h1"))
    await ch.deliver(hit("h2"))
    receipt = await ch.deliver(gunshot("g1"))
    await ch.close()
    assert receipt.detail["decision"] == "aired"
    assert "critical_may_exceed_budget" in receipt.detail["reason"]
    assert receipt.detail["left_s"] < 0
    log = _log(ch)
    assert [(e["alert_id"], e["decision"]) for e in log] == [
        ("h1", "aired"),
        ("h2", "held"),
        ("h2", "cut"),
        ("g1", "aired"),
    ]
    assert log[2]["reason"] == "pre-empted by critical alert g1"
    wavs = {p.name.rsplit("-", 1)[1] for p in (tmp_path / "radio").glob("*.wav")}
    assert wavs == {"h1.wav", "g1.wav"}
    assert not (tmp_path / "radio" / ".pending" / "h2.wav").exists()


async def test_dropped_broadcasts_fail_without_retry(tmp_path: Path) -> None:
    clock = Clock()
    ch = channel(tmp_path, clock, seconds_per_hour=BUDGET_S, hold_max_s=0)
    await ch.deliver(hit("h1"))
    with pytest.raises(DeliveryError) as caught:
        await ch.deliver(hit("h2"))
    assert caught.value.retryable is False and "left this hour" in caught.value.reason
    pending = Alert(**{**_fields(hit("p1")), "detail": {"audience": "lpr.hits.confirm"}})
    with pytest.raises(DeliveryError, match="open broadcast"):
        await ch.deliver(pending)
    await ch.close()
    assert [(e["alert_id"], e["decision"]) for e in _log(ch)] == [
        ("h1", "aired"),
        ("h2", "dropped"),
        ("p1", "dropped"),
    ]
    wavs = [p.name for p in (tmp_path / "radio").glob("*.wav")]
    assert len(wavs) == 1 and wavs[0].endswith("-warning-h1.wav")
