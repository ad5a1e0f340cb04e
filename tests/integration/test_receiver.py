"""The receiver Lambda end to end on moto: signed Sinch Conversation webhooks onto the bus."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest

from hookgate.apigw import webhook_event
from hookgate.errors import MalformedPayloadError
from hookgate.models import NormalisedEvent, ProviderInfo, SecretVersions, Verdict
from hookgate.plugin import hookimpl
from hookgate.plugins import load_plugins
from hookgate.runtime import get_receiver
from hookgate_dev.providers.hookgate_sinch_conversation.samples import (
    SAMPLE_PAYLOADS,
    TEST_SECRET,
    signed_headers,
)
from hookgate_sinch_conversation.settings import SinchConversationSettings

from .conftest import BUCKET, REGION, Account, LambdaContext, create_bus_with_queue

SDK_VECTOR_BODY = (
    b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
    b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61","message_delivery_report":'
    b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
    b'"status":"QUEUED_ON_CHANNEL","contact_id":"01EXA07N79THJ20WSN6AS30TMW"}}'
)
SDK_VECTOR_HEADERS = {
    "x-sinch-webhook-signature": "Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk=",
    "x-sinch-webhook-signature-nonce": "01FJA8B4A7BM43YGWSG9GBV067",
    "x-sinch-webhook-signature-timestamp": "1634579353",
    "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    "content-type": "application/json",
}


def event_for(
    body: bytes,
    headers: dict[str, str],
    *,
    registration: str = "sinch-demo",
    provider: str = "sinch_conversation",
    base64_body: bool | None = None,
) -> dict[str, Any]:
    return webhook_event(provider, registration, body, headers, base64_body=base64_body)


def signed(body: bytes, now: datetime | None = None) -> dict[str, str]:
    return {
        **signed_headers(body, TEST_SECRET, now or datetime.now(UTC)),
        "content-type": "application/json",
    }


def call(app: ModuleType, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(event, LambdaContext())
    body = (
        json.loads(response["body"])
        if response["headers"]["content-type"] == "application/json"
        else {}
    )
    return response["statusCode"], body


def freeze(at: datetime) -> None:
    receiver = get_receiver()
    receiver.clock = lambda: at
    receiver.dedupe._clock = at.timestamp


def test_sdk_test_vector_becomes_exactly_one_event(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    freeze(datetime.fromtimestamp(1634579353 + 2, UTC))
    status, body = call(receiver_app, event_for(SDK_VECTOR_BODY, SDK_VECTOR_HEADERS))
    assert (status, body) == (200, {"accepted": 1, "duplicates": 0})
    delivered = sinch_account.drain()
    assert len(delivered) == 1
    envelope = delivered[0]
    assert envelope["source"] == "hookgate.sinch_conversation"
    assert envelope["detail-type"] == "message.queued"
    detail = envelope["detail"]
    assert detail["message_id"] == "01EQBC1A3BEK731GY4YXEN0C2R"
    assert detail["registration"] == "sinch-demo"
    assert detail["verified_with"] == "current"
    assert detail["raw"]["message_delivery_report"]["status"] == "QUEUED_ON_CHANNEL"


def test_changed_byte_stale_timestamp_and_replayed_nonce_get_401(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    freeze(datetime.fromtimestamp(1634579353 + 2, UTC))
    tampered = SDK_VECTOR_BODY.replace(b"QUEUED_ON_CHANNEL", b"QUEUED_ON_CHANNEM")
    assert call(receiver_app, event_for(tampered, SDK_VECTOR_HEADERS))[0] == 401

    freeze(datetime.fromtimestamp(1634579353 + 3600, UTC))
    assert call(receiver_app, event_for(SDK_VECTOR_BODY, SDK_VECTOR_HEADERS))[0] == 401

    freeze(datetime.fromtimestamp(1634579353 + 2, UTC))
    assert call(receiver_app, event_for(SDK_VECTOR_BODY, SDK_VECTOR_HEADERS))[0] == 200
    status, body = call(receiver_app, event_for(SDK_VECTOR_BODY, SDK_VECTOR_HEADERS))
    assert (status, body) == (401, {"message": "unauthorized"})
    assert len(sinch_account.drain()) == 1


def test_provider_retry_with_new_nonce_publishes_nothing_new(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert call(receiver_app, event_for(body, signed(body))) == (
        200,
        {"accepted": 1, "duplicates": 0},
    )
    assert call(receiver_app, event_for(body, signed(body))) == (
        200,
        {"accepted": 0, "duplicates": 1},
    )
    assert len(sinch_account.drain()) == 1


def test_failed_publish_answers_503_and_the_same_request_then_succeeds(
    aws_env: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, receiver_app: ModuleType
) -> None:
    from .conftest import TABLE, write_config

    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="hookgate/sinch-demo", SecretString=json.dumps(dict(TEST_SECRET))
    )
    path = write_config(
        tmp_path,
        [
            {
                "name": "sinch-demo",
                "provider": "sinch_conversation",
                "secret": "hookgate/sinch-demo",
                "settings": {"project_id": "p", "app_id": "a"},
            }
        ],
    )
    monkeypatch.setenv("HOOKGATE_CONFIG", str(path))
    monkeypatch.setenv("HOOKGATE_EVENT_BUS", "hookgate-test-bus")
    monkeypatch.setenv("HOOKGATE_TABLE", TABLE)

    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body))
    status, answer = call(receiver_app, event)  # the bus does not exist yet
    assert (status, answer) == (503, {"message": "temporarily unavailable"})

    sqs, queue_url = create_bus_with_queue()
    assert call(receiver_app, event) == (200, {"accepted": 1, "duplicates": 0})
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1


def test_base64_body_verifies(sinch_account: Account, receiver_app: ModuleType) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert call(receiver_app, event_for(body, signed(body), base64_body=True))[0] == 200
    assert len(sinch_account.drain()) == 1


def test_paths_sizes_and_bodies(
    sinch_account: Account, receiver_app: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert call(receiver_app, event_for(body, signed(body), provider="nope"))[0] == 404
    assert call(receiver_app, event_for(body, signed(body), registration="nope"))[0] == 404
    assert call(receiver_app, event_for(body, signed(body), provider="360dialog"))[0] == 404

    not_json = b"this is not json"
    status, answer = call(receiver_app, event_for(not_json, signed(not_json)))
    assert status == 400 and "message" in answer

    broken = event_for(body, signed(body))
    broken.update(isBase64Encoded=True, body="%%%not-base64%%%")
    assert call(receiver_app, broken)[0] == 400

    get_receiver().max_body_bytes = 1024
    big = json.dumps({"message": {"id": "x", "pad": "a" * 2048}}).encode()
    assert call(receiver_app, event_for(big, signed(big)))[0] == 413
    assert sinch_account.drain() == []


def test_registration_without_secret_fails_closed(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    # The secret does not exist at all: hookgate cannot verify, so it refuses and asks for a retry.
    status, _ = call(receiver_app, event_for(body, signed(body), registration="sinch-unset"))
    assert status == 503
    # The secret exists but holds no webhook_secret: refused as unauthorised.
    sinch_account.secretsmanager.create_secret(Name="hookgate/sinch-unset", SecretString="{}")
    get_receiver().secrets._entries.clear()
    assert call(receiver_app, event_for(body, signed(body), registration="sinch-unset"))[0] == 401
    assert sinch_account.drain() == []


def test_forged_flood_costs_at_most_one_secret_refresh(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    forged = {**signed(body), "x-sinch-webhook-signature": base64.b64encode(b"x" * 32).decode()}
    assert call(receiver_app, event_for(body, forged))[0] == 401
    calls_after_first = get_receiver().secrets.api_calls
    for _ in range(200):
        assert call(receiver_app, event_for(body, forged))[0] == 401
    assert get_receiver().secrets.api_calls == calls_after_first
    assert call(receiver_app, event_for(body, signed(body)))[0] == 200


def test_rotation_pending_and_previous_secrets_verify(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    sm = sinch_account.secretsmanager
    old = dict(TEST_SECRET)
    new = {"webhook_secret": "rotated-secret-0123456789"}
    version = sm.put_secret_value(
        SecretId="hookgate/sinch-demo", SecretString=json.dumps(new), VersionStages=["AWSPENDING"]
    )["VersionId"]
    get_receiver().secrets._entries.clear()

    def sign_with(secret: dict[str, str], body: bytes) -> dict[str, str]:
        return {
            **signed_headers(body, secret, datetime.now(UTC)),
            "content-type": "application/json",
        }

    first = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert call(receiver_app, event_for(first, sign_with(new, first)))[0] == 200  # pending
    current = next(
        v["VersionId"]
        for v in sm.list_secret_version_ids(SecretId="hookgate/sinch-demo")["Versions"]
        if "AWSCURRENT" in v["VersionStages"]
    )
    sm.update_secret_version_stage(
        SecretId="hookgate/sinch-demo",
        VersionStage="AWSCURRENT",
        MoveToVersionId=version,
        RemoveFromVersionId=current,
    )
    get_receiver().secrets._entries.clear()
    inbound = SAMPLE_PAYLOADS["inbound_message"]
    assert call(receiver_app, event_for(inbound, sign_with(old, inbound)))[0] == 200  # previous
    stages = [m["detail"]["verified_with"] for m in sinch_account.drain()]
    assert stages == ["pending", "previous"]

    receiver = get_receiver()
    receiver.secrets._wall_clock = lambda: datetime.now(UTC) + timedelta(hours=2)
    receiver.secrets._entries.clear()
    other = SAMPLE_PAYLOADS["failed_delivery_report"]
    assert call(receiver_app, event_for(other, sign_with(old, other)))[0] == 401  # grace over


def test_oversized_event_goes_to_s3_with_a_pointer(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    text = "x" * (300 * 1024)
    body = json.dumps(
        {
            "app_id": "a",
            "project_id": "p",
            "accepted_time": "2026-01-01T00:00:00Z",
            "message": {
                "id": "01BIG",
                "direction": "TO_APP",
                "contact_message": {"text_message": {"text": text}},
                "channel_identity": {"channel": "WHATSAPP", "identity": "1"},
            },
        },
        separators=(",", ":"),
    ).encode()
    assert call(receiver_app, event_for(body, signed(body))) == (
        200,
        {"accepted": 1, "duplicates": 0},
    )
    (envelope,) = sinch_account.drain()
    ref = envelope["detail"]["payload_ref"]
    assert envelope["detail"]["message_id"] == "01BIG" and "raw" not in envelope["detail"]
    stored = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=ref["key"])
    assert (
        json.loads(stored["Body"].read())["raw"]["message"]["contact_message"]["text_message"][
            "text"
        ]
        == text
    )


def function_url_event(
    event: dict[str, Any], raw_path: str, method: str = "POST"
) -> dict[str, Any]:
    """The same request as a Lambda function URL delivers it: no route, no path parameters."""
    event = {k: v for k, v in event.items() if k != "pathParameters"}
    event["routeKey"] = "$default"
    event["rawPath"] = raw_path
    event["requestContext"] = {
        **event["requestContext"],
        "http": {**event["requestContext"]["http"], "method": method, "path": raw_path},
    }
    return event


def test_through_a_function_url_the_path_names_the_webhook(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body))
    path = "/webhooks/sinch_conversation/sinch-demo"
    assert call(receiver_app, function_url_event(event, path)) == (
        200,
        {"accepted": 1, "duplicates": 0},
    )
    assert len(sinch_account.drain()) == 1
    for other in (
        "/webhooks/sinch_conversation",
        "/oauth2/token",
        "/x/sinch_conversation/sinch-demo",
        "/webhooks/sinch_conversation/sinch-demo/extra",
    ):
        assert call(receiver_app, function_url_event(event, other))[0] == 404, other
    assert call(receiver_app, function_url_event(event, path, "PUT")) == (
        405,
        {"message": "use POST"},
    )
    assert sinch_account.drain() == []


def test_a_body_one_byte_over_the_limit_is_413_and_one_at_the_limit_is_accepted(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    from hookgate.apigw import request_from_event

    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    receiver = get_receiver()
    receiver.max_body_bytes = len(body) - 1
    event = event_for(body, signed(body))
    assert call(receiver_app, event) == (413, {"message": "payload too large"})
    outcome = receiver.receive(request_from_event(event), "sinch_conversation", "sinch-demo")
    assert (outcome.status, outcome.outcome, outcome.reason, outcome.body) == (
        413,
        "too_large",
        "body too large",
        {"message": "payload too large"},
    )
    assert (outcome.provider, outcome.registration) == ("sinch_conversation", "sinch-demo")
    assert sinch_account.drain() == []

    receiver.max_body_bytes = len(body)
    assert call(receiver_app, event) == (200, {"accepted": 1, "duplicates": 0})
    assert len(sinch_account.drain()) == 1


def test_an_unreadable_secret_is_logged_with_the_webhooks_names_and_the_error(
    sinch_account: Account, receiver_app: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body), registration="sinch-unset")
    assert call(receiver_app, event) == (503, {"message": "temporarily unavailable"})
    (line,) = [r for r in caplog.records if r.getMessage() == "secret unavailable"]
    assert line.levelname == "ERROR"
    assert (line.provider, line.registration) == ("sinch_conversation", "sinch-unset")  # type: ignore[attr-defined]
    assert line.error == (  # type: ignore[attr-defined]
        "Secrets Manager error ResourceNotFoundException for hookgate/sinch-unset"
    )


def outcome_of(event: dict[str, Any], registration: str = "sinch-demo") -> tuple[Any, ...]:
    from hookgate.apigw import request_from_event

    outcome = get_receiver().receive(request_from_event(event), "sinch_conversation", registration)
    return (
        outcome.status,
        outcome.outcome,
        outcome.body,
        outcome.reason,
        outcome.stage,
        outcome.provider,
        outcome.registration,
    )


def test_each_refusal_names_its_outcome_reason_stage_and_webhook(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    unset = event_for(body, signed(body), registration="sinch-unset")
    assert outcome_of(unset, "sinch-unset") == (
        503,
        "secret_unavailable",
        {"message": "temporarily unavailable"},
        None,
        None,
        "sinch_conversation",
        "sinch-unset",
    )

    tampered = event_for(body + b" ", signed(body))
    assert call(receiver_app, tampered) == (401, {"message": "unauthorized"})
    assert outcome_of(tampered) == (
        401,
        "rejected",
        {"message": "unauthorized"},
        "signature mismatch",
        None,
        "sinch_conversation",
        "sinch-demo",
    )

    not_json = b"this is not json"
    malformed = event_for(not_json, signed(not_json))
    status, answer = call(receiver_app, malformed)
    assert status == 400
    reason = answer["message"]
    assert reason and reason != "None"
    assert outcome_of(malformed) == (
        400,
        "malformed",
        {"message": reason},
        "malformed payload",
        "current",
        "sinch_conversation",
        "sinch-demo",
    )
    assert sinch_account.drain() == []


class UnstagedSinch:
    """A stand-in ``sinch_conversation`` plugin: accepts without naming a secret version."""

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        return ProviderInfo(
            name="sinch_conversation", title="unstaged", settings_model=SinchConversationSettings
        )

    @hookimpl
    def hookgate_verify(self) -> Verdict:
        return Verdict.accept(None)

    @hookimpl
    def hookgate_parse(self) -> list[NormalisedEvent]:
        raise MalformedPayloadError("nothing to parse")


def test_a_verdict_without_a_secret_version_has_no_stage(sinch_account: Account) -> None:
    get_receiver().host = load_plugins(use_entry_points=False, extra=[UnstagedSinch()])
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert outcome_of(event_for(body, {}))[:5] == (
        400,
        "malformed",
        {"message": "nothing to parse"},
        "malformed payload",
        None,
    )


def test_a_miss_on_cached_secrets_rereads_them_once_and_a_success_never_does(
    sinch_account: Account, receiver_app: ModuleType
) -> None:
    receiver = get_receiver()
    receiver.secrets._refresh_interval = 0.0  # every miss may re-read
    first, second = SAMPLE_PAYLOADS["sdk_test_vector"], SAMPLE_PAYLOADS["delivery_report"]
    assert call(receiver_app, event_for(first, signed(first)))[0] == 200
    reads = receiver.secrets.api_calls
    assert call(receiver_app, event_for(first, signed(first)))[0] == 200
    assert receiver.secrets.api_calls == reads, "an accepted webhook re-reads nothing"

    new = {"webhook_secret": "changed-by-hand-0123456789"}
    sinch_account.secretsmanager.put_secret_value(
        SecretId="hookgate/sinch-demo", SecretString=json.dumps(new)
    )
    headers = {
        **signed_headers(second, new, datetime.now(UTC)),
        "content-type": "application/json",
    }
    assert outcome_of(event_for(second, headers))[:5] == (
        200,
        "accepted",
        {"accepted": 1, "duplicates": 0},
        None,
        "current",
    )
    assert receiver.secrets.api_calls > reads


TOKENS = object()


class TokenMinded:
    """A stand-in ``sinch_conversation`` plugin: needs the receiver's tokens and secret "k"."""

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        return ProviderInfo(
            name="sinch_conversation", title="tokens", settings_model=SinchConversationSettings
        )

    @hookimpl
    def hookgate_verify(self, secrets: SecretVersions, tokens: object) -> Verdict:
        if tokens is not TOKENS:
            return Verdict.reject("no tokens", retryable_with_fresh_secrets=False)
        for version, value in secrets.candidates("k"):
            if value == "new":
                return Verdict.accept(version.stage)
        return Verdict.reject("old secret")

    @hookimpl
    def hookgate_parse(self) -> list[NormalisedEvent]:
        raise MalformedPayloadError("verified")


def test_both_verifications_get_the_receivers_bearer_tokens(sinch_account: Account) -> None:
    receiver = get_receiver()
    receiver.host = load_plugins(use_entry_points=False, extra=[TokenMinded()])
    receiver.tokens = TOKENS  # type: ignore[assignment]
    receiver.secrets._refresh_interval = 0.0
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    assert outcome_of(event_for(body, {}))[:5] == (
        401,
        "rejected",
        {"message": "unauthorized"},
        "old secret",
        None,
    )
    sinch_account.secretsmanager.put_secret_value(
        SecretId="hookgate/sinch-demo", SecretString=json.dumps({"k": "new"})
    )
    assert outcome_of(event_for(body, {}))[:5] == (
        400,
        "malformed",
        {"message": "verified"},
        "malformed payload",
        "current",
    )
