"""EIDO write-back: every document valid against NENA's EIDO schema, read back by our own
EIDO adapter, POSTed to a local CAD receiver, errors classified."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from rtcc.core.alerts import Alert
from rtcc.outputs.base import DeliveryError
from rtcc.outputs.eido import EidoChannel, EidoOptions
from rtcc.outputs.registry import channel_class
from rtcc.sources.eido.adapter import EidoAdapter
from rtcc.sources.eido.adapter import EidoOptions as EidoInputOptions
from rtcc.sources.pidf_lo import parse_presence
from tests.outputs.doc_alerts import full_gunshot, geofence_alert, no_location_alert
from tests.outputs.receiver import closed_port_url, receiver

EIDO_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "schemas" / "nena_eido"
OPENAPI = EIDO_DIR / "Schema" / "openapi.yaml"
SAMPLE = EIDO_DIR / "Samples" / "Sample call transfer EIDO.json"


def _fix_typos(node: Any) -> Any:
    """The official YAML writes `minItems: 1,` (a string) in AgentType; read it as 1."""
    if isinstance(node, dict):
        return {
            k: (int(v.rstrip(",")) if k == "minItems" and isinstance(v, str) else _fix_typos(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_fix_typos(v) for v in node]
    return node


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    """EmergencyIncidentDataObjectType from NENA's openapi.yaml, as a JSON Schema."""
    spec = _fix_typos(yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))
    schema = {
        "$ref": "#/components/schemas/EmergencyIncidentDataObjectType",
        "components": spec["components"],
    }
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def _options(url: str, **extra: object) -> EidoOptions:
    base: dict[str, object] = {
        "url": url,
        "agency_id": "police.example.gov",
        "issuing_element": "rtcc.police.example.gov",
        "camera_url": "https://rtcc.example.gov/cameras/{camera_id}",
        "web_url": "https://rtcc.example.gov/wall?alert={alert_id}",
    }
    return EidoOptions.model_validate(base | extra)


def _valid(validator: jsonschema.Draft7Validator, doc: dict[str, Any]) -> dict[str, Any]:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, errors
    ids = [c["$id"] for key, value in doc.items() if isinstance(value, list) for c in value]
    assert len(ids) == len(set(ids)), "component ids must be unique"
    known = set(ids) | {doc["incidentComponent"]["$id"]}
    for ref in _refs(doc):
        assert ref in known, f"dangling reference {ref}"
    return doc


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if set(node) == {"$ref"} else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_validator_accepts_nenas_sample_and_rejects_a_broken_document(
    validator: jsonschema.Draft7Validator,
) -> None:
    validator.validate(json.loads(SAMPLE.read_text(encoding="utf-8")))
    doc = json.loads(EidoChannel("e", _options("http://a/")).document(full_gunshot()))
    del doc["incidentComponent"]["incidentTypeCommonRegistryText"]
    with pytest.raises(jsonschema.ValidationError, match="incidentTypeCommonRegistryText"):
        validator.validate(doc)
    doc = json.loads(EidoChannel("e", _options("http://a/")).document(full_gunshot()))
    doc["eidoVersion"] = "2.0"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(doc)


async def test_gunshot_writes_back_a_valid_eido(validator: jsonschema.Draft7Validator) -> None:
    with receiver() as rx:
        channel = EidoChannel("cad", _options(rx.url + "/eido", headers={"Authorization": "t"}))
        receipt = await channel.deliver(full_gunshot())
        await channel.close()
    [request] = rx.requests
    assert request.path == "/eido"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "t"
    doc = _valid(validator, request.json())
    agency = "police.example.gov"
    assert doc["$id"] == f"urn:emergency:uid:incidentid:CAD-2026-114:{agency}"
    assert doc["eidoVersion"] == "1.0"
    assert doc["lastUpdateTimeStamp"] == "2026-11-25T20:14:05.250000+00:00"
    incident = doc["incidentComponent"]
    assert incident["incidentTypeCommonRegistryText"] == "SHOOT"
    assert incident["internalIncidentId"] == "CAD-2026-114"
    assert "incidentStatusCommonRegistryText" not in incident  # the CAD owns its status
    [note] = doc["notesComponent"]
    assert incident["notesReference"] == [{"$ref": note["$id"]}]
    assert "High &amp; Broad &lt;NE&gt;" in note["notesActionComments"]  # HTML5, escaped
    assert "ABC1234" not in json.dumps(doc)
    [agency_component] = doc["agencyComponent"]
    assert agency_component["agencyRoleDescriptionRegistryText"] == ["Assisting"]
    assert agency_component["incidentOwningAgencyIndicator"] is False
    units = {u["emergencyResourceName"]: u for u in doc["emergencyResourceComponent"]}
    assert units["1A12"]["primaryUnitStatusRegistryText"] == "Available"
    assert units["K9-2"]["primaryUnitStatusRegistryText"] == "NotAvailable"
    assert units["K9-2"]["unitStatusInternal"] == ["enroute"]
    locations = {c["$id"]: c for c in doc["locationComponent"]}
    assert (
        locations[units["1A12"]["unitLocationReference"]["$ref"]][
            "locationTypeDescriptionRegistryText"
        ]
        == "UnitLocation"
    )
    media = [m["uri"] for m in doc["mediaComponent"]]
    assert media == [
        "https://rtcc.example.gov/cameras/cam-7",
        "https://rtcc.example.gov/cameras/cam-9",
    ]
    [link] = doc["additionalDataComponent"]
    assert link["additionalDataByReferenceUrl"].endswith("alert=9f1c2d3e4b5a")
    assert receipt.detail["status"] == 200


def test_incident_location_is_pidf_lo_with_the_uncertainty_circle() -> None:
    doc = json.loads(EidoChannel("e", _options("http://a/")).document(full_gunshot()))
    [ref] = doc["incidentComponent"]["locationReference"]
    [where] = [c for c in doc["locationComponent"] if c["$id"] == ref["$ref"]]
    assert where["locationTypeDescriptionRegistryText"] == "CurrentIncident"
    presence = parse_presence(where["locationByValue"].encode())
    [found] = presence.objects
    assert found.geodetic is not None
    assert (found.geodetic.lat, found.geodetic.lon) == (39.9612, -82.9988)
    assert (found.geodetic.accuracy_m, found.geodetic.shape) == (25.0, "circle")
    assert found.method_raw == "multilateration"


def test_our_own_eido_adapter_reads_the_write_back() -> None:
    """What we send a CAD, a CAD-side EIDO reader (ours) understands: same incident, place."""
    body = EidoChannel("e", _options("http://a/")).document(full_gunshot())
    adapter = EidoAdapter(EidoInputOptions())
    [event, *_] = adapter.translate(body)
    assert adapter.repairs == []
    assert event["kind"] == "cad_incident"
    assert event["payload"]["call_type"] == "SHOOT"
    assert event["location"]["lat"] == pytest.approx(39.9612)
    assert event["location"]["accuracy_m"] == pytest.approx(25.0)
    assert "K9-2" in " ".join(event["payload"]["units"])


@pytest.mark.parametrize(
    "alert",
    [
        full_gunshot(incident="RTCC-20261125-0002", joined=False),
        geofence_alert(),
        no_location_alert(),
    ],
)
def test_every_kind_of_alert_validates(validator: jsonschema.Draft7Validator, alert: Alert) -> None:
    doc = _valid(validator, json.loads(EidoChannel("e", _options("http://a/")).document(alert)))
    incident = doc["incidentComponent"]
    owned = not alert.detail.get("incident", {}).get("joined", False)
    assert doc["agencyComponent"][0]["incidentOwningAgencyIndicator"] is owned
    assert ("incidentStatusCommonRegistryText" in incident) is owned
    assert ("locationReference" in incident) == (alert.location is not None)


def test_units_can_be_left_out(validator: jsonschema.Draft7Validator) -> None:
    channel = EidoChannel("e", _options("http://a/", include_units=False))
    doc = _valid(validator, json.loads(channel.document(full_gunshot())))
    assert "emergencyResourceComponent" not in doc


@pytest.mark.parametrize(("status", "retryable"), [(502, True), (422, False)])
async def test_cad_errors_are_classified(status: int, retryable: bool) -> None:
    with receiver() as rx:
        rx.default = (status, "rejected")
        channel = EidoChannel("cad", _options(rx.url))
        with pytest.raises(DeliveryError) as caught:
            await channel.deliver(full_gunshot())
        await channel.close()
    assert caught.value.retryable is retryable


async def test_a_cad_that_is_down_is_retryable() -> None:
    channel = EidoChannel("cad", _options(closed_port_url()))
    with pytest.raises(DeliveryError) as caught:
        await channel.deliver(full_gunshot())
    await channel.close()
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"camera_url": "https://x/cameras"}, "camera_url"),
        ({"web_url": "https://x/wall"}, "web_url"),
        ({"agency_id": "police example"}, "agency_id"),
        ({"url": "not a url"}, "url"),
    ],
)
def test_bad_options_are_refused_naming_the_field(extra: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _options(extra.pop("url", "http://a/"), **extra)


def test_the_registry_knows_eido() -> None:
    assert channel_class("eido") is EidoChannel
