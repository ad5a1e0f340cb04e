"""Sinch Provisioning: tolerant parsing of (undocumented, guessed) callback shapes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hookgate.errors import MalformedPayloadError
from hookgate.models import NormalisedEvent, Registration
from hookgate.plugins import ProviderHandle, load_plugins
from hookgate.taxonomy import EVENT_TYPES
from hookgate_dev.providers.hookgate_sinch_provisioning import samples
from hookgate_dev.testing import api_gateway_request
from hookgate_sinch_provisioning.event_types import EVENT_TYPE_MAP
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# providers.md §2.5, verbatim: the seeds' enum plus the values found in newer sources.
DOCUMENTED_TRIGGERS = (
    "BUNDLE_DONE",
    "WHATSAPP_SENDER_ACTIVE",
    "WHATSAPP_SENDER_COMMENT_ADDED",
    "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED",
    "WHATSAPP_SENDER_ERROR",
    "WHATSAPP_SENDER_INACTIVE",
    "WHATSAPP_SENDER_PENDING_VERIFICATION",
    "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
    "WHATSAPP_SENDER_REJECTED",
    "WHATSAPP_TEMPLATE_APPROVED",
    "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
    "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
    "WHATSAPP_TEMPLATE_COMMENT_ADDED",
    "WHATSAPP_TEMPLATE_DELETED",
    "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
    "WHATSAPP_TEMPLATE_REJECTED",
    "WHATSAPP_TEMPLATE_STATUS_UPDATED",
    "WHATSAPP_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_ONBOARDED",
    "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
    "WHATSAPP_ACCOUNT_REJECTED",
    "WHATSAPP_WABA_ACCOUNT_CHANGED",
    "RCS_SENDER_COMMENT_ADDED",
    "RCS_SENDER_OPERATOR_STATUS_UPDATED",
    "RCS_SENDER_STATUS_UPDATED",
    "KAKAOTALK_SENDER_ACTIVE",
    "KAKAOTALK_SENDER_COMMENT_ADDED",
    "KAKAOTALK_SENDER_INACTIVE",
    "KAKAOTALK_SENDER_REJECTED",
    "KAKAOTALK_TEMPLATE_APPROVED",
    "KAKAOTALK_TEMPLATE_COMMENT_ADDED",
    "KAKAOTALK_TEMPLATE_REJECTED",
    "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED",
    "WHATSAPP_SENDER_DELETED",
    "RCS_ACCOUNT_COMMENT_ADDED",
    "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
    "WHATSAPP_SENDER_USERNAME_UPDATED",
)


@pytest.fixture(scope="module")
def provider() -> ProviderHandle:
    return load_plugins().get("sinch_provisioning")


@pytest.fixture
def registration() -> Registration:
    return Registration(
        name="provisioning-demo",
        provider="sinch_provisioning",
        secret_id="hookgate/provisioning-demo",
        settings=SinchProvisioningSettings(project_id=samples.PROJECT_ID),
    )


def parse(
    provider: ProviderHandle, registration: Registration, body: bytes
) -> list[NormalisedEvent]:
    request = api_gateway_request("sinch_provisioning", registration.name, body, {}, NOW)
    return provider.parse(request, registration)


def parse_one(
    provider: ProviderHandle, registration: Registration, payload: Any
) -> NormalisedEvent:
    (event,) = parse(provider, registration, json.dumps(payload).encode())
    return event


def test_every_documented_trigger_maps_into_the_taxonomy() -> None:
    assert sorted(EVENT_TYPE_MAP) == sorted(DOCUMENTED_TRIGGERS)
    assert {EVENT_TYPE_MAP[t] for t in DOCUMENTED_TRIGGERS} <= set(EVENT_TYPES)
    assert "ALL" not in EVENT_TYPE_MAP


def test_template_envelope_with_event_id(
    provider: ProviderHandle, registration: Registration
) -> None:
    body = samples.SAMPLE_PAYLOADS["whatsapp_template_approved"]
    (event,) = parse(provider, registration, body)
    assert event.type == "template.approved"
    assert event.provider_event == "WHATSAPP_TEMPLATE_APPROVED"
    assert event.provider == "sinch_provisioning"
    assert event.registration == "provisioning-demo"
    assert event.dedupe_key == "event:01JCPV8N4Q0ZK8Y3W2X6R5T7AB"
    assert event.occurred_at == datetime(2026, 11, 20, 10, 15, 30, 123000, tzinfo=UTC)
    assert event.received_at == NOW
    assert event.channel == "WHATSAPP"
    assert event.status == "APPROVED"
    assert event.data == {"project_id": samples.PROJECT_ID, "template_id": "1234567890123456"}
    assert event.raw == json.loads(body)


def test_flat_shape_without_event_id_is_keyed_on_the_body(
    provider: ProviderHandle, registration: Registration
) -> None:
    body = samples.SAMPLE_PAYLOADS["whatsapp_sender_active"]
    (event,) = parse(provider, registration, body)
    assert (event.type, event.provider_event) == ("sender.active", "WHATSAPP_SENDER_ACTIVE")
    assert event.dedupe_key == f"body-sha256:{hashlib.sha256(body).hexdigest()}"
    assert event.occurred_at == datetime.fromtimestamp(1763633730, UTC)
    assert event.data == {"project_id": samples.PROJECT_ID, "sender_id": "+46701234567"}
    assert event.status == "ACTIVE"


def test_resource_ids_are_found_one_level_down(
    provider: ProviderHandle, registration: Registration
) -> None:
    (event,) = parse(
        provider, registration, samples.SAMPLE_PAYLOADS["whatsapp_sender_quality_rating_changed"]
    )
    assert event.type == "sender.updated"
    assert event.data["sender_id"] == "+46701234567"


def test_snake_case_and_event_field_are_understood(
    provider: ProviderHandle, registration: Registration
) -> None:
    (event,) = parse(provider, registration, samples.SAMPLE_PAYLOADS["whatsapp_account_onboarded"])
    assert event.type == "account.onboarded"
    assert event.data == {"project_id": samples.PROJECT_ID, "waba_id": "102290129340398"}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"event": {"type": "BUNDLE_DONE", "bundleId": "b-1"}}, ("bundle.done", "BUNDLE_DONE")),
        (
            {"type": "TEMPLATE", "trigger": "KAKAOTALK_SENDER_ACTIVE"},
            ("sender.active", "KAKAOTALK_SENDER_ACTIVE"),
        ),
        ({"trigger": "ALL"}, ("unknown", "ALL")),
        ({"trigger": "RCS_SOMETHING_NEW"}, ("unknown", "RCS_SOMETHING_NEW")),
        ({"trigger": 42, "projectId": "p"}, ("unknown", "unknown")),
        ({"nothing": "here"}, ("unknown", "unknown")),
    ],
    ids=["nested-event", "known-beats-generic-type", "ALL", "new-trigger", "non-string", "no-name"],
)
def test_trigger_is_found_tolerantly(
    provider: ProviderHandle,
    registration: Registration,
    payload: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    event = parse_one(provider, registration, payload)
    assert (event.type, event.provider_event) == expected
    assert event.raw == payload


def test_unknown_trigger_keeps_its_channel_and_data(
    provider: ProviderHandle, registration: Registration
) -> None:
    event = parse_one(provider, registration, {"trigger": "RCS_NEW_THING", "senderId": "agent"})
    assert (event.type, event.channel, event.data) == ("unknown", "RCS", {"sender_id": "agent"})


@pytest.mark.parametrize("payload", [[{"trigger": "BUNDLE_DONE"}], "text", 3, None])
def test_a_non_object_payload_is_one_unknown_event(
    provider: ProviderHandle, registration: Registration, payload: Any
) -> None:
    body = json.dumps(payload).encode()
    (event,) = parse(provider, registration, body)
    assert (event.type, event.raw) == ("unknown", payload)
    assert event.dedupe_key == f"body-sha256:{hashlib.sha256(body).hexdigest()}"


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe", b'{"trigger":'])
def test_a_body_that_is_not_json_is_malformed(
    provider: ProviderHandle, registration: Registration, body: bytes
) -> None:
    with pytest.raises(MalformedPayloadError, match="body is not JSON"):
        parse(provider, registration, body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T12:00:00+02:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T10:00:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        (1763632800, datetime(2025, 11, 20, 10, tzinfo=UTC)),
        (1763632800000, datetime(2025, 11, 20, 10, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
        (2**63, None),  # beyond datetime's range (larger integers are refused as malformed)
    ],
)
def test_occurred_at_is_aware_utc_or_none(
    provider: ProviderHandle, registration: Registration, value: Any, expected: datetime | None
) -> None:
    event = parse_one(provider, registration, {"trigger": "BUNDLE_DONE", "timestamp": value})
    assert event.occurred_at == expected
    if event.occurred_at is not None:
        assert event.occurred_at.tzinfo is UTC


def test_distinct_events_without_ids_get_distinct_keys(
    provider: ProviderHandle, registration: Registration
) -> None:
    first = parse_one(
        provider, registration, {"trigger": "WHATSAPP_SENDER_ACTIVE", "senderId": "a"}
    )
    second = parse_one(
        provider, registration, {"trigger": "WHATSAPP_SENDER_INACTIVE", "senderId": "a"}
    )
    assert first.dedupe_key != second.dedupe_key


def test_a_bare_id_is_not_taken_for_an_event_id(
    provider: ProviderHandle, registration: Registration
) -> None:
    event = parse_one(
        provider, registration, {"trigger": "WHATSAPP_TEMPLATE_APPROVED", "id": "tpl-1"}
    )
    assert event.dedupe_key.startswith("body-sha256:")
