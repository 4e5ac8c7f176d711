"""The event API models: every item of a batch, however malformed, becomes an event or an
ItemError naming field and reason (validate_items never raises), and what is accepted
survives the JSON round trip of the queue and the store. Then the same through HTTP."""

from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.checks import check_items, check_refusal
from tests.fuzz.profile import FUZZ, within
from tests.fuzz.strategies import dump_json, event_batches, json_documents, sample_events


def test_the_samples_cover_every_kind() -> None:
    from rtcc.core.events import EventKind

    assert {e["kind"] for e in sample_events()} == {k.value for k in EventKind}


@FUZZ
@given(items=event_batches())
def test_every_item_is_an_event_or_an_item_error(items: list[Any]) -> None:
    check_items(items)


@FUZZ
@given(doc=json_documents())
def test_any_json_value_as_an_item(doc: Any) -> None:
    check_items([doc])


def test_the_http_ingest_answers_4xx_never_5xx(
    client: TestClient, app: FastAPI, ingest_headers: dict[str, str]
) -> None:
    """POST /api/v1/events with mutated batches: 200 or 422 with item errors, 4xx with a
    named field otherwise. Stored events feed the rules, so the whole pipeline is in play."""

    @FUZZ
    @given(items=event_batches(expand=False), depth=st.sampled_from((10, 300, 100_000)))
    def post(items: list[Any], depth: int) -> None:
        body = dump_json({"events": items}, ascii_only=False, depth=depth)
        with within():
            response = client.post("/api/v1/events", content=body, headers=ingest_headers)
        assert response.status_code < 500, response.text
        doc = orjson.loads(response.content)
        if response.status_code in (200, 422) and "error" not in doc:
            for rejected in doc.get("rejected", []):
                check_refusal(rejected["field"], rejected["reason"], rejected["message"])
        else:
            assert 400 <= response.status_code < 500, response.text
            error = doc["error"]
            check_refusal(error["field"], error["reason"], error["message"])

    post()
