"""The ``standard_webhooks`` provider against the ``standardwebhooks`` library as its oracle.

Requests the library signs verify; what the sandbox signs verifies with the library; every
signature in the header is tried (a sender rotating its secret sends two); the window is pinned
at both edges; one flipped byte fails.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook

from hookgate.models import Registration, SecretStage, Verdict
from hookgate.plugins import load_plugins
from hookgate_dev.providers.hookgate_standard_webhooks import sandbox
from hookgate_dev.providers.hookgate_standard_webhooks.samples import SAMPLE_PAYLOADS, TEST_SECRET
from hookgate_dev.testing.kit import secret_versions
from hookgate_dev.testing.requests import api_gateway_request
from hookgate_standard_webhooks.settings import StandardWebhooksSettings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = TEST_SECRET["signing_secret"]
OLD_SECRET = "whsec_" + base64.b64encode(b"the sender's previous key, 32 b.").decode()
BODY = SAMPLE_PAYLOADS["delivered"]
PROVIDER = load_plugins().get("standard_webhooks")


def registration(**settings: object) -> Registration:
    return Registration(
        name="sw",
        provider="standard_webhooks",
        secret_id="hookgate/sw",
        settings=StandardWebhooksSettings.model_validate(settings),
    )


def verify(
    headers: dict[str, str], body: bytes = BODY, *secrets: tuple[SecretStage, str]
) -> Verdict:
    versions = secret_versions(
        *(
            (stage, {"signing_secret": value})
            for stage, value in (secrets or ((SecretStage.CURRENT, SECRET),))
        )
    )
    request = api_gateway_request("standard_webhooks", "sw", body, headers, NOW)
    return PROVIDER.verify(request, registration(), versions, NOW)


def library_headers(
    secret: str, at: datetime, msg_id: str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, at, BODY.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def test_a_request_the_library_signs_verifies() -> None:
    verdict = verify(library_headers(SECRET, NOW))
    assert verdict.ok and verdict.stage is SecretStage.CURRENT


def test_what_the_sandbox_signs_verifies_with_the_library() -> None:
    headers = sandbox.standard_signature_headers(SECRET, BODY, NOW.timestamp())
    lib = Webhook(SECRET)
    # The library judges the timestamp against its own clock: sign "now" for it.
    fresh = sandbox.standard_signature_headers(SECRET, BODY, datetime.now(UTC).timestamp())
    assert lib.verify(BODY, fresh) == {
        "type": "message.delivered",
        "timestamp": "2026-11-20T11:59:00.000000Z",
        "data": {"id": "msg_1", "status": "delivered"},
    }
    assert verify(headers).ok


def test_every_signature_in_the_header_is_tried() -> None:
    new = library_headers(SECRET, NOW)
    old = library_headers(OLD_SECRET, NOW)
    both = new | {"webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}
    assert verify(both).ok
    reversed_ = new | {
        "webhook-signature": f"{new['webhook-signature']} {old['webhook-signature']}"
    }
    assert verify(reversed_).ok
    # The sender still signs with its old key only: hookgate's previous version matches it.
    verdict = verify(old, BODY, (SecretStage.CURRENT, SECRET), (SecretStage.PREVIOUS, OLD_SECRET))
    assert verdict.ok and verdict.stage is SecretStage.PREVIOUS


def test_only_v1_signatures_count() -> None:
    headers = library_headers(SECRET, NOW)
    value = headers["webhook-signature"].removeprefix("v1,")
    assert not verify(headers | {"webhook-signature": f"v1a,{value}"}).ok
    assert not verify(headers | {"webhook-signature": f"v2,{value} v1"}).ok


def test_one_flipped_byte_fails() -> None:
    headers = library_headers(SECRET, NOW)
    signature = bytearray(base64.b64decode(headers["webhook-signature"].removeprefix("v1,")))
    signature[-1] ^= 1
    flipped = "v1," + base64.b64encode(bytes(signature)).decode()
    assert verify(headers | {"webhook-signature": flipped}).reason == "signature mismatch"
    assert not verify(headers, BODY[:-1] + b" ").ok
    assert not verify(headers | {"webhook-id": headers["webhook-id"] + "x"}).ok


@pytest.mark.parametrize(("offset", "ok"), [(300, True), (-300, True), (301, False), (-301, False)])
def test_the_window_is_five_minutes_either_way(offset: int, ok: bool) -> None:
    verdict = verify(library_headers(SECRET, NOW + timedelta(seconds=offset)))
    assert verdict.ok is ok
    if not ok:
        assert verdict.reason == "stale timestamp"
        assert not verdict.retryable_with_fresh_secrets


def test_a_bare_or_url_safe_secret_is_a_key_and_garbage_is_none() -> None:
    from hookgate_standard_webhooks.signature import secret_key

    assert (
        secret_key(SECRET)
        == secret_key(SECRET.removeprefix("whsec_"))
        == b"standard-webhooks-test-key-only!"
    )
    assert secret_key("whsec_-_-_") == base64.b64decode("+/+/")
    assert secret_key("whsec_not base64!") is None
    assert secret_key("whsec_") is None


def test_the_event_is_keyed_by_webhook_id_and_typed_from_the_configured_path() -> None:
    headers = library_headers(SECRET, NOW)
    request = api_gateway_request("standard_webhooks", "sw", BODY, headers, NOW)
    [event] = PROVIDER.parse(request, registration())
    assert event.dedupe_key == f"id:{headers['webhook-id']}"
    assert event.type == "message.delivered"
    assert event.occurred_at == datetime(2026, 11, 20, 11, 59, tzinfo=UTC)
    mapped = registration(event_type_path="data.status", event_types={"delivered": "message.read"})
    [event] = PROVIDER.parse(request, mapped)
    assert (event.type, event.provider_event) == ("message.read", "delivered")


def test_settings_refuse_a_type_outside_the_taxonomy() -> None:
    with pytest.raises(ValidationError, match=r"not hookgate event types: invoice\.paid"):
        StandardWebhooksSettings.model_validate({"event_types": {"x": "invoice.paid"}})
