"""Auto-dock and slew-to-cue: the ONVIF AbsoluteMove toward a point, and the gunshot
alert carrying the docked cameras through the live ingest pipeline."""

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from pydantic import ValidationError

from rtcc.analysis.camera_dock import dock, slew_command
from rtcc.analysis.visibility import GEOD, CameraView, VisibleCamera
from rtcc.app import build_services
from rtcc.settings import CameraDockSettings, Settings
from tests.conftest import gunshot
from tests.sources.test_onvif import onvif_xsd  # noqa: F401  (the real ptz.wsdl schema)

TPTZ = "{http://www.onvif.org/ver20/ptz/wsdl}"
TT = "{http://www.onvif.org/ver10/schema}"
SHOT = (39.9612, -82.9988)


def at(bearing: float, distance_m: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(SHOT[1], SHOT[0], bearing, distance_m)
    return float(lat), float(lon)


def seen(cam: CameraView, bearing: float, distance_m: float) -> VisibleCamera:
    return VisibleCamera(cam, distance_m, bearing, 0.0)


def test_slew_pan_tilt_zoom_in_the_generic_spaces() -> None:
    cam = CameraView("PTZ-1", *SHOT, heading_deg=10.0, range_m=400.0, camera_type="ptz")
    cmd = slew_command(seen(cam, 100.0, 100.0), mount_height_m=6.0, profile_token="P1")
    assert cmd.pan == pytest.approx(90.0 / 180.0)  # 90° right of home
    assert cmd.tilt == pytest.approx(-math.degrees(math.atan(6.0 / 100.0)) / 90.0, abs=1e-6)
    assert cmd.zoom == pytest.approx(0.25)
    left = slew_command(seen(cam, 350.0, 400.0), mount_height_m=6.0, profile_token="P1")
    assert left.pan == pytest.approx(-20.0 / 180.0)  # wraps through north, not +340°
    assert left.zoom == 1.0
    limited = CameraView("P90", *SHOT, 0.0, 60.0, 400.0, "ptz", pan_range_deg=90.0)
    edge = slew_command(seen(limited, 80.0, 50.0), mount_height_m=6.0, profile_token="P1")
    assert edge.pan == 1.0  # beyond the ±45° pan range: clamped to the stop
    below = slew_command(seen(cam, 10.0, 0.0), mount_height_m=6.0, profile_token="P1")
    assert below.tilt == -1.0 and below.pan == 0.0


def test_soap_body_is_a_valid_onvif_absolute_move(
    onvif_xsd: xmlschema.XMLSchema11,  # noqa: F811
) -> None:
    cam = CameraView("PTZ-1", *SHOT, heading_deg=0.0, range_m=400.0, camera_type="ptz")
    received = datetime(2026, 11, 25, 20, 14, 3, tzinfo=UTC)
    cmd = slew_command(
        seen(cam, 45.0, 200.0), mount_height_m=8.0, profile_token="Main", received_at=received
    )
    root = etree.fromstring(cmd.soap_body())
    [move] = root.iter(f"{TPTZ}AbsoluteMove")
    assert onvif_xsd.is_valid(move), list(onvif_xsd.iter_errors(move))[:1]
    assert move.findtext(f"{TPTZ}ProfileToken") == "Main"
    pan_tilt = move.find(f"{TPTZ}Position/{TT}PanTilt")
    assert float(pan_tilt.get("x")) == pytest.approx(0.25)
    assert float(pan_tilt.get("y")) < 0
    assert float(move.find(f"{TPTZ}Position/{TT}Zoom").get("x")) == pytest.approx(0.5)
    wire = cmd.to_wire()
    assert wire["Position"]["PanTilt"]["x"] == cmd.pan
    assert wire["hops"]["received_at"].startswith("2026-11-25T20:14:03")
    assert wire["latency_ms"] == pytest.approx(
        (cmd.built_at - received).total_seconds() * 1000, abs=0.01
    )


def test_dock_takes_the_first_n_and_slews_only_steerable_cameras() -> None:
    ptz = CameraView("PTZ", *at(0, 50), heading_deg=180.0, camera_type="ptz")
    fixed = CameraView("FIX", *at(90, 60), heading_deg=270.0)
    third = CameraView("THIRD", *at(180, 70), heading_deg=0.0)
    ranked = [seen(ptz, 180.0, 50.0), seen(fixed, 270.0, 60.0), seen(third, 0.0, 70.0)]
    common = {"mount_height_m": 6.0, "profile_token": "P"}
    docked = dock(ranked, count=2, slew_to_cue=True, **common)  # type: ignore[arg-type]
    assert [d.seen.camera.camera_id for d in docked] == ["PTZ", "FIX"]
    assert docked[0].slew is not None and docked[1].slew is None
    off = dock(ranked, count=2, slew_to_cue=False, **common)  # type: ignore[arg-type]
    assert all(d.slew is None for d in off)


def test_dock_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="count"):
        CameraDockSettings(count=0)
    with pytest.raises(ValidationError, match="mount_height_m"):
        CameraDockSettings(mount_height_m=-1)
    assert Settings(camera_dock={"count": 2, "slew_to_cue": False}).camera_dock.count == 2  # type: ignore[arg-type]


def _camera(cid: str, lat: float, lon: float, heading: float, kind: str = "fixed") -> dict:  # type: ignore[type-arg]
    return {
        "kind": "camera_status",
        "id": f"{cid}-reg",
        "occurred_at": "2026-11-25T20:00:00Z",
        "location": {"lat": lat, "lon": lon},
        "payload": {
            "camera_id": cid,
            "heading_deg": heading,
            "camera_type": kind,
            "range_m": 300.0,
        },
    }


def test_gunshot_alert_docks_the_cameras_that_see_it_with_a_slew(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        sqlite_synchronous="NORMAL",
        camera_dock=CameraDockSettings(count=2, mount_height_m=10.0, ptz_profile_token="Tok"),
    )
    svc = build_services(settings)
    try:
        svc.pipeline.process(
            "t",
            [
                _camera("PTZ-NEAR", *at(0, 80), 0.0, "ptz"),  # faces away, but pans
                _camera("FIX-SEES", *at(90, 120), 270.0),
                _camera("FIX-AWAY", *at(180, 60), 180.0),  # nearest, faces away
                _camera("FIX-THIRD", *at(270, 200), 90.0),  # sees it, beyond N = 2
            ],
        )
        result = svc.pipeline.process("t", [gunshot(*SHOT, ref="g-dock")])
        [alert] = [a for a in result.alerts if a.rule == "gunshot_nearby"]
        cams = {c["camera_id"]: c for c in alert.detail["cameras"]}
        assert {k for k, c in cams.items() if c["docked"]} == {"PTZ-NEAR", "FIX-SEES"}
        assert cams["FIX-AWAY"]["in_view"] is False and cams["FIX-THIRD"]["in_view"] is True
        slew = cams["PTZ-NEAR"]["slew"]
        assert slew["ProfileToken"] == "Tok"
        assert abs(slew["Position"]["PanTilt"]["x"]) == pytest.approx(1.0, abs=1e-3)  # half turn
        assert cams["FIX-SEES"]["slew"] is None
        assert slew["hops"]["received_at"] is not None and slew["latency_ms"] >= 0
        assert cams["FIX-SEES"]["angle_off_axis_deg"] == pytest.approx(0.0, abs=0.5)

        # The camera goes offline: the index hears it from ingest, the next shot skips it.
        off = _camera("FIX-SEES", *at(90, 120), 270.0)
        off["id"], off["occurred_at"] = "off-1", "2026-11-25T20:10:00Z"
        off["payload"]["status"] = "offline"
        svc.pipeline.process("t", [off])
        later = gunshot(*SHOT, ref="g-later")
        later["occurred_at"] = (
            datetime(2026, 11, 25, 21, tzinfo=UTC) + timedelta(hours=1)
        ).isoformat()
        again = svc.pipeline.process("t", [later])
        [alert2] = [a for a in again.alerts if a.rule == "gunshot_nearby"]
        docked2 = {c["camera_id"] for c in alert2.detail["cameras"] if c["docked"]}
        assert docked2 == {"PTZ-NEAR", "FIX-THIRD"}
        assert "FIX-SEES" not in {c["camera_id"] for c in alert2.detail["cameras"]}
    finally:
        svc.storage.close()


def test_the_index_is_rebuilt_from_the_store_at_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, sqlite_synchronous="NORMAL")
    first = build_services(settings)
    first.pipeline.process("t", [_camera("KEPT", *at(0, 100), 180.0)])
    first.storage.close()
    second = build_services(settings)
    try:
        found = second.pipeline.cameras.visible_cameras(*SHOT, 5)
        assert [v.camera.camera_id for v in found] == ["KEPT"]
    finally:
        second.storage.close()
