"""The published event's JSON Schema: generated from the model, checked in twice, and true.

docs/event.schema.json and template.yaml's ``AWS::EventSchemas::Schema`` must equal what
:func:`hookgate.event_schema.eventbridge_schema` generates now, and every event the built-in
parsers make, as published, must validate against it (and wrong ones must not).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from scripts.make_event_schema import CONTENT_LINE, SCHEMA_FILE, template_with_schema
from scripts.make_sample_events import PROVIDERS

from hookgate.apigw import request_from_event
from hookgate.config import parse_config
from hookgate.event_schema import eventbridge_schema, render
from hookgate.models import NormalisedEvent
from hookgate.plugins import load_plugins
from hookgate.publish import SOURCE_PREFIX, event_detail
from hookgate.taxonomy import EVENT_TYPES

from .test_sample_events import EVENTS, SETTINGS
from .test_template import TEMPLATE_PATH, load_template

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _bus_event(detail: dict[str, Any], provider: str = "360dialog") -> dict[str, Any]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail.get("type"),
        "source": SOURCE_PREFIX + provider,
        "account": "111122223333",
        "time": "2026-11-01T12:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }


def test_the_checked_in_schema_is_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(eventbridge_schema()), (
        "run scripts/make_event_schema.py"
    )


def test_the_template_registry_holds_the_same_schema() -> None:
    resources = load_template()["Resources"]
    schema = resources["EventSchema"]["Properties"]
    assert schema["Type"] == "JSONSchemaDraft4"
    assert json.loads(schema["Content"]) == eventbridge_schema()
    assert resources["EventSchemaRegistry"]["Type"] == "AWS::EventSchemas::Registry"
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert template_with_schema(text, render(eventbridge_schema())) == text
    assert CONTENT_LINE in text


def test_a_model_change_shows_in_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EVENT_TYPES, "message.teleported", "invented")
    assert render(eventbridge_schema()) != SCHEMA_FILE.read_text(encoding="utf-8")


def _parsed_sample_events() -> list[tuple[str, NormalisedEvent]]:
    host = load_plugins()
    found: list[tuple[str, NormalisedEvent]] = []
    for path in EVENTS:
        if path.stem == "bad_signature":
            continue
        event = json.loads(path.read_text())
        provider_name = event["pathParameters"]["provider"]
        registration_name = PROVIDERS[provider_name][1]
        registration = parse_config(
            json.dumps(
                {
                    "version": 1,
                    "registrations": [
                        {
                            "name": registration_name,
                            "provider": provider_name,
                            "secret": "s",
                            "settings": SETTINGS[provider_name],
                        }
                    ],
                }
            ),
            "test",
            host,
        ).get(registration_name)
        request = request_from_event(event, now=NOW)
        found += [
            (f"{provider_name}/{path.stem}", parsed)
            for parsed in host.get(provider_name).parse(request, registration)
        ]
    return found


def test_every_sample_event_as_published_validates(validator: jsonschema.Draft4Validator) -> None:
    checked = 0
    for name, event in _parsed_sample_events():
        errors = list(validator.iter_errors(_bus_event(event_detail(event, "current"))))
        assert errors == [], (name, [e.message for e in errors])
        checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("event_id"), "'event_id' is a required property"),
        (lambda d: d.update(type="message.teleported"), "is not one of"),
        (lambda d: d.update(verified_with="stale"), "is not one of"),
        (lambda d: d.update(received_at="yesterday"), "is not a 'date-time'"),
        (lambda d: d.update(contact_id=None), "None is not of type 'string'"),
        (lambda d: d.update(surprise=1), "Additional properties are not allowed"),
        (lambda d: d.update(payload_ref={"bucket": "b"}), "'key' is a required property"),
    ],
)
def test_a_wrong_detail_is_refused(
    validator: jsonschema.Draft4Validator, change: Any, reason: str
) -> None:
    event = NormalisedEvent(
        type="message.read",
        provider="360dialog",
        registration="demo",
        provider_event="status:read",
        dedupe_key="status:w:read",
        received_at=NOW,
        contact_id="1",
    )
    detail = event_detail(event, "current")
    assert list(validator.iter_errors(_bus_event(detail))) == []
    change(detail)
    messages = [error.message for error in validator.iter_errors(_bus_event(detail))]
    assert any(reason in message for message in messages), messages


def test_an_oversized_pointer_validates(validator: jsonschema.Draft4Validator) -> None:
    pointer = {
        "type": "message.received",
        "provider": "insider_one",
        "registration": "demo",
        "provider_event": "message:text",
        "dedupe_key": "message:w",
        "received_at": "2026-11-01T12:00:00Z",
        "event_id": "0" * 32,
        "payload_ref": {"bucket": "b", "key": "oversize/x.json", "size": 300000},
    }
    assert list(validator.iter_errors(_bus_event(pointer, "insider_one"))) == []
