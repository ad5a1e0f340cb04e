"""The ``hmac`` provider: settings validated, the senders' published test vectors, each knob pinned.

GitHub's vector ("Validating webhook deliveries": secret "It's a Secret to Everybody", payload
"Hello, World!") and Slack's ("Verifying requests from Slack": the slash-command example) are
known answers computed by the senders, not by this code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from hookgate.models import Registration, SecretStage, Verdict
from hookgate.plugins import load_plugins
from hookgate_dev.providers.hookgate_hmac import samples, sandbox
from hookgate_dev.testing.kit import secret_versions
from hookgate_dev.testing.requests import api_gateway_request
from hookgate_hmac.settings import HmacSettings

PROVIDER = load_plugins().get("hmac")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TIMESTAMP = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
    b"IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def registration(settings: Mapping[str, Any]) -> Registration:
    return Registration(
        name="h",
        provider="hmac",
        secret_id="hookgate/h",
        settings=HmacSettings.model_validate(dict(settings)),
    )


def verify(
    settings: Mapping[str, Any],
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    now: datetime = NOW,
) -> Verdict:
    request = api_gateway_request("hmac", "h", body, headers, now)
    versions = secret_versions((SecretStage.CURRENT, {"signing_secret": secret}))
    return PROVIDER.verify(request, registration(settings), versions, now)


def test_githubs_published_vector_verifies_and_a_flipped_byte_does_not() -> None:
    headers = {"X-Hub-Signature-256": GITHUB_SIGNATURE}
    assert verify(samples.GITHUB_SETTINGS, headers, b"Hello, World!", GITHUB_SECRET).ok
    assert not verify(samples.GITHUB_SETTINGS, headers, b"Hello, World?", GITHUB_SECRET).ok
    flipped = {"X-Hub-Signature-256": GITHUB_SIGNATURE[:-1] + "6"}
    assert verify(samples.GITHUB_SETTINGS, flipped, b"Hello, World!", GITHUB_SECRET).reason == (
        "signature mismatch"
    )
    bare = {"X-Hub-Signature-256": GITHUB_SIGNATURE.removeprefix("sha256=")}
    assert verify(samples.GITHUB_SETTINGS, bare, b"Hello, World!", GITHUB_SECRET).reason == (
        "missing signature"
    )


def test_slacks_published_vector_verifies_inside_its_window_only() -> None:
    headers = {"X-Slack-Signature": SLACK_SIGNATURE, "X-Slack-Request-Timestamp": SLACK_TIMESTAMP}
    at = datetime.fromtimestamp(int(SLACK_TIMESTAMP), UTC)
    for offset, ok in ((0, True), (300, True), (-300, True), (301, False), (-301, False)):
        verdict = verify(
            samples.SLACK_SETTINGS,
            headers,
            SLACK_BODY,
            SLACK_SECRET,
            at + timedelta(seconds=offset),
        )
        assert verdict.ok is ok, offset
    moved = headers | {"X-Slack-Request-Timestamp": str(int(SLACK_TIMESTAMP) + 1)}
    assert not verify(samples.SLACK_SETTINGS, moved, SLACK_BODY, SLACK_SECRET, at).ok


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_every_algorithm_and_encoding_verifies_what_the_sandbox_signs(
    algorithm: str, encoding: str
) -> None:
    scheme = {
        "signature_header": "x-sig",
        "algorithm": algorithm,
        "encoding": encoding,
        "prefix": "t=",
    }
    body = samples.SAMPLE_PAYLOADS["delivered"]
    headers = sandbox.scheme_signer("k3y", scheme)(body)
    assert verify(scheme, headers, body, "k3y").ok
    # The sandbox's signer is checked against the standard library, computed here once more.
    mac = hmac.new(b"k3y", body, getattr(hashlib, algorithm)).digest()
    assert headers["x-sig"] == "t=" + (
        mac.hex() if encoding == "hex" else base64.b64encode(mac).decode()
    )
    other = {**scheme, "algorithm": "sha256" if algorithm != "sha256" else "sha1"}
    assert not verify(other, headers, body, "k3y").ok
    assert not verify(
        {**scheme, "encoding": "hex" if encoding == "base64" else "base64"}, headers, body, "k3y"
    ).ok


def test_a_shopify_signature_verifies_as_base64_without_a_prefix() -> None:
    body = b'{"id":1,"topic":"orders/create"}'
    digest = base64.b64encode(hmac.new(b"shpss", body, hashlib.sha256).digest()).decode()
    assert verify(samples.SHOPIFY_SETTINGS, {"X-Shopify-Hmac-Sha256": digest}, body, "shpss").ok
    assert not verify(
        samples.SHOPIFY_SETTINGS, {"X-Shopify-Hmac-Sha256": digest.lower()}, body, "shpss"
    ).ok


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "signature_header"),
        ({"signature_header": "x"}, None),
        ({"signature_header": "x", "algorithm": "md5"}, "algorithm"),
        ({"signature_header": "x", "encoding": "base32"}, "encoding"),
        ({"signature_header": "x", "signed_payload": "{timestamp}.{body}"}, "set timestamp_header"),
        ({"signature_header": "x", "signed_payload": "{body}.{body}"}, "exactly once"),
        ({"signature_header": "x", "signed_payload": "{nonce}.{body}"}, "unknown placeholder"),
        ({"signature_header": "x", "timestamp_header": "x-ts"}, "no {timestamp}"),
        ({"signature_header": "bad header"}, "signature_header"),
        ({"signature_header": "x", "event_types": {"a": "not.a.type"}}, "not hookgate event types"),
    ],
)
def test_settings_are_validated(settings: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert HmacSettings.model_validate(settings).signature_header == "x"
        return
    with pytest.raises(ValidationError, match=message):
        HmacSettings.model_validate(settings)


def test_the_type_and_id_can_come_from_headers() -> None:
    settings = {
        **samples.GITHUB_SETTINGS,
        "event_type_header": "X-GitHub-Event",
        "event_id_header": "X-GitHub-Delivery",
    }
    body = b'{"action":"opened"}'
    headers = {
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    }
    request = api_gateway_request("hmac", "h", body, headers, NOW)
    [event] = PROVIDER.parse(request, registration(settings))
    assert (event.type, event.provider_event) == ("unknown", "issues")
    assert event.dedupe_key == "id:72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert event.raw == {"action": "opened"}


def test_without_an_id_the_body_digest_keys_the_event() -> None:
    body = samples.SAMPLE_PAYLOADS["no_id"]
    request = api_gateway_request("hmac", "h", body, {}, NOW)
    [event] = PROVIDER.parse(request, registration(samples.GITHUB_SETTINGS))
    assert event.dedupe_key == "body:" + hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("body", [b"null", b"42", b'"text"', b"true", b"not json"])
def test_a_body_that_is_no_json_object_or_array_is_malformed(body: bytes) -> None:
    from hookgate.errors import MalformedPayloadError

    request = api_gateway_request("hmac", "h", body, {}, NOW)
    with pytest.raises(MalformedPayloadError):
        PROVIDER.parse(request, registration(samples.GITHUB_SETTINGS))


def test_a_json_array_is_one_event_typed_from_its_path() -> None:
    body = b'[{"type":"message.read","id":"a"}]'
    request = api_gateway_request("hmac", "h", body, {}, NOW)
    settings = {**samples.GITHUB_SETTINGS, "event_type_path": "0.type", "event_id_path": "0.id"}
    [event] = PROVIDER.parse(request, registration(settings))
    assert (event.type, event.dedupe_key) == ("message.read", "id:a")
