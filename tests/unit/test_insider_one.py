"""Insider One: V1 bearer key checks, V2 only with hookgate's tokens, the key on every event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from hypothesis import given, settings
from pydantic import SecretStr

from hookgate.apigw import build_event, request_from_event
from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    InboundRequest,
    NormalisedEvent,
    OAuth2Settings,
    Registration,
    SecretStage,
    SecretVersion,
    SecretVersions,
    Verdict,
)
from hookgate.oauth2.tokens import BearerTokens, SigningKeys
from hookgate.secrets import SecretStore
from hookgate.taxonomy import EVENT_TYPES
from hookgate_dev.providers.hookgate_insider_one.samples import (
    EXPECTED_TYPES,
    KEY,
    SAMPLE_PAYLOADS,
    TEST_SECRET,
)
from hookgate_insider_one import plugin
from hookgate_insider_one.settings import InsiderOneSettings

from .test_meta_whatsapp import JSON_VALUES

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def registration(auth: str = "v1", oauth2: OAuth2Settings | None = None) -> Registration:
    return Registration(
        name="insider-demo",
        provider="insider_one",
        secret_id="s",
        settings=InsiderOneSettings.model_validate({"auth": auth}),
        oauth2=oauth2,
    )


def request(
    body: bytes = b"{}", headers: dict[str, str] | None = None, **named: str
) -> InboundRequest:
    event = build_event(
        method="POST",
        path="/webhooks/insider_one/insider-demo",
        route_key="POST /webhooks/{provider}/{registration}",
        path_parameters={},
        headers={**(headers or {}), **named},
        body=body,
    )
    return request_from_event(event, now=NOW)


def secrets(*keys: tuple[SecretStage, str]) -> SecretVersions:
    return SecretVersions(
        secret_id="s",
        versions=tuple(
            SecretVersion(stage=stage, version_id=stage.value, values={"api_key": SecretStr(value)})
            for stage, value in keys
        ),
    )


def verify(tokens: BearerTokens | None = None, **kwargs: Any) -> Verdict:
    return plugin.hookgate_verify(now=NOW, tokens=tokens, **kwargs)


CURRENT = secrets((SecretStage.CURRENT, TEST_SECRET["api_key"]))


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Authorization": f"Bearer {TEST_SECRET['api_key']}"}, "verified"),
        ({"authorization": f"bearer {TEST_SECRET['api_key']}"}, "verified"),
        ({"AUTHORIZATION": f"BEARER {TEST_SECRET['api_key']}"}, "verified"),
        ({"authorization": "Bearer wrong-key"}, "bearer token mismatch"),
        ({"authorization": f"Bearer {TEST_SECRET['api_key'].upper()}"}, "bearer token mismatch"),
        ({"authorization": f"Basic {TEST_SECRET['api_key']}"}, "missing bearer token"),
        ({"authorization": TEST_SECRET["api_key"]}, "missing bearer token"),
        ({"authorization": "Bearer "}, "missing bearer token"),
        ({}, "missing bearer token"),
    ],
)
def test_v1_bearer_key(headers: dict[str, str], reason: str) -> None:
    verdict = verify(request=request(headers=headers), registration=registration(), secrets=CURRENT)
    assert (verdict.ok, verdict.reason) == (reason == "verified", reason)
    # Fresh secrets can turn a mismatch into a match, never a missing header into one.
    retryable = reason == "bearer token mismatch"
    assert verdict.ok or verdict.retryable_with_fresh_secrets is retryable


def test_verify_rejects_another_providers_settings_for_good() -> None:
    foreign = registration().model_copy(update={"settings": OAuth2Settings.model_construct()})
    verdict = verify(request=request(), registration=foreign, secrets=CURRENT)
    assert (verdict.ok, verdict.reason, verdict.retryable_with_fresh_secrets) == (
        False,
        "registration settings are not insider_one settings",
        False,
    )


@pytest.mark.parametrize("stage", [SecretStage.PENDING, SecretStage.PREVIOUS])
def test_v1_rotation_reports_the_matching_stage(stage: SecretStage) -> None:
    rotating = secrets((SecretStage.CURRENT, "new-key"), (stage, "old-or-pending-key"))
    verdict = verify(
        request=request(authorization="Bearer old-or-pending-key"),
        registration=registration(),
        secrets=rotating,
    )
    assert (verdict.ok, verdict.stage) == (True, stage)


@pytest.mark.parametrize(
    "versions", [SecretVersions(secret_id="s"), secrets((SecretStage.CURRENT, ""))]
)
def test_v1_without_a_key_fails_closed(versions: SecretVersions) -> None:
    verdict = verify(
        request=request(authorization="Bearer x"), registration=registration(), secrets=versions
    )
    assert (verdict.ok, verdict.reason) == (False, "no secret configured")


@dataclass
class _FixedKeys(SigningKeys):
    """One current token signing key, without Secrets Manager."""

    def versions(self) -> list[tuple[SecretStage, str, bytes]]:
        return [(SecretStage.CURRENT, "kid-1", b"k" * 32)]


TOKENS = BearerTokens(_FixedKeys(cast(SecretStore, None), "signing"))
OAUTH2 = OAuth2Settings()


def test_v2_without_a_token_signing_key_fails_closed() -> None:
    verdict = verify(
        request=request(authorization=f"Bearer {TEST_SECRET['api_key']}"),
        registration=registration("v2", OAUTH2),
        secrets=CURRENT,
    )
    assert (verdict.ok, verdict.reason) == (False, "oauth2 not configured")
    verdict = verify(
        TOKENS,
        request=request(authorization=f"Bearer {TEST_SECRET['api_key']}"),
        registration=registration("v2"),  # no oauth2 block
        secrets=CURRENT,
    )
    assert (verdict.ok, verdict.reason) == (False, "oauth2 not configured")


def test_v2_never_accepts_the_v1_key_only_a_token_hookgate_issued() -> None:
    v2 = registration("v2", OAUTH2)
    for token in (TEST_SECRET["api_key"], "", "a.b.c"):
        verdict = verify(
            TOKENS,
            request=request(authorization=f"Bearer {token}"),
            registration=v2,
            secrets=CURRENT,
        )
        assert not verdict.ok
    issued = TOKENS.issue(v2, "insider-demo", "", 3600, NOW, secret_version="AWSCURRENT")
    verdict = verify(
        TOKENS, request=request(authorization=f"Bearer {issued}"), registration=v2, secrets=CURRENT
    )
    assert verdict.ok
    other = registration("v2", OAUTH2).model_copy(update={"name": "someone-else"})
    stolen = TOKENS.issue(other, "insider-demo", "", 3600, NOW, secret_version="AWSCURRENT")
    verdict = verify(
        TOKENS, request=request(authorization=f"Bearer {stolen}"), registration=v2, secrets=CURRENT
    )
    assert not verdict.ok
    # The versions the plugin is given decide: a token of a version not among them is refused.
    retired = TOKENS.issue(v2, "insider-demo", "", 3600, NOW, secret_version="AWSPREVIOUS")
    verdict = verify(
        TOKENS, request=request(authorization=f"Bearer {retired}"), registration=v2, secrets=CURRENT
    )
    assert (verdict.ok, verdict.reason) == (False, "token's client secret is no longer in force")


def test_provider_record() -> None:
    info = plugin.hookgate_provider()
    assert (info.name, info.rotates) == (
        "insider_one",
        ("api_key", "client_secret", "refresh_token"),
    )
    assert "OAuth2" in info.title
    assert set(info.secret_keys) == {"api_key", "client_id", "client_secret", "refresh_token"}


def parse(body: bytes) -> list[NormalisedEvent]:
    return plugin.hookgate_parse(request=request(body), registration=registration())


@pytest.mark.parametrize("name", sorted(SAMPLE_PAYLOADS))
def test_golden_samples_keep_the_tracking_key_on_every_event(name: str) -> None:
    body = SAMPLE_PAYLOADS[name]
    events = parse(body)
    assert tuple(e.type for e in events) == EXPECTED_TYPES[name]
    payload = json.loads(body) if body.strip() else {}
    assert all(e.data["key"] == payload.get("key", "") for e in events)
    assert len({e.dedupe_key for e in events}) == len(events)
    assert [e.dedupe_key for e in parse(body)] == [e.dedupe_key for e in events]


def test_seed_samples_keep_their_documented_key() -> None:
    (reply,) = parse(SAMPLE_PAYLOADS["seed_reply_button"])
    assert reply.data["key"] == "whatsapp-**************"
    (sticker,) = parse(SAMPLE_PAYLOADS["seed_reply_sticker"])  # published without a key
    assert sticker.data["key"] == ""
    (empty,) = parse(SAMPLE_PAYLOADS["user_initiated_reply_empty_key"])
    assert empty.data["key"] == ""


def test_accepted_names_the_message_and_the_contact() -> None:
    (accepted,) = parse(SAMPLE_PAYLOADS["accepted"])
    assert (accepted.type, accepted.message_id, accepted.contact_id) == (
        "message.submitted",
        "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
        "16505551234",
    )
    assert accepted.dedupe_key == f"accepted:{accepted.message_id}"
    assert accepted.data == {"key": KEY, "input": "+16505551234"}


def test_both_error_shapes_are_failed_messages_with_their_error() -> None:
    (cloud,) = parse(SAMPLE_PAYLOADS["seed_error_spam_131048"])
    assert cloud.error is not None
    assert (cloud.type, cloud.provider_event, cloud.error.code, cloud.error.detail) == (
        "message.failed",
        "send_error",
        "131048",
        "Too many messages sent from this phone number in a short period of time.",
    )
    (oauth,) = parse(SAMPLE_PAYLOADS["seed_error_token_expired_190"])
    assert oauth.error is not None and (oauth.error.code, oauth.error.title) == (
        "190",
        "OAuthException",
    )
    (on_premise,) = parse(SAMPLE_PAYLOADS["seed_on_premise_2060"])
    assert on_premise.error is not None
    assert (on_premise.type, on_premise.error.code, on_premise.error.title) == (
        "message.failed",
        "2060",
        "Template rejected",
    )
    two = json.dumps({"errors": [{"code": 1}, {"code": 2}], "key": KEY}).encode()
    assert [e.error.code for e in parse(two) if e.error] == ["1", "2"]


def test_failed_status_and_replies_via_the_meta_parser() -> None:
    (failed,) = parse(SAMPLE_PAYLOADS["seed_failed"])
    assert failed.error is not None
    assert (failed.status, failed.error.code, failed.data["key"]) == (
        "failed",
        "131026",
        "whatsapp-**************",
    )
    (button,) = parse(SAMPLE_PAYLOADS["seed_reply_button"])
    assert (button.data["button_payload"], button.data["reply_to"]) == (
        "{{BUTTON_PAYLOAD}}",
        "MESSAGE_ID",
    )
    events = parse(SAMPLE_PAYLOADS["statuses_out_of_order"])
    assert [e.status for e in events] == ["read", "delivered", "failed", "sent"]


def test_template_message_event() -> None:
    (template,) = parse(SAMPLE_PAYLOADS["template_message"])
    assert (template.type, template.contact_id, template.occurred_at) == (
        "message.submitted",
        "16505551234",
        datetime.fromtimestamp(1731600200, UTC),
    )
    assert template.data == {
        "key": KEY,
        "template_name": "order_update",
        "template_language": "en",
        "content": "Your order A-1029 has shipped.",
    }


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}", b" {} "])
def test_the_save_time_validation_probe_yields_no_event(body: bytes) -> None:
    assert parse(body) == []
    headers = {"authorization": f"Bearer {TEST_SECRET['api_key']}"}
    assert verify(request=request(body, headers), registration=registration(), secrets=CURRENT).ok


@pytest.mark.parametrize("body", [b"[1]", b"null", b"not json", b"\xff"])
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayloadError):
        parse(body)


@pytest.mark.parametrize(
    "payload", [{"key": KEY}, {"errors": [], "key": KEY}, {"errors": ["x"]}, {"error": "x"}]
)
def test_unrecognised_bodies_are_delivered_as_unknown(payload: dict[str, Any]) -> None:
    (event,) = parse(json.dumps(payload).encode())
    assert (event.type, event.provider_event, event.raw) == ("unknown", "unrecognised", payload)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_parses_or_is_malformed(value: Any) -> None:
    body = json.dumps(value).encode()
    try:
        events = parse(body)
    except MalformedPayloadError:
        assert not isinstance(value, dict)
        return
    assert all(e.type in EVENT_TYPES and "key" in e.data for e in events)


def test_a_deeply_nested_body_is_malformed_not_a_crash() -> None:
    deep = b'{"key":"k","error":' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(MalformedPayloadError):
        parse(deep)
