"""360dialog: the custom header token, the optional partner signature, and parsing."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from pydantic import SecretStr, ValidationError

from hookgate.apigw import request_from_event, webhook_event
from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    InboundRequest,
    Registration,
    SecretStage,
    SecretVersion,
    SecretVersions,
    Verdict,
)
from hookgate.taxonomy import EVENT_TYPES
from hookgate_360dialog import plugin
from hookgate_360dialog.settings import Dialog360Settings
from hookgate_dev.providers.hookgate_360dialog.samples import (
    EXPECTED_TYPES,
    SAMPLE_PAYLOADS,
    TEST_PARTNER_SECRET,
    TEST_SECRET,
    signed_headers,
)

from .test_meta_whatsapp import JSON_VALUES

NOW = datetime(2026, 11, 22, tzinfo=UTC)
TOKEN = TEST_SECRET["header_token"]
BODY = SAMPLE_PAYLOADS["inbound_text"]


def registration(**settings: Any) -> Registration:
    return Registration(
        name="360dialog-demo",
        provider="360dialog",
        secret_id="s",
        settings=Dialog360Settings.model_validate(settings),
    )


def request(body: bytes = BODY, /, **headers: str) -> InboundRequest:
    event = webhook_event("360dialog", "360dialog-demo", body, headers, now=NOW)
    return request_from_event(event, now=NOW)


def versions(*stages: tuple[SecretStage, dict[str, str]]) -> SecretVersions:
    return SecretVersions(
        secret_id="s",
        versions=tuple(
            SecretVersion(
                stage=stage,
                version_id=stage.value,
                values={k: SecretStr(v) for k, v in values.items()},
            )
            for stage, values in stages
        ),
    )


def verify(req: InboundRequest, secrets: SecretVersions, **settings: Any) -> Verdict:
    return plugin.hookgate_verify(
        request=req, registration=registration(**settings), secrets=secrets
    )


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


CURRENT = versions((SecretStage.CURRENT, dict(TEST_SECRET)))
PARTNER = versions((SecretStage.CURRENT, {**TEST_SECRET, "partner_secret": TEST_PARTNER_SECRET}))


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"x-hookgate-token": TOKEN}, "verified"),
        ({"X-Hookgate-Token": TOKEN}, "verified"),
        ({"X-HOOKGATE-TOKEN": f"  {TOKEN} "}, "verified"),
        ({"x-hookgate-token": TOKEN + "x"}, "header token mismatch"),
        ({"x-hookgate-token": TOKEN.upper()}, "header token mismatch"),
        ({"x-hookgate-token": ""}, "missing auth header"),
        ({"authorization": TOKEN}, "missing auth header"),
        ({}, "missing auth header"),
    ],
)
def test_header_token(headers: dict[str, str], reason: str) -> None:
    verdict = verify(request(**headers), CURRENT)
    assert (verdict.ok, verdict.reason) == (reason == "verified", reason)
    assert verdict.stage is (SecretStage.CURRENT if verdict.ok else None)


def test_a_missing_header_is_not_retried_with_fresh_secrets_but_a_mismatch_is() -> None:
    assert verify(request(), CURRENT).retryable_with_fresh_secrets is False
    wrong = verify(request(**{"x-hookgate-token": "wrong"}), CURRENT)
    assert wrong.retryable_with_fresh_secrets is True


def test_verify_rejects_another_providers_settings_for_good() -> None:
    foreign = registration().model_copy(update={"settings": None})
    verdict = plugin.hookgate_verify(request=request(), registration=foreign, secrets=CURRENT)
    assert (verdict.ok, verdict.reason, verdict.retryable_with_fresh_secrets) == (
        False,
        "registration settings are not 360dialog settings",
        False,
    )


def test_the_header_name_comes_from_the_settings_in_any_case() -> None:
    assert Dialog360Settings(auth_header=" X-Partner-Auth ").auth_header == "x-partner-auth"
    req = request(**{"X-Partner-Auth": TOKEN})
    assert verify(req, CURRENT, auth_header="X-Partner-Auth").ok
    assert verify(req, CURRENT).reason == "missing auth header"  # default name: not sent


@pytest.mark.parametrize("stage", [SecretStage.PENDING, SecretStage.PREVIOUS])
def test_rotation_reports_the_stage_whose_token_matched(stage: SecretStage) -> None:
    secrets = versions(
        (SecretStage.CURRENT, {"header_token": "the-new-token"}), (stage, dict(TEST_SECRET))
    )
    verdict = verify(request(**{"x-hookgate-token": TOKEN}), secrets)
    assert (verdict.ok, verdict.stage) == (True, stage)


@pytest.mark.parametrize(
    "secrets",
    [
        versions(),
        versions((SecretStage.CURRENT, {})),
        versions((SecretStage.CURRENT, {"header_token": ""})),
        versions((SecretStage.CURRENT, {"partner_secret": TEST_PARTNER_SECRET})),
    ],
)
def test_no_header_token_configured_fails_closed(secrets: SecretVersions) -> None:
    verdict = verify(request(**signed_headers(BODY, {**TEST_SECRET}, NOW)), secrets)
    assert (verdict.ok, verdict.reason) == (False, "no secret configured")


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (hex_signature(TEST_PARTNER_SECRET, BODY), "verified"),
        ("sha256=" + hex_signature(TEST_PARTNER_SECRET, BODY), "verified"),
        (hex_signature(TEST_PARTNER_SECRET, BODY).upper(), "verified"),
        (hex_signature("another-partner-secret", BODY), "partner signature mismatch"),
        (hex_signature(TEST_PARTNER_SECRET, BODY + b" "), "partner signature mismatch"),
        ("sha1=" + hex_signature(TEST_PARTNER_SECRET, BODY), "partner signature mismatch"),
        ("not hex \u00e9", "partner signature mismatch"),
        (None, "missing partner signature"),
    ],
)
def test_partner_signature_when_a_partner_secret_is_configured(
    signature: str | None, reason: str
) -> None:
    headers = {"x-hookgate-token": TOKEN}
    if signature is not None:
        headers["x-360dialog-signature"] = signature
    verdict = verify(request(**headers), PARTNER)
    assert (verdict.ok, verdict.reason) == (reason == "verified", reason)


def _one_char_changed(text: str, index: int) -> str:
    replacement = "0" if text[index] != "0" else "1"
    return text[:index] + replacement + text[index + 1 :]


def _near_misses(genuine: str) -> dict[str, str]:
    middle = len(genuine) // 2
    return {
        "first char changed": _one_char_changed(genuine, 0),
        "middle char changed": _one_char_changed(genuine, middle),
        "last char changed": _one_char_changed(genuine, len(genuine) - 1),
        "prefix": genuine[:-1],
        "half": genuine[:middle],
        "extension": genuine + "0",
    }


# HMAC-SHA256(TEST_PARTNER_SECRET, BODY) in lower-case hex, computed once outside hookgate.
GENUINE_PARTNER_SIGNATURE = "e70b5f096586a0b2e9a4b08d2360a96009b637a1b1a83f316fcf5e69942bd784"


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("sha256=", id="sha256= and no digest"),
        pytest.param("sha256=  ", id="sha256= and blanks"),
        *(
            pytest.param(p + value, id=f"{p}{name}")
            for name, value in _near_misses(GENUINE_PARTNER_SIGNATURE).items()
            for p in ("", "sha256=")
        ),
    ],
)
def test_a_partner_signature_one_char_off_cut_short_or_empty_is_refused(signature: str) -> None:
    genuine = {"x-hookgate-token": TOKEN, "x-360dialog-signature": GENUINE_PARTNER_SIGNATURE}
    assert verify(request(**genuine), PARTNER).ok
    headers = {**genuine, "x-360dialog-signature": signature}
    verdict = verify(request(**headers), PARTNER)
    assert (verdict.ok, verdict.reason) == (False, "partner signature mismatch")


@pytest.mark.parametrize(
    "token", [pytest.param(value, id=name) for name, value in _near_misses(TOKEN).items()]
)
def test_a_header_token_one_char_off_cut_short_or_extended_is_refused(token: str) -> None:
    assert verify(request(**{"x-hookgate-token": TOKEN}), CURRENT).ok
    verdict = verify(request(**{"x-hookgate-token": token}), CURRENT)
    assert (verdict.ok, verdict.reason) == (False, "header token mismatch")


def test_partner_signature_matches_samples_signed_headers_and_rotates() -> None:
    secret = {**TEST_SECRET, "partner_secret": TEST_PARTNER_SECRET}
    headers = signed_headers(BODY, secret, NOW)
    assert headers["x-360dialog-signature"] == hex_signature(TEST_PARTNER_SECRET, BODY)
    rotating = versions(
        (SecretStage.CURRENT, {"header_token": "other", "partner_secret": "other-partner"}),
        (SecretStage.PENDING, secret),
    )
    verdict = verify(request(**headers), rotating)
    assert (verdict.ok, verdict.stage) == (True, SecretStage.PENDING)
    # A signature alone never stands in for the header token.
    no_token = {"x-360dialog-signature": headers["x-360dialog-signature"]}
    assert verify(request(**no_token), PARTNER).reason == "missing auth header"


def test_required_partner_signature_fails_closed_without_a_partner_secret() -> None:
    req = request(**signed_headers(BODY, TEST_SECRET, NOW))
    assert verify(req, CURRENT).ok
    verdict = verify(req, CURRENT, require_partner_signature=True)
    assert (verdict.ok, verdict.reason) == (False, "no partner secret configured")


def test_settings_are_strict() -> None:
    assert Dialog360Settings().channel == "phone"
    with pytest.raises(ValidationError):
        Dialog360Settings.model_validate({"channel": "email"})
    with pytest.raises(ValidationError):
        Dialog360Settings.model_validate({"unknown_setting": 1})


def test_no_get_handshake_and_provider_record() -> None:
    assert plugin.hookgate_handshake() is None
    info = plugin.hookgate_provider()
    assert (info.name, info.rotates, info.settings_model) == (
        "360dialog",
        ("header_token",),
        Dialog360Settings,
    )


def parse(body: bytes) -> list[Any]:
    return plugin.hookgate_parse(request=request(body), registration=registration())


@pytest.mark.parametrize("name", sorted(SAMPLE_PAYLOADS))
def test_golden_samples(name: str) -> None:
    events = parse(SAMPLE_PAYLOADS[name])
    assert tuple(e.type for e in events) == EXPECTED_TYPES[name]
    assert len({e.dedupe_key for e in events}) == len(events)
    assert all(e.provider == "360dialog" and e.registration == "360dialog-demo" for e in events)


def test_a_body_that_is_no_whatsapp_payload_is_delivered_as_unknown() -> None:
    (event,) = parse(b'{"hello":"world"}')
    assert (event.type, event.provider_event, event.raw) == (
        "unknown",
        "unrecognised",
        {"hello": "world"},
    )


@pytest.mark.parametrize("body", [b"", b"[]", b"not json", b"\xff"])
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayloadError):
        parse(body)


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_parses_or_is_malformed(value: Any) -> None:
    try:
        events = parse(json.dumps(value).encode())
    except MalformedPayloadError:
        assert not isinstance(value, dict)
        return
    assert all(e.type in EVENT_TYPES for e in events)
