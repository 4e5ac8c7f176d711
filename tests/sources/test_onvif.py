"""The ONVIF adapter: our recorded-style envelopes, the real ONVIF XSDs and the edge cases.

No real camera traffic is in ../shared/data, only the ONVIF WSDL/XSD set: every fixture's
`tt:Message` and `tptz:GetStatusResponse` is validated against it with xmlschema, and the
code is shown to refuse what the XSD refuses.
"""

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from rtcc.core.events import EVENT_IN_ADAPTER
from rtcc.sources.base import AdapterError
from rtcc.sources.onvif import OnvifAdapter, OnvifOptions

FIXTURES = Path(__file__).parent / "fixtures" / "onvif"
OPTIONS = json.loads((FIXTURES / "options.json").read_text())
GOOD = {p.name: p.read_bytes() for p in sorted((FIXTURES / "good").glob("*.xml"))}
PTZ_WSDL = "schemas/onvif/wsdl/ver20/ptz/wsdl/ptz.wsdl"
TT = "{http://www.onvif.org/ver10/schema}"
TPTZ = "{http://www.onvif.org/ver20/ptz/wsdl}"
XS = "{http://www.w3.org/2001/XMLSchema}"
# The four schemas onvif.xsd imports from the web; the ONVIF parts we validate need none.
REMOTE = ("xmlmime", "soapenv:", "soap-envelope", "wsnt:", "wsn/b-2", "xop/include")


def adapter(**changes: Any) -> OnvifAdapter:
    return OnvifAdapter(OnvifOptions.model_validate({**OPTIONS, **changes}))


def events(message: bytes, **changes: Any) -> list[dict[str, Any]]:
    out = adapter(**changes).translate(message)
    for event in out:
        EVENT_IN_ADAPTER.validate_python(event)
    return out


def refused(message: bytes, **changes: Any) -> tuple[str, str]:
    with pytest.raises(AdapterError) as error:
        adapter(**changes).translate(message)
    return error.value.field, error.value.reason


def notify(
    topic: str, data: str, source: str = "", extra_ns: str = "", op: str = "Changed"
) -> bytes:
    return f"""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
      xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema"
      xmlns:tns1="http://www.onvif.org/ver10/topics" {extra_ns}><env:Body><wsnt:Notify>
      <wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{topic}</wsnt:Topic>
      <wsnt:Message><tt:Message UtcTime="2026-03-14T21:05:12Z" PropertyOperation="{op}">
      <tt:Source>{source}</tt:Source><tt:Data>{data}</tt:Data></tt:Message></wsnt:Message>
      </wsnt:NotificationMessage></wsnt:Notify></env:Body></env:Envelope>""".encode()


def state(value: str, name: str = "State") -> str:
    return f'<tt:SimpleItem Name="{name}" Value="{value}"/>'


def ptz(x: str = "0.25", y: str = "-0.1", zoom: str = "0.4", extra: str = "") -> bytes:
    return f"""<tptz:GetStatusResponse xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"
      xmlns:tt="http://www.onvif.org/ver10/schema"><tptz:PTZStatus><tt:Position>
      <tt:PanTilt x="{x}" y="{y}"/><tt:Zoom x="{zoom}"/></tt:Position>{extra}
      <tt:UtcTime>2026-03-14T21:12:30Z</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>
      """.encode()


# --- the real ONVIF schemas ---------------------------------------------------------------


@pytest.fixture(scope="module")
def onvif_xsd(shared_data: Path) -> xmlschema.XMLSchema11:
    """ptz.wsdl's embedded schema, which imports onvif.xsd: tptz + tt in one schema.

    XSD 1.1 because onvif.xsd's `xs:any` after optional elements breaks XSD 1.0's Unique
    Particle Attribution rule; lax because its four web imports cannot be fetched offline.
    """
    wsdl = etree.parse(str(shared_data / PTZ_WSDL), etree.XMLParser(remove_comments=True))
    text = etree.tostring(wsdl.find(f".//{XS}schema")).decode()
    base = str((shared_data / PTZ_WSDL).parent) + "/"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = xmlschema.XMLSchema11(text, base_url=base, validation="lax", allow="local")
    for error in schema.all_errors:
        assert any(part in str(error.message) for part in REMOTE), error.message
    assert schema.maps.elements[f"{TT}Message"].validity == "valid"
    assert schema.maps.types[f"{TT}PTZStatus"].validity == "valid"
    return schema


def xsd_parts(message: bytes) -> list[Any]:
    root = etree.fromstring(message, etree.XMLParser(resolve_entities=False, no_network=True))
    return [*root.iter(f"{TT}Message"), *root.iter(f"{TPTZ}GetStatusResponse")]


def test_every_fixture_part_is_valid_against_the_onvif_xsd(
    onvif_xsd: xmlschema.XMLSchema11,
) -> None:
    checked = 0
    for name, message in GOOD.items():
        for part in xsd_parts(message):
            assert onvif_xsd.is_valid(part), (name, list(onvif_xsd.iter_errors(part))[:1])
            checked += 1
    assert checked == 14  # 12 tt:Message + 2 GetStatusResponse


MUTANTS = [
    (b'UtcTime="2026-03-14T21:05:12.340Z" ', b"", ("tt:Message@UtcTime", "missing")),
    (
        b'UtcTime="2026-03-14T21:05:12.340Z"',
        b'UtcTime="yesterday"',
        ("tt:Message@UtcTime", "bad_timestamp"),
    ),
    (
        b'PropertyOperation="Changed">\n            <tt:Source>\n              <tt:SimpleItem '
        b'Name="VideoSource"',
        b'PropertyOperation="Modified">\n            <tt:Source>\n'
        b'              <tt:SimpleItem Name="VideoSource"',
        ("tt:Message@PropertyOperation", "unknown_value"),
    ),
    (
        b'<tt:SimpleItem Name="State" Value="true"/>',
        b'<tt:SimpleItem Name="State"/>',
        ("tt:Data/tt:SimpleItem@Value", "missing"),
    ),
]
PTZ_MUTANTS = [
    (b'x="0.25"', b'x="abc"', ("tt:PanTilt@x", "not_a_number")),
    (b'x="0.25"', b'x="1_0"', ("tt:PanTilt@x", "not_a_number")),
    (b' y="-0.1"', b"", ("tt:PanTilt@y", "missing")),
    (b"<tt:UtcTime>2026-03-14T21:12:30Z</tt:UtcTime>", b"", ("tt:PTZStatus/tt:UtcTime", "missing")),
    (
        b"2026-03-14T21:12:30Z",
        b"2026-02-30T21:12:30Z",
        ("tt:PTZStatus/tt:UtcTime", "bad_timestamp"),
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), MUTANTS + PTZ_MUTANTS)
def test_code_refuses_what_the_xsd_refuses(
    onvif_xsd: xmlschema.XMLSchema11, old: bytes, new: bytes, expected: tuple[str, str]
) -> None:
    source = (
        GOOD["notify_signal_lost.xml"]
        if (old, new, expected) in MUTANTS
        else GOOD["ptz_get_status.xml"]
    )
    assert old in source
    mutant = source.replace(old, new, 1)
    assert not all(onvif_xsd.is_valid(part) for part in xsd_parts(mutant))
    assert refused(mutant) == expected


def test_known_divergence_generic_range_is_not_in_the_xsd(
    onvif_xsd: xmlschema.XMLSchema11,
) -> None:
    """The -1…1 range comes from the space's definition, not the XSD (xs:float)."""
    message = (FIXTURES / "bad" / "pan_out_of_range.xml").read_bytes()
    assert all(onvif_xsd.is_valid(part) for part in xsd_parts(message))
    assert refused(message) == ("tt:PanTilt@x", "out_of_range")


# --- notifications ------------------------------------------------------------------------


def test_signal_lost_then_restored() -> None:
    lost = events(GOOD["notify_signal_lost.xml"])
    back = events(GOOD["notify_signal_restored.xml"])
    assert lost == [
        {
            "kind": "camera_status",
            "id": "cam-17-signal-1773522312340",
            "occurred_at": "2026-03-14T21:05:12.340000+00:00",
            "location": {"lat": 39.961176, "lon": -82.998794},
            "payload": {
                "camera_id": "cam-17",
                "camera_type": "ptz",
                "status": "offline",
                "name": "5th Ave & Main St PTZ",
                "fov_deg": 60.0,
                "range_m": 300.0,
            },
        }
    ]  # the motion message before it yields nothing
    assert [(e["occurred_at"], e["payload"]["status"]) for e in back] == [
        ("2026-03-14T21:07:45.000000+00:00", "online")
    ]


def test_recording_on_then_off_from_a_pull_point() -> None:
    out = events(GOOD["pull_recording_on_off.xml"])
    assert [(e["id"], e["payload"]["recording"]) for e in out] == [
        ("cam-17-job-1773525480000", True),
        ("cam-17-rec-1773525480125", True),
        ("cam-17-rec-1773525587500", False),
        ("cam-17-job-1773525587510", False),
    ]


def test_tampering_and_fan_failure_degrade_vendor_topic_ignored() -> None:
    out = events(GOOD["notify_tamper_and_fan.xml"])
    assert [(e["id"], e["payload"]["status"], e["occurred_at"]) for e in out] == [
        ("cam-17-image-1773544329000", "degraded", "2026-03-15T03:12:09.000000+00:00"),
        ("cam-17-hw-1773540870000", "degraded", "2026-03-15T02:14:30.000000+00:00"),  # +01:00
    ]


def test_preset_reached_gives_the_configured_heading_invoked_does_not() -> None:
    out = events(GOOD["notify_preset_reached.xml"])
    assert [(e["id"], e["payload"]["heading_deg"]) for e in out] == [
        ("cam-17-preset-1773522603480", 135.0)
    ]
    by_name = events(GOOD["notify_preset_reached.xml"], preset_headings={"Intersection SE": 10})
    assert by_name[0]["payload"]["heading_deg"] == 10.0
    assert events(GOOD["notify_preset_reached.xml"], preset_headings={}) == []


@pytest.mark.parametrize(
    ("topic", "data", "status"),
    [
        ("tns1:VideoSource/ImageTooBlurry/ImagingService", state("true"), "degraded"),
        ("tns1:VideoSource/ImageTooDark/AnalyticsService", state("false"), "online"),
        ("tns1:Device/HardwareFailure/TemperatureCritical", state("True", "Critical"), "degraded"),
        ("tns1:Device/HardwareFailure/StorageFailure", state("0", "Failed"), "online"),
        ("tns1:RecordingConfig/JobState", state("PartiallyActive"), "degraded"),
        ("tns1:RecordingConfig/JobState", state("Error"), "degraded"),
        ("tns1:VideoSource/SignalLoss", state("1"), "offline"),
    ],
)
def test_state_topics(topic: str, data: str, status: str) -> None:
    assert [e["payload"]["status"] for e in events(notify(topic, data))] == [status]


@pytest.mark.parametrize(
    ("topic", "data", "op"),
    [
        ("tns1:RuleEngine/CellMotionDetector/Motion", state("true", "IsMotion"), "Changed"),
        ("tns1:VideoSource/MotionAlarm", state("true"), "Changed"),
        ("tns1:Device/Trigger/DigitalInput", state("true", "LogicalState"), "Changed"),
        ("tns1:VideoSource/SignalLoss", state("true"), "Deleted"),
        ("tnsaxis:VideoSource/SignalLoss", state("true"), "Changed"),  # another namespace
        ("VideoSource/SignalLoss", state("true"), "Changed"),  # no namespace at all
    ],
)
def test_topics_that_carry_no_camera_state(topic: str, data: str, op: str) -> None:
    ns = 'xmlns:tnsaxis="http://www.axis.com/2009/event/topics"'
    assert events(notify(topic, data, extra_ns=ns, op=op)) == []


def test_unbound_tns1_prefix_is_read_as_the_onvif_topic_namespace() -> None:
    message = notify("tns1:VideoSource/SignalLoss", state("true")).replace(
        b'xmlns:tns1="http://www.onvif.org/ver10/topics"', b""
    )
    assert [e["payload"]["status"] for e in events(message)] == ["offline"]


def test_state_topic_errors() -> None:
    assert refused(notify("tns1:VideoSource/SignalLoss", "")) == ("tt:Data[State]", "missing")
    assert refused(notify("tns1:RecordingConfig/JobState", state("Paused"))) == (
        "tt:Data[State]",
        "unknown_value",
    )
    no_topic = notify("", state("true"))
    assert refused(no_topic) == ("wsnt:Topic", "missing")


def test_camera_id_from_a_simple_item_behind_a_bridge() -> None:
    message = GOOD["notify_signal_lost.xml"]
    bridged = events(message, camera_id="vms-2", camera_id_item="VideoSource")
    assert bridged[0]["payload"]["camera_id"] == "vms-2.VideoSourceToken"
    assert bridged[0]["id"] == "vms-2.VideoSourceToken-signal-1773522312340"
    alone = events(message, camera_id=None, camera_id_item="VideoSource")
    assert alone[0]["payload"]["camera_id"] == "VideoSourceToken"
    odd = notify("tns1:VideoSource/SignalLoss", state("true"), state("Video Source #2", "Src"))
    assert events(odd, camera_id=None, camera_id_item="Src")[0]["payload"]["camera_id"] == (
        "Video_Source_2"
    )
    assert refused(odd, camera_id=None, camera_id_item="VideoSource") == (
        "tt:Source[VideoSource]",
        "missing",
    )
    assert refused(GOOD["ptz_get_status.xml"], camera_id=None, camera_id_item="X") == (
        "tptz:PTZStatus[X]",
        "missing",
    )


def test_options_must_name_the_camera_and_place_it() -> None:
    with pytest.raises(ValueError, match="camera_id"):
        OnvifOptions.model_validate({"lat": 1.0, "lon": 2.0})
    with pytest.raises(ValueError, match="lat"):
        OnvifOptions.model_validate({"camera_id": "c1", "lon": 2.0})
    with pytest.raises(ValueError):
        OnvifOptions.model_validate({**OPTIONS, "pan_range_deg": 0})


def test_envelope_variants_soap11_bare_and_empty_pull() -> None:
    soap11 = GOOD["notify_signal_restored.xml"].replace(
        b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/"
    )
    assert len(events(soap11)) == 1
    assert len(events(ptz())) == 1  # a bare body, as a bridge may forward it
    empty = b"""<tev:PullMessagesResponse xmlns:tev="http://www.onvif.org/ver10/events/wsdl">
      <tev:CurrentTime>2026-03-14T22:00:05Z</tev:CurrentTime>
      <tev:TerminationTime>2026-03-14T22:01:05Z</tev:TerminationTime></tev:PullMessagesResponse>"""
    assert events(empty) == []  # a pull that timed out: nothing happened


def test_times_zone_less_fraction_and_offset() -> None:
    base = GOOD["notify_signal_restored.xml"]
    cases = {
        b"2026-03-14T21:07:45": "2026-03-14T21:07:45.000000+00:00",  # UtcTime is UTC
        b"2026-03-14T21:07:45.1234567Z": "2026-03-14T21:07:45.123456+00:00",
        b"2026-03-14T16:07:45-05:00": "2026-03-14T21:07:45.000000+00:00",
    }
    for text, expected in cases.items():
        message = base.replace(b"2026-03-14T21:07:45Z", text)
        assert events(message)[0]["occurred_at"] == expected


# --- PTZ status ---------------------------------------------------------------------------


def test_ptz_status_maps_pan_tilt_zoom() -> None:
    (event,) = events(GOOD["ptz_get_status.xml"])
    assert event["id"] == "cam-17-ptz-1773522750000"
    assert event["occurred_at"] == "2026-03-14T21:12:30.000000+00:00"
    payload = event["payload"]
    assert payload["heading_deg"] == 135.0  # 90° at pan 0, +0.25 * 180°
    assert payload["tilt_deg"] == pytest.approx(-9.0)
    assert (payload["zoom"], payload["status"]) == (0.4, "online")


def test_ptz_hikvision_no_error_text_is_no_error() -> None:
    (event,) = events(GOOD["ptz_get_status_no_error.xml"])
    payload = event["payload"]
    assert (payload["status"], payload["heading_deg"], payload["tilt_deg"]) == (
        "online",
        270.0,
        90.0,
    )
    assert payload["zoom"] == 0.0
    broken = ptz(extra="<tt:Error>Pan motor stalled</tt:Error>")
    assert events(broken)[0]["payload"]["status"] == "degraded"


def test_ptz_ranges_field_of_view_and_clamping() -> None:
    narrow = events(
        ptz(x="1", y="-1"),
        pan_zero_heading_deg=350.0,
        pan_range_deg=340.0,
        tilt_zero_deg=-45.0,
        tilt_range_deg=90.0,
    )[0]["payload"]
    assert narrow["heading_deg"] == pytest.approx(160.0)  # 350 + 170, around north
    assert narrow["tilt_deg"] == -90.0
    clamped = events(ptz(y="1"), tilt_zero_deg=60.0)[0]["payload"]
    assert clamped["tilt_deg"] == 90.0
    noisy = events(ptz(x="1.00000003", zoom="-0.00000001"))[0]["payload"]
    assert noisy["heading_deg"] == 270.0 and noisy["zoom"] == 0.0
    fov = events(ptz(extra='<tt:FieldOfView hfov="31.5" vfov="18"/>'))[0]["payload"]
    assert fov["fov_deg"] == 31.5
    assert refused(ptz(zoom="1.5")) == ("tt:Zoom@x", "out_of_range")
    assert refused(ptz(x="INF")) == ("tt:PanTilt@x", "out_of_range")
    no_position = ptz().replace(b"<tt:Position>", b"<!--").replace(b"</tt:Position>", b"-->")
    only = events(no_position)[0]["payload"]
    assert "heading_deg" not in only and only["status"] == "online"


# --- safety and robustness ----------------------------------------------------------------


def test_doctype_is_refused_in_any_encoding() -> None:
    bomb = (FIXTURES / "bad" / "billion_laughs.xml").read_text()
    utf16 = bomb.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    assert refused(utf16.encode("utf-16")) == ("document", "unsafe_xml")
    assert refused(b"<!doctype x><x/>") == ("document", "unsafe_xml")


def test_replays_give_the_same_ids() -> None:
    first = [e["id"] for m in GOOD.values() for e in adapter().translate(m)]
    again = [e["id"] for m in GOOD.values() for e in adapter().translate(m)]
    assert first == again and len(set(first)) == len(first) == 11


@settings(max_examples=150, deadline=None)
@given(
    pan=st.floats(-1, 1),
    tilt=st.floats(-1, 1),
    zoom=st.floats(0, 1),
    zero=st.floats(0, 359.999),
    span=st.floats(0.001, 360),
)
def test_fuzz_any_generic_position_gives_a_valid_event(
    pan: float, tilt: float, zoom: float, zero: float, span: float
) -> None:
    (event,) = events(
        ptz(x=repr(pan), y=repr(tilt), zoom=repr(zoom)),
        pan_zero_heading_deg=zero,
        pan_range_deg=span,
        tilt_range_deg=span,
    )
    assert 0 <= event["payload"]["heading_deg"] < 360


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(list(GOOD.values())), st.integers(0, 4000))
def test_fuzz_garbage_and_splices_only_raise_adapter_error(
    noise: bytes, good: bytes, cut: int
) -> None:
    for message in (noise, good[:cut] + noise, good[:cut] + noise + good[cut:]):
        try:
            out = adapter().translate(message)
        except AdapterError as exc:
            assert exc.field and exc.reason
            continue
        for event in out:
            EVENT_IN_ADAPTER.validate_python(event)
