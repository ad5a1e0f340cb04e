"""The ``meta_whatsapp`` provider: Meta's signature on the exact bytes, the handshake, no push."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from hookgate.models import InboundRequest, Registration, SecretStage
from hookgate.plugins import load_plugins
from hookgate_dev.providers.hookgate_meta_whatsapp import sandbox
from hookgate_dev.providers.hookgate_meta_whatsapp.samples import SAMPLE_PAYLOADS, TEST_SECRET
from hookgate_dev.testing.kit import secret_versions
from hookgate_dev.testing.requests import api_gateway_request
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PROVIDER = load_plugins().get("meta_whatsapp")
REGISTRATION = Registration(
    name="meta",
    provider="meta_whatsapp",
    secret_id="hookgate/meta",
    settings=MetaWhatsAppSettings(),
)
BODY = SAMPLE_PAYLOADS["statuses"]
CURRENT = secret_versions((SecretStage.CURRENT, dict(TEST_SECRET)))


def post(headers: dict[str, str], body: bytes = BODY) -> InboundRequest:
    return api_gateway_request("meta_whatsapp", "meta", body, headers, NOW)


def get(**query: str) -> InboundRequest:
    return InboundRequest(
        method="GET",
        path="/webhooks/meta_whatsapp/meta",
        headers={},
        query=query,
        body=b"",
        received_at=NOW,
    )


def meta_signature(body: bytes, secret: str = TEST_SECRET["app_secret"]) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_metas_signature_verifies_on_the_exact_bytes() -> None:
    assert PROVIDER.verify(
        post({"X-Hub-Signature-256": meta_signature(BODY)}), REGISTRATION, CURRENT, NOW
    ).ok
    upper = "sha256=" + meta_signature(BODY).removeprefix("sha256=").upper()
    assert PROVIDER.verify(post({"x-hub-signature-256": upper}), REGISTRATION, CURRENT, NOW).ok
    signature = meta_signature(BODY)
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for headers, body in [
        ({"x-hub-signature-256": flipped}, BODY),
        ({"x-hub-signature-256": signature}, BODY.replace(b"read", b"reaD")),
        ({"x-hub-signature-256": signature.removeprefix("sha256=")}, BODY),
        ({"x-hub-signature": signature}, BODY),
    ]:
        assert not PROVIDER.verify(post(headers, body), REGISTRATION, CURRENT, NOW).ok


def test_the_sandbox_signs_as_the_plugin_expects() -> None:
    headers = sandbox.hub_signature(TEST_SECRET["app_secret"], BODY)
    assert PROVIDER.verify(post(headers), REGISTRATION, CURRENT, NOW).ok


def test_the_handshake_echoes_the_challenge_for_a_matching_token() -> None:
    answer = PROVIDER.handshake(
        get(
            **{
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_SECRET["verify_token"],
                "hub.challenge": "1158201444",
            }
        ),
        REGISTRATION,
        CURRENT,
    )
    assert answer is not None
    assert (answer.status_code, answer.body, answer.content_type) == (
        200,
        "1158201444",
        "text/plain",
    )


def test_during_a_token_change_the_old_and_the_new_token_both_work() -> None:
    secrets = secret_versions(
        (SecretStage.CURRENT, {**TEST_SECRET, "verify_token": "new-token"}),
        (SecretStage.PREVIOUS, dict(TEST_SECRET)),
    )
    for token in ("new-token", TEST_SECRET["verify_token"]):
        query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42"}
        answer = PROVIDER.handshake(get(**query), REGISTRATION, secrets)
        assert answer is not None and answer.status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}, 403),
        (
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": TEST_SECRET["verify_token"],
                "hub.challenge": "1",
            },
            403,
        ),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, 403),
        ({"hub.mode": "subscribe", "hub.verify_token": TEST_SECRET["verify_token"]}, 400),
        (
            {
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_SECRET["verify_token"],
                "hub.challenge": "x" * 257,
            },
            400,
        ),
        ({}, 403),
    ],
)
def test_a_bad_handshake_is_refused_without_echo(query: dict[str, str], status: int) -> None:
    answer = PROVIDER.handshake(get(**query), REGISTRATION, CURRENT)
    assert answer is not None
    assert answer.status_code == status
    assert TEST_SECRET["verify_token"] not in answer.body


def test_no_verify_token_configured_refuses_the_handshake() -> None:
    only_app_secret = secret_versions(
        (SecretStage.CURRENT, {"app_secret": TEST_SECRET["app_secret"]})
    )
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    answer = PROVIDER.handshake(get(**query), REGISTRATION, only_app_secret)
    assert answer is not None and answer.status_code == 403


def test_only_the_verify_token_rotates_and_only_with_sync_subscription() -> None:
    # Meta has no API for the app secret; the verify token is pushed with the subscription.
    assert PROVIDER.info.rotates == ("verify_token",)
    assert PROVIDER.info.secret_keys == ("app_secret", "verify_token")
    assert PROVIDER.info.supports_handshake
    assert PROVIDER.implements("hookgate_rotate_secret")
    assert PROVIDER.implements("hookgate_register")
    assert PROVIDER.info.rotates_when == "sync_subscription"
    synced = MetaWhatsAppSettings(app_id="1", sync_subscription=True)
    assert PROVIDER.info.rotation_enabled(synced)
    assert not PROVIDER.info.rotation_enabled(MetaWhatsAppSettings())
