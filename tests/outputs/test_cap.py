"""CAP 1.2 channel: every document valid against the OASIS XSD, mapping, delivery, errors."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from pydantic import ValidationError

from rtcc.core.alerts import Alert
from rtcc.outputs.base import DeliveryError
from rtcc.outputs.cap import CapChannel, CapOptions
from rtcc.outputs.registry import channel_class
from tests.outputs.doc_alerts import full_gunshot, geofence_alert, no_location_alert
from tests.outputs.receiver import closed_port_url, receiver

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CAP_XSD = DATA / "schemas" / "cap" / "schema" / "cap12.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
CIRCLE = re.compile(r"^-?\d+(\.\d+)?,-?\d+(\.\d+)? \d+(\.\d+)?$")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(CAP_XSD))


def _valid(schema: xmlschema.XMLSchema, body: bytes) -> etree._Element:
    """Validate against the XSD and the rules CAP states in prose (no Z, no spaces in ids)."""
    schema.validate(body.decode("utf-8"))
    root = etree.fromstring(body)
    for path in ("cap:sent", "cap:info/cap:effective", "cap:info/cap:expires"):
        text = root.findtext(path, namespaces=NS)
        assert text is not None and SENT.match(text), (path, text)
    ident = root.findtext("cap:identifier", namespaces=NS) or ""
    assert ident and not re.search(r"[\s,<&]", ident)
    for circle in root.findall("cap:info/cap:area/cap:circle", NS):
        assert CIRCLE.match(circle.text or ""), circle.text
    return root


def _options(**extra: object) -> CapOptions:
    base: dict[str, object] = {
        "sender": "rtcc@police.example.gov",
        "sender_name": "Example PD RTCC",
        "web_url": "https://rtcc.example.gov/wall?alert={alert_id}",
    }
    return CapOptions.model_validate(base | extra)


def test_the_validator_rejects_a_broken_document(schema: xmlschema.XMLSchema) -> None:
    channel = CapChannel("cap", _options(url="http://127.0.0.1:9/cap"))
    body, _ = channel.document(full_gunshot())
    broken = body.replace(b"<status>Actual</status>", b"<status>Real</status>")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(broken.decode())
    missing = re.sub(rb"<scope>.*?</scope>", b"", body)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(missing.decode())


async def test_gunshot_alert_posts_a_valid_restricted_cap(schema: xmlschema.XMLSchema) -> None:
    alert = full_gunshot()
    with receiver() as rx:
        channel = CapChannel("cap-ipaws", _options(url=rx.url + "/cap", headers={"X-Key": "k"}))
        receipt = await channel.deliver(alert)
        await channel.close()
    [request] = rx.requests
    assert request.path == "/cap"
    assert request.headers["Content-Type"] == "application/cap+xml"
    assert request.headers["X-Key"] == "k"
    root = _valid(schema, request.body)

    def text(path: str) -> str:
        return root.findtext(path, namespaces=NS) or ""

    assert text("cap:identifier") == "police.example.gov.rtcc.9f1c2d3e4b5a"
    assert text("cap:sender") == "rtcc@police.example.gov"
    assert text("cap:sent") == "2026-11-25T20:14:05-00:00"
    assert (text("cap:status"), text("cap:msgType")) == ("Actual", "Alert")
    assert text("cap:scope") == "Restricted" and "Law enforcement" in (
        text("cap:restriction") or ""
    )
    assert text("cap:incidents") == "CAD-2026-114"
    info = "cap:info/cap:"
    assert text(info + "category") == "Security"
    assert text(info + "event") == "Gunshot detected"
    assert (text(info + "urgency"), text(info + "severity"), text(info + "certainty")) == (
        "Immediate",
        "Severe",
        "Observed",
    )
    assert text(info + "expires") == "2026-11-25T21:14:05-00:00"
    assert text(info + "web") == "https://rtcc.example.gov/wall?alert=9f1c2d3e4b5a"
    description = text(info + "description")
    assert "Rounds: 4" in description and "High & Broad <NE>" in description
    assert "ABC1234" not in description  # plates near a shot are counted, never listed
    assert text(info + "area/cap:areaDesc").startswith("rear of 100 N High St")
    assert text(info + "area/cap:circle") == "39.961200,-82.998800 0.050"
    params = {
        p.findtext("cap:valueName", namespaces=NS): p.findtext("cap:value", namespaces=NS)
        for p in root.findall("cap:info/cap:parameter", NS)
    }
    assert params == {"rtcc:alert_id": "9f1c2d3e4b5a", "rtcc:event_id": "ev-1881"}
    assert receipt.detail["status"] == 200 and receipt.detail["msg_type"] == "Alert"


async def test_follow_ups_become_update_then_cancel(schema: xmlschema.XMLSchema) -> None:
    first = full_gunshot("aaa111")
    second = full_gunshot("bbb222")
    closing = replace(full_gunshot("ccc333"), detail=first.detail | {"lifecycle": "closed"})
    other = full_gunshot("ddd444", incident="RTCC-20261125-0002", joined=False)
    with receiver() as rx:
        channel = CapChannel("cap", _options(url=rx.url))
        for alert in (first, second, closing, other):
            await channel.deliver(alert)
        await channel.close()
    roots = [_valid(schema, r.body) for r in rx.requests]
    kinds = [r.findtext("cap:msgType", namespaces=NS) for r in roots]
    assert kinds == ["Alert", "Update", "Cancel", "Alert"]
    sent = "2026-11-25T20:14:05-00:00"
    ref1 = f"rtcc@police.example.gov,police.example.gov.rtcc.aaa111,{sent}"
    ref2 = f"rtcc@police.example.gov,police.example.gov.rtcc.bbb222,{sent}"
    assert roots[1].findtext("cap:references", namespaces=NS) == ref1
    assert roots[2].findtext("cap:references", namespaces=NS) == f"{ref1} {ref2}"
    assert roots[3].find("cap:references", NS) is None


@pytest.mark.parametrize(
    ("alert", "mapped"),
    [
        (geofence_alert(), ("Safety", "Expected", "Moderate", "Observed")),
        (geofence_alert("info"), ("Safety", "Unknown", "Minor", "Observed")),
        (no_location_alert(), ("Security", "Unknown", "Minor", "Possible")),
    ],
)
def test_every_kind_of_alert_maps_and_validates(
    schema: xmlschema.XMLSchema, alert: Alert, mapped: tuple[str, ...]
) -> None:
    channel = CapChannel("cap", _options(url="http://127.0.0.1:9/", status="Exercise"))
    body, _ = channel.document(alert)
    root = _valid(schema, body)
    got = tuple(
        root.findtext(f"cap:info/cap:{name}", namespaces=NS)
        for name in ("category", "urgency", "severity", "certainty")
    )
    assert got == mapped
    assert root.findtext("cap:status", namespaces=NS) == "Exercise"
    has_area = root.find("cap:info/cap:area", NS) is not None
    assert has_area == (alert.location is not None)


def test_public_and_private_scope(schema: xmlschema.XMLSchema) -> None:
    public = CapChannel("cap", _options(url="http://127.0.0.1:9/", scope="Public"))
    root = _valid(schema, public.document(full_gunshot())[0])
    assert root.find("cap:restriction", NS) is None
    private = CapChannel(
        "cap", _options(url="http://127.0.0.1:9/", scope="Private", addresses="eoc@county.gov")
    )
    root = _valid(schema, private.document(full_gunshot())[0])
    assert root.findtext("cap:addresses", namespaces=NS) == "eoc@county.gov"


async def test_folder_publishing_keeps_an_atom_index(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    channel = CapChannel("cap", _options(folder=str(tmp_path), atom_entries=2))
    paths = [
        str((await channel.deliver(full_gunshot(alert_id))).detail["path"])
        for alert_id in ("a1", "a2", "a3")
    ]
    await channel.close()
    _check_folder(schema, tmp_path, paths)


def _check_folder(schema: xmlschema.XMLSchema, folder: Path, paths: list[str]) -> None:
    names = [f"police.example.gov.rtcc.{i}.xml" for i in ("a1", "a2", "a3")]
    assert paths == [str(folder / name) for name in names]
    assert sorted(p.name for p in folder.glob("*.xml")) == names
    for doc in folder.glob("*.xml"):
        _valid(schema, doc.read_bytes())
    feed = etree.fromstring((folder / "index.atom").read_bytes())
    links = [e.get("href") for e in feed.findall("a:entry/a:link", ATOM)]
    assert links == names[:0:-1]  # newest first, two kept


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (429, True), (400, False)])
async def test_receiver_errors_are_classified(status: int, retryable: bool) -> None:
    with receiver() as rx:
        rx.default = (status, "no")
        channel = CapChannel("cap", _options(url=rx.url))
        with pytest.raises(DeliveryError) as caught:
            await channel.deliver(full_gunshot())
        await channel.close()
    assert caught.value.retryable is retryable
    assert str(status) in caught.value.reason


async def test_a_receiver_that_is_down_is_retryable() -> None:
    channel = CapChannel("cap", _options(url=closed_port_url()))
    with pytest.raises(DeliveryError) as caught:
        await channel.deliver(full_gunshot())
    await channel.close()
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"sender": "rtcc@x.gov"}, "url or folder"),
        ({"sender": "rtcc x,gov", "url": "http://a/"}, "sender"),
        ({"sender": "a@b", "url": "http://a/", "scope": "Private"}, "addresses"),
        ({"sender": "a@b", "url": "http://a/", "web_url": "https://w/"}, "web_url"),
        ({"sender": "a@b", "url": "http://a/", "status": "Actaul"}, "status"),
    ],
)
def test_bad_options_are_refused_naming_the_field(options: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        CapOptions.model_validate(options)


def test_the_registry_knows_cap() -> None:
    assert channel_class("cap") is CapChannel
