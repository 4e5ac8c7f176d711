"""The grant rule for private cameras: time box, sharing modes, and the named reasons."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from rtcc.governance.camera_grants import (
    CameraGrant,
    FootageSegment,
    GrantPolicy,
    GrantRefused,
    PrivateCamera,
    decide_access,
    plan_grant,
    segments_inside,
)

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
H = timedelta(hours=1)
CAMERA = PrivateCamera(
    id="pc-1",
    kind="integrated",
    sharing="always",
    label="Front door",
    owner_name="A. Resident",
    email="a@example.org",
    phone=None,
    address="12 Elm St",
    lat=39.96,
    lon=-82.99,
    heading_deg=90.0,
    fov_deg=90.0,
    range_m=30.0,
    stream_url="rtsp://cam.example.org/1",
    created_at=NOW - 10 * H,
)
GRANT = CameraGrant(
    id="g1",
    camera_id="pc-1",
    case_number="2026-001234",
    granted_by="analyst1",
    agency="Test PD",
    starts_at=NOW - 2 * H,
    ends_at=NOW + 22 * H,
    created_at=NOW - 2 * H,
)


def decide(
    camera: PrivateCamera = CAMERA,
    grant: CameraGrant | None = GRANT,
    start: datetime = NOW - H,
    end: datetime = NOW,
    now: datetime = NOW,
    incident: str | None = None,
    case: str | None = "2026-001234",
) -> tuple[bool, str, str]:
    d = decide_access(camera, grant, start, end, now, incident, case)
    return d.allowed, d.rule, d.reason


def test_inside_the_window_while_live_is_allowed() -> None:
    allowed, rule, reason = decide()
    assert (allowed, rule) == (True, "grant_window")
    assert "2026-001234" in reason


def test_footage_recorded_before_the_grant_began_is_refused() -> None:
    allowed, rule, reason = decide(start=GRANT.starts_at - timedelta(seconds=1))
    assert (allowed, rule) == (False, "before_grant_start")
    assert "cannot reach footage recorded before it began" in reason
    # exactly at the start is inside
    assert decide(start=GRANT.starts_at)[0]


def test_footage_after_the_grant_end_and_an_expired_grant_are_refused() -> None:
    assert decide(end=GRANT.ends_at + H)[:2] == (False, "after_grant_end")
    later = GRANT.ends_at + timedelta(seconds=1)
    assert decide(now=later)[:2] == (False, "grant_expired")
    assert decide(now=GRANT.starts_at - H)[:2] == (False, "grant_not_started")


def test_registry_only_registered_and_withdrawn_cameras_are_never_reached() -> None:
    assert decide(camera=replace(CAMERA, sharing="registry_only"))[:2] == (False, "registry_only")
    registered = replace(CAMERA, kind="registered", sharing=None)
    assert decide(camera=registered)[:2] == (False, "registered_map_only")
    withdrawn = replace(CAMERA, withdrawn_at=NOW - H)
    assert decide(camera=withdrawn)[:2] == (False, "camera_withdrawn")


def test_alarm_only_needs_an_open_incident_nearby() -> None:
    alarm = replace(CAMERA, sharing="alarm_only")
    allowed, rule, reason = decide(camera=alarm, incident=None)
    assert (allowed, rule) == (False, "alarm_only_no_incident")
    assert "alarm radius" in reason
    allowed, rule, reason = decide(camera=alarm, incident="INC-9")
    assert (allowed, rule) == (True, "grant_window")
    assert "INC-9" in reason


def test_no_grant_another_cameras_grant_or_another_case_is_refused() -> None:
    assert decide(grant=None)[:2] == (False, "no_grant")
    assert decide(grant=replace(GRANT, camera_id="pc-2"))[:2] == (False, "no_grant")
    assert decide(case="2026-999")[:2] == (False, "case_mismatch")


def test_plan_grant_starts_now_and_is_time_boxed() -> None:
    policy = GrantPolicy(max_grant_hours=72)
    start, end = plan_grant(CAMERA, None, 24, NOW, policy)
    assert (start, end) == (NOW, NOW + 24 * H)
    later = NOW + 3 * H
    assert plan_grant(CAMERA, later, 1, NOW, policy) == (later, later + H)


@pytest.mark.parametrize(
    ("camera", "starts", "hours", "field", "reason"),
    [
        (CAMERA, NOW - H, 1.0, "starts_at", "backdated"),
        (CAMERA, None, 73.0, "hours", "too_long"),
        (replace(CAMERA, sharing="registry_only"), None, 1.0, "camera_id", "registry_only"),
        (replace(CAMERA, kind="registered"), None, 1.0, "camera_id", "registered_map_only"),
    ],
)
def test_plan_grant_refusals_name_field_and_rule(
    camera: PrivateCamera, starts: datetime | None, hours: float, field: str, reason: str
) -> None:
    with pytest.raises(GrantRefused) as refused:
        plan_grant(camera, starts, hours, NOW, GrantPolicy(max_grant_hours=72))
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_only_whole_segments_inside_the_range_are_returned() -> None:
    def seg(a: int, b: int) -> FootageSegment:
        return FootageSegment("pc-1", NOW + a * H, NOW + b * H, f"https://x/{a}", NOW)

    inside = segments_inside([seg(-1, 1), seg(0, 1), seg(1, 2), seg(2, 4)], NOW, NOW + 3 * H)
    assert [s.clip_url for s in inside] == ["https://x/0", "https://x/1"]
