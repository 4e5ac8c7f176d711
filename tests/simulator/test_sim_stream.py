"""The event stream: valid wire events, repeatable, and behaving like a city."""

import itertools
import math
from collections import defaultdict
from datetime import datetime, timedelta

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.simulator import City, CitySimulator, build_city
from tests.simulator.streams import START, Stream, of_kind, payload, simulate

LIFECYCLE = ["created", "dispatched", "enroute", "on_scene", "closed"]


def when(event: dict[str, object]) -> datetime:
    value = event["occurred_at"]
    assert isinstance(value, str)
    return datetime.fromisoformat(value)


def latlon(event: dict[str, object]) -> tuple[float, float]:
    loc = event["location"]
    assert isinstance(loc, dict)
    return loc["lat"], loc["lon"]


def distance_to_streets_m(city: City, lat: float, lon: float) -> float:
    north, east = city.local_m(lat, lon)
    best = math.inf
    for seg in city.segments:
        a, b = city.intersections[seg.a], city.intersections[seg.b]
        dn, de = b.north_m - a.north_m, b.east_m - a.east_m
        t = ((north - a.north_m) * dn + (east - a.east_m) * de) / (dn * dn + de * de)
        t = min(1.0, max(0.0, t))
        best = min(best, math.hypot(north - a.north_m - t * dn, east - a.east_m - t * de))
    return best


def test_every_event_validates_and_has_a_unique_id_and_utc_time(two_hours: Stream) -> None:
    events = two_hours.events
    assert {e["kind"] for e in events} == {
        "cad_incident", "caller_location", "unit_position", "lpr_read", "gunshot", "camera_status"
    }  # fmt: skip
    for event in events:
        EVENT_IN_ADAPTER.validate_python(event)
        stamp = event["occurred_at"]
        assert isinstance(stamp, str) and stamp.endswith(("Z", "+00:00"))
        assert START <= when(event) <= START + timedelta(hours=2)
    ids = [e["id"] for e in events]
    assert len(set(ids)) == len(ids)


def test_same_seed_gives_the_same_stream_and_another_seed_does_not() -> None:
    first, again, other = (simulate(seed, 1200).events for seed in (7, 7, 8))
    assert first == again
    assert first != other


def test_default_intensity_is_a_lively_demo(two_hours: Stream) -> None:
    created = [
        e for e in of_kind(two_hours.events, "cad_incident") if payload(e)["status"] == "created"
    ]
    assert 2 * 60 * 60 / 45 <= len(created) <= 2 * 60 * 60 / 15  # one every 15-45 s
    assert 20 <= len(of_kind(two_hours.events, "gunshot")) <= 120
    reads_per_s = len(of_kind(two_hours.events, "lpr_read")) / 7200
    assert 1.5 <= reads_per_s <= 6


def test_units_stay_on_streets(two_hours: Stream) -> None:
    positions = of_kind(two_hours.events, "unit_position")[:3000]
    assert len({payload(e)["unit_id"] for e in positions}) == 12
    for event in positions:
        assert distance_to_streets_m(two_hours.city, *latlon(event)) < 2.0
        speed = payload(event)["speed_mps"]
        assert isinstance(speed, float)
        assert speed == 0 or 8 <= speed <= 15


def test_each_unit_reports_every_few_seconds(two_hours: Stream) -> None:
    times: dict[object, list[datetime]] = defaultdict(list)
    for event in of_kind(two_hours.events, "unit_position"):
        times[payload(event)["unit_id"]].append(when(event))
    for stamps in times.values():
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(stamps)]
        assert max(gaps) <= 7


def test_incident_lifecycle_runs_in_order(two_hours: Stream) -> None:
    steps: dict[object, list[dict[str, object]]] = defaultdict(list)
    for event in of_kind(two_hours.events, "cad_incident"):
        steps[payload(event)["incident_id"]].append(event)
    closed_with_units = 0
    for events in steps.values():
        statuses = [payload(e)["status"] for e in events]
        assert statuses[0] == "created"
        order = [LIFECYCLE.index(str(s)) for s in statuses]
        assert order == sorted(set(order)), statuses
        assert [when(e) for e in events] == sorted(when(e) for e in events)
        assert len({e["id"] for e in events}) == len(events)
        if "dispatched" in statuses:
            assert all(payload(e)["units"] for e in events[1:])
        if statuses == LIFECYCLE:
            closed_with_units += 1
    assert closed_with_units > 100


def test_unit_statuses_follow_their_incidents(two_hours: Stream) -> None:
    avl = defaultdict(set)
    for event in of_kind(two_hours.events, "unit_position"):
        p = payload(event)
        avl[(p["unit_id"], p["status"])].add(when(event))
    checked = 0
    for event in of_kind(two_hours.events, "cad_incident"):
        p = payload(event)
        units = p["units"]
        assert isinstance(units, list)
        if p["status"] == "dispatched":
            assert all(when(event) in avl[(u, "enroute")] for u in units)
        if p["status"] == "on_scene":
            assert any(when(event) in avl[(u, "on_scene")] for u in units)
            checked += 1
        if p["status"] == "closed" and units:
            assert all(when(event) >= min(avl[(u, "busy")]) for u in units)
    assert checked > 100


def test_hotlist_plates_are_read_and_flagged(two_hours: Stream) -> None:
    hotlist: dict[object, str | None] = {v.plate: v.hotlist for v in two_hours.sim.hotlist}
    assert len(hotlist) == 5
    hits = 0
    for event in of_kind(two_hours.events, "lpr_read"):
        p = payload(event)
        assert p.get("hotlist") == hotlist.get(p["plate"])
        hits += p.get("hotlist") is not None
    assert 20 <= hits <= 150
    assert "NCIC stolen vehicle" in hotlist.values()


def test_gunshots_usually_bring_a_shots_call_nearby(two_hours: Stream) -> None:
    shots = of_kind(two_hours.events, "gunshot")
    calls = [
        e
        for e in of_kind(two_hours.events, "cad_incident")
        if payload(e)["status"] == "created" and payload(e)["call_type"] == "SHOTS"
    ]
    followed = 0
    for shot in shots:
        lat, lon = latlon(shot)
        followed += any(
            0 < (when(c) - when(shot)).total_seconds() <= 91
            and math.dist(latlon(c), (lat, lon)) < 0.0005  # ~40 m
            for c in calls
        )
    confident = [s for s in shots if payload(s)["classification"] != "possible_gunshot"]
    assert followed >= 0.5 * len(confident)
    assert all(payload(s)["rounds"] in range(1, 9) for s in shots)


def test_cameras_register_heartbeat_and_recover_from_outages(two_hours: Stream) -> None:
    cams = of_kind(two_hours.events, "camera_status")
    registered = [e for e in cams if when(e) == START]
    assert len(registered) == 30 and all(payload(e)["status"] == "online" for e in registered)
    by_camera: dict[object, list[str]] = defaultdict(list)
    for event in cams:
        by_camera[payload(event)["camera_id"]].append(str(payload(event)["status"]))
    assert all(100 <= len(s) <= 140 for s in by_camera.values())  # ~1 a minute for 2 h
    recovered = [s for s in by_camera.values() if "offline" in s and s[-1] == "online"]
    assert recovered


def test_callers_move_and_report_accuracy(two_hours: Stream) -> None:
    calls = of_kind(two_hours.events, "caller_location")
    by_call: dict[object, list[dict[str, object]]] = defaultdict(list)
    for event in calls:
        by_call[payload(event)["call_id"]].append(event)
    assert len(by_call) > 50
    assert {payload(e)["method"] for e in calls} == {"gps", "wifi", "cell"}
    for event in calls:
        loc = event["location"]
        assert isinstance(loc, dict) and 5 <= loc["accuracy_m"] <= 80
    assert any(len({latlon(e) for e in evs}) > 2 for evs in by_call.values())


def test_gunshot_at_builds_a_valid_event_without_disturbing_the_stream() -> None:
    city = build_city()
    plain, probed = CitySimulator(city, 7), CitySimulator(city, 7)
    event = probed.gunshot_at(START, 39.96, -82.99)
    EVENT_IN_ADAPTER.validate_python(event)
    assert latlon(event) == (39.96, -82.99)
    t = START + timedelta(seconds=1)
    assert plain.initial_events(START) == probed.initial_events(START)
    assert plain.step(t, 1.0) == probed.step(t, 1.0)
