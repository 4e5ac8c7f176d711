"""Bulletins: render each PDF from real stores, read it (pdftotext), look at it (pdftoppm)."""

import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from rtcc.analysis.hotlists.models import Hit
from rtcc.core.alerts import Alert
from rtcc.core.bus import Bus
from rtcc.core.clock import utcnow
from rtcc.core.events import EVENT_IN_ADAPTER, event_from_wire
from rtcc.core.geo import Location, offset_m
from rtcc.outputs.bulletin import BulletinChannel, BulletinOptions
from rtcc.outputs.bulletins.bolo import Bolo
from rtcc.outputs.bulletins.lead import incident_lead
from rtcc.outputs.bulletins.map_svg import HEIGHT, WIDTH, incident_map
from rtcc.outputs.bulletins.render import render_bolo, render_lead, render_shift
from rtcc.outputs.bulletins.shift import shift_brief
from rtcc.outputs.registry import channel_class
from rtcc.pipeline.ingest import IngestPipeline
from rtcc.pipeline.rules import RuleEngine
from rtcc.pipeline.rules.gunshot import GunshotNearbyRule
from rtcc.storage.base import Storage
from tests.conftest import camera, gunshot, unit

SHOT = (39.9612, -82.9988)
MAP_BACKGROUND = (0xF4, 0xF1, 0xEA)


def at(north: float, east: float) -> tuple[float, float]:
    return offset_m(*SHOT, north, east)


def scene_items() -> list[dict[str, Any]]:
    """Cameras, units, plate reads and an open CAD call around one gunshot."""
    cad_lat, cad_lon = at(10, 0)
    read_lat, read_lon = at(150, 40)
    return [
        camera("CAM-NORTH", *at(100, 0), heading=180.0),
        camera("CAM-EAST", *at(0, 120), heading=None),
        unit("4A12", *at(-300, 0)),
        unit("4A15", *at(200, -250)),
        {
            "kind": "lpr_read",
            "id": "read-ABC1234",
            "occurred_at": "2026-11-25T20:11:00Z",
            "location": {"lat": read_lat, "lon": read_lon},
            "payload": {"reader_id": "R-7", "plate": "ABC1234", "plate_state": "OH"},
        },
        {
            "kind": "cad_incident",
            "id": "CAD-77-created",
            "occurred_at": "2026-11-25T20:12:00Z",
            "location": {"lat": cad_lat, "lon": cad_lon},
            "payload": {
                "incident_id": "CAD-77",
                "status": "created",
                "call_type": "SHOTS",
                "address": "312 Main Street",
            },
        },
    ]


@pytest.fixture
def storage(backend: Storage) -> Storage:
    store = backend
    now = datetime.now(UTC)
    store.events.append(
        [event_from_wire(EVENT_IN_ADAPTER.validate_python(i), "t", now) for i in scene_items()]
    )
    pipeline = IngestPipeline(store, Bus(), RuleEngine([GunshotNearbyRule()]))
    [alert] = pipeline.process("sensors", [gunshot(*SHOT)]).alerts
    assert alert.detail["incident"]["id"] == "CAD-77"
    return store


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def first_page_png(pdf: bytes) -> Image.Image:
    """Page 1 at 72 dpi as pdftoppm draws it (PNG on stdout with -singlefile)."""
    done = subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(BytesIO(done.stdout)).convert("RGB")


def map_box(page: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the map's background colour on the page, if any."""
    pixels = page.load()
    assert pixels is not None
    xs, ys = [], []
    for y in range(0, page.height, 2):
        for x in range(0, page.width, 2):
            if pixels[x, y] == MAP_BACKGROUND:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def near(colour: tuple[int, int, int], target: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(colour, target, strict=True))


# ---- BOLO ------------------------------------------------------------------------------


def test_bolo_pdf_carries_plate_case_and_contact() -> None:
    bolo = Bolo(
        title="Armed robbery suspect",
        subject="Male, 30s, red hooded sweatshirt",
        vehicle="Grey Honda Civic, dent on rear bumper",
        plate="ABC1234",
        plate_state="OH",
        photo_ref="evidence/2026-001234/photo-3.jpg",
        reason="Robbery at gunpoint, Main Street pharmacy",
        caution="Armed, do not approach alone",
        case_number="2026-001234",
        contact="Det. R. Smith, 614-555-0100",
    )
    pdf = render_bolo(bolo, agency="Columbus Division of Police", issued_by="analyst1")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        "BE ON THE LOOKOUT",
        "ABC1234 (OH)",
        "2026-001234",
        "Det. R. Smith, 614-555-0100",
        "evidence/2026-001234/photo-3.jpg",
        "CAUTION: Armed, do not approach alone",
        "analyst1",
    ):
        assert expected in text, expected
    assert first_page_png(pdf).getbbox() is not None


def test_a_bolo_must_say_what_to_look_for() -> None:
    with pytest.raises(ValueError, match="subject: give a subject, a vehicle or a plate"):
        Bolo(title="x", reason="y", case_number="C-1", contact="desk")
    with pytest.raises(ValueError, match="plate"):
        Bolo(title="x", reason="y", case_number="C-1", contact="desk", plate="abc 123")


# ---- lead summary ----------------------------------------------------------------------


def test_lead_summary_gathers_the_incident_from_the_stores(storage: Storage) -> None:
    lead = incident_lead(storage.events, "CAD-77")
    assert lead is not None
    assert (lead.call_type, lead.address) == ("SHOTS", "312 Main Street")
    assert len(lead.alerts) == 1
    assert {c["camera_id"] for c in lead.cameras} == {"CAM-NORTH", "CAM-EAST"}
    assert [r["plate"] for r in lead.plate_reads] == ["ABC1234"]
    assert [u["unit_id"] for u in lead.units] == ["4A12", "4A15"]  # nearest first
    kinds = [item.kind for item in lead.timeline]
    assert kinds == ["plate", "cad", "gunshot", "alert"]  # read 20:11, CAD 20:12, shot 20:14
    assert incident_lead(storage.events, "NO-SUCH") is None


def test_map_svg_has_incident_at_centre_sectors_scale_and_north(storage: Storage) -> None:
    lead = incident_lead(storage.events, "CAD-77")
    assert lead is not None
    svg = incident_map(lead)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="camera"') == 2
    assert svg.count('<path d="M') >= 1  # the heading camera's view sector
    assert 'class="scale-bar"' in svg and 'class="north-arrow"' in svg
    assert svg.count('class="unit"') == 2 and "ABC1234" in svg
    star = svg.split('class="incident" points="')[1].split('"')[0]
    top = star.split()[0].split(",")
    assert float(top[0]) == pytest.approx(WIDTH / 2, abs=0.1)
    assert float(top[1]) == pytest.approx(HEIGHT / 2 - 11, abs=0.1)


def test_lead_pdf_text_and_drawn_map(storage: Storage) -> None:
    lead = incident_lead(storage.events, "CAD-77")
    assert lead is not None
    pdf = render_lead(lead, agency="Columbus Division of Police")
    text = pdf_text(pdf)
    assert "Incident CAD-77" in text
    assert "Alerts: 1 · Cameras: 2 · Plate reads: 1 · Units: 2" in text
    for expected in ("CAM-NORTH", "ABC1234", "4A12", "4A15", "CAD created: SHOTS at 312 Main"):
        assert expected in text, expected
    page = first_page_png(pdf)
    box = map_box(page)
    assert box is not None, "no map background on page 1"
    left, top, right, bottom = box
    assert right - left > page.width * 0.6 and bottom - top > page.height * 0.25
    inside = page.crop(box)
    colours = list(inside.get_flattened_data())
    drawn = sum(1 for c in colours if c != MAP_BACKGROUND and c != (255, 255, 255))
    assert drawn > 200
    for target in ((0xC6, 0x28, 0x28), (0x15, 0x65, 0xC0), (0x2E, 0x7D, 0x32), (0xEF, 0x6C, 0x00)):
        assert any(near(c, target) for c in colours), target


def test_lead_without_location_says_so_and_draws_no_map(storage: Storage) -> None:
    storage.events.add_alerts(
        [
            Alert(
                id="nolocation",
                rule="manual",
                created_at=utcnow(),
                severity="info",
                title="Tip received by phone",
                event_id="tip-1",
                location=None,
                detail={"incident_id": "TIP-9"},
            )
        ]
    )
    lead = incident_lead(storage.events, "TIP-9")
    assert lead is not None and lead.lat is None
    pdf = render_lead(lead, agency="Columbus")
    assert "No location recorded for this incident" in pdf_text(pdf)
    assert map_box(first_page_png(pdf)) is None


# ---- shift brief -----------------------------------------------------------------------


def _alert(alert_id: str, rule: str, severity: str, created: datetime) -> Alert:
    return Alert(
        id=alert_id,
        rule=rule,
        created_at=created,
        severity=severity,  # type: ignore[arg-type]
        title=f"{rule} {alert_id}",
        event_id=f"e-{alert_id}",
        location=Location(lat=SHOT[0], lon=SHOT[1]),
        detail={},
    )


def test_shift_brief_counts_from_the_stores(storage: Storage) -> None:
    now = utcnow()
    storage.events.add_alerts(
        [
            _alert("w1", "caller_in_geofence", "warning", now - timedelta(minutes=30)),
            _alert("w2", "caller_in_geofence", "warning", now - timedelta(minutes=20)),
            _alert("i1", "hotlist_match", "info", now - timedelta(minutes=10)),
            _alert("old", "caller_in_geofence", "critical", now - timedelta(days=2)),
        ]
    )
    storage.hotlists.add_hits(
        [
            Hit(
                id="hit-1",
                event_id="read-x",
                list_name="ncic-stolen",
                entry={"reason": "stolen vehicle"},
                plate_read="XYZ9876",
                state_read="OH",
                lookalike=False,
                positions=(),
                image_ref=None,
                reader_id="R-7",
                lat=SHOT[0],
                lon=SHOT[1],
                read_at=now - timedelta(minutes=15),
                created_at=now - timedelta(minutes=15),
                origin="server",
                status="confirmed",
                decided_by="analyst1",
                decided_at=now - timedelta(minutes=14),
            )
        ]
    )
    brief = shift_brief(storage, now - timedelta(hours=8), now + timedelta(minutes=1))
    assert brief.alerts_total == 4  # the gunshot and three of this shift, not the old one
    assert brief.by_severity == {"critical": 1, "warning": 2, "info": 1}
    assert [(r.rule, r.total) for r in brief.by_rule] == [
        ("caller_in_geofence", 2),
        ("gunshot_nearby", 1),
        ("hotlist_match", 1),
    ]
    assert [i["id"] for i in brief.incidents] == ["CAD-77"]
    assert [h.plate_read for h in brief.confirmed_hits] == ["XYZ9876"]
    text = pdf_text(render_shift(brief, agency="Columbus"))
    assert "Alerts: 4 (critical 1, warning 2, info 1)" in text
    assert "Incidents: 1 · Confirmed hotlist hits: 1" in text
    for expected in ("gunshot_nearby", "CAD-77", "XYZ9876 (OH)", "ncic-stolen", "analyst1"):
        assert expected in text, expected
    top = brief.top_locations[0]
    assert (top.label, top.count) == ("near 39.962, -82.998", 4)
    assert top.rules == ["caller_in_geofence", "gunshot_nearby", "hotlist_match"]
    assert "near 39.962, -82.998" in text


# ---- bulletin channel ------------------------------------------------------------------


async def test_bulletin_channel_writes_the_lead_pdf_of_critical_alerts(
    storage: Storage, tmp_path: Path
) -> None:
    [stored] = storage.events.recent_alerts(1)
    alert = Alert(
        id=stored["id"],
        rule=stored["rule"],
        created_at=datetime.fromisoformat(stored["created_at"]),
        severity=stored["severity"],
        title=stored["title"],
        event_id=stored["event_id"],
        location=Location(lat=stored["location"]["lat"], lon=stored["location"]["lon"]),
        detail=stored["detail"],
    )
    assert channel_class("bulletin") is BulletinChannel
    folder = tmp_path / "bulletins"
    channel = BulletinChannel("leads", BulletinOptions(folder=folder, agency="Columbus"))
    receipt = await channel.deliver(alert)
    assert receipt.detail["written"] is True and receipt.detail["incident"] == "CAD-77"
    pdf = (folder / f"lead-CAD-77-{alert.id}.pdf").read_bytes()
    assert "Incident CAD-77" in pdf_text(pdf) and "ABC1234" in pdf_text(pdf)
    assert map_box(first_page_png(pdf)) is not None
    info = _alert("i9", "caller_in_geofence", "info", utcnow())
    skipped = await channel.deliver(info)
    assert skipped.detail == {"written": False, "reason": "info is below min_severity critical"}
    assert sorted(p.name for p in folder.iterdir()) == [f"lead-CAD-77-{alert.id}.pdf"]
    await channel.close()
