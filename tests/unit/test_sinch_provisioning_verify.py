"""Sinch Provisioning: provider description, settings and the (assumed) signature scheme."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from hookgate.models import Registration, SecretStage, Verdict
from hookgate.plugins import ProviderHandle, load_plugins
from hookgate_dev.providers.hookgate_sinch_provisioning import samples
from hookgate_dev.testing import api_gateway_request, secret_versions
from hookgate_sinch_provisioning.schemes import sign
from hookgate_sinch_provisioning.settings import SinchProvisioningSettings

from .sinch_signing import near_misses

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = samples.TEST_SECRET["webhook_secret"]
BODY = samples.SAMPLE_PAYLOADS["whatsapp_template_approved"]

# The Conversation API test vector of providers.md §1.3 (from the official SDKs' tests).
VECTOR_SECRET = "foo_secret1234"
VECTOR_NONCE = "01FJA8B4A7BM43YGWSG9GBV067"
VECTOR_TIMESTAMP = "1634579353"
VECTOR_BODY = (
    b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
    b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61","message_delivery_report":'
    b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
    b'"status":"QUEUED_ON_CHANNEL","contact_id":"01EXA07N79THJ20WSN6AS30TMW"}}'
)
VECTOR_SIGNATURE = "Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk="


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


def headers(
    body: bytes = BODY,
    *,
    secret: str = SECRET,
    nonce: str = "NONCE0000000000000000000001",
    at: datetime = NOW,
    algorithm: str | None = "HmacSHA256",
) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    built = {
        "x-sinch-webhook-signature": sign(secret, body, nonce, timestamp),
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": timestamp,
    }
    if algorithm is not None:
        built["x-sinch-webhook-signature-algorithm"] = algorithm
    return built


def verify(
    provider: ProviderHandle,
    registration: Registration,
    request_headers: dict[str, str],
    body: bytes = BODY,
    secret: str = SECRET,
) -> Verdict:
    request = api_gateway_request(
        "sinch_provisioning", registration.name, body, request_headers, NOW
    )
    secrets = secret_versions((SecretStage.CURRENT, {"webhook_secret": secret}))
    return provider.verify(request, registration, secrets, NOW)


def test_provider_describes_itself(provider: ProviderHandle) -> None:
    assert provider.info.name == "sinch_provisioning"
    assert provider.info.secret_keys == ("webhook_secret",)
    assert provider.info.rotates == ("webhook_secret",)
    assert provider.info.settings_model is SinchProvisioningSettings
    assert provider.info.supports_handshake is False


def test_settings_defaults_and_bounds() -> None:
    settings = SinchProvisioningSettings.model_validate({"project_id": "p-1"})
    assert settings.timestamp_tolerance_seconds == 300
    assert settings.signature_scheme == "sinch_conversation_hmac"
    with pytest.raises(ValidationError, match="project_id"):
        SinchProvisioningSettings.model_validate({})
    with pytest.raises(ValidationError, match="timestamp_tolerance_seconds"):
        SinchProvisioningSettings.model_validate(
            {"project_id": "p", "timestamp_tolerance_seconds": 0}
        )
    with pytest.raises(ValidationError, match="signature_scheme"):
        SinchProvisioningSettings.model_validate({"project_id": "p", "signature_scheme": "hex"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SinchProvisioningSettings.model_validate({"project_id": "p", "app_id": "x"})


def test_assumed_scheme_reproduces_the_conversation_test_vector() -> None:
    assert sign(VECTOR_SECRET, VECTOR_BODY, VECTOR_NONCE, VECTOR_TIMESTAMP) == VECTOR_SIGNATURE


def test_good_signature_is_accepted_with_a_replay_guard(
    provider: ProviderHandle, registration: Registration
) -> None:
    verdict = verify(provider, registration, headers(at=NOW - timedelta(seconds=10)))
    assert verdict.ok and verdict.stage is SecretStage.CURRENT
    assert verdict.replay_guard is not None
    assert verdict.replay_guard.nonce == "NONCE0000000000000000000001"
    assert verdict.replay_guard.expires_at == NOW + timedelta(seconds=300)


def test_request_without_the_algorithm_header_still_verifies(
    provider: ProviderHandle, registration: Registration
) -> None:
    assert verify(provider, registration, headers(algorithm=None)).ok


@pytest.mark.parametrize(
    ("mutate", "reason", "retryable"),
    [
        (lambda h: h.pop("x-sinch-webhook-signature"), "missing signature headers", False),
        (lambda h: h.pop("x-sinch-webhook-signature-nonce"), "missing signature headers", False),
        (
            lambda h: h.pop("x-sinch-webhook-signature-timestamp"),
            "missing signature headers",
            False,
        ),
        (
            lambda h: h.update({"x-sinch-webhook-signature-algorithm": "HmacSHA1"}),
            "unsupported signature algorithm",
            False,
        ),
        (
            lambda h: h.update({"x-sinch-webhook-signature-timestamp": "2026-11-20T12:00:00Z"}),
            "malformed timestamp",
            False,
        ),
        (
            lambda h: h.update({"x-sinch-webhook-signature-nonce": "ANOTHER-NONCE"}),
            "signature mismatch",
            True,
        ),
    ],
    ids=["no-signature", "no-nonce", "no-timestamp", "sha1", "iso-timestamp", "nonce-swapped"],
)
def test_each_broken_header_is_rejected_with_its_reason(
    provider: ProviderHandle,
    registration: Registration,
    mutate: object,
    reason: str,
    retryable: bool,
) -> None:
    broken = headers()
    mutate(broken)  # type: ignore[operator]
    verdict = verify(provider, registration, broken)
    assert (verdict.ok, verdict.reason) == (False, reason)
    assert verdict.retryable_with_fresh_secrets is retryable


@pytest.mark.parametrize(
    "signature", [pytest.param(s, id=n) for n, s in near_misses(VECTOR_SIGNATURE).items()]
)
def test_a_signature_one_byte_off_or_cut_short_is_refused(
    provider: ProviderHandle, registration: Registration, signature: str
) -> None:
    at = datetime.fromtimestamp(int(VECTOR_TIMESTAMP), UTC)
    genuine = {
        "x-sinch-webhook-signature": VECTOR_SIGNATURE,
        "x-sinch-webhook-signature-nonce": VECTOR_NONCE,
        "x-sinch-webhook-signature-timestamp": VECTOR_TIMESTAMP,
    }
    secrets = secret_versions((SecretStage.CURRENT, {"webhook_secret": VECTOR_SECRET}))

    def check(request_headers: dict[str, str]) -> Verdict:
        request = api_gateway_request(
            "sinch_provisioning", registration.name, VECTOR_BODY, request_headers, at
        )
        return provider.verify(request, registration, secrets, at)

    assert check(genuine).ok
    verdict = check({**genuine, "x-sinch-webhook-signature": signature})
    assert (verdict.ok, verdict.reason) == (False, "signature mismatch")


@pytest.mark.parametrize("skew", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_timestamp_outside_the_window_is_stale(
    provider: ProviderHandle, registration: Registration, skew: timedelta
) -> None:
    verdict = verify(provider, registration, headers(at=NOW - skew))
    assert (verdict.ok, verdict.reason, verdict.retryable_with_fresh_secrets) == (
        False,
        "stale timestamp",
        False,
    )


@pytest.mark.parametrize("skew", [timedelta(seconds=300), timedelta(seconds=-300)])
def test_a_timestamp_exactly_at_the_window_edge_is_accepted(
    provider: ProviderHandle, registration: Registration, skew: timedelta
) -> None:
    assert verify(provider, registration, headers(at=NOW - skew)).ok


def test_a_registration_with_other_settings_is_refused_for_good(
    provider: ProviderHandle, registration: Registration
) -> None:
    foreign = registration.model_copy(update={"settings": registration.oauth2})
    verdict = verify(provider, foreign, headers())
    assert (verdict.ok, verdict.reason, verdict.retryable_with_fresh_secrets) == (
        False,
        "registration settings are not sinch_provisioning settings",
        False,
    )


def test_tolerance_setting_is_honoured(
    provider: ProviderHandle, registration: Registration
) -> None:
    wide = registration.model_copy(
        update={
            "settings": SinchProvisioningSettings(project_id="p", timestamp_tolerance_seconds=900)
        }
    )
    assert verify(provider, wide, headers(at=NOW - timedelta(seconds=600))).ok
    assert not verify(provider, registration, headers(at=NOW - timedelta(seconds=600))).ok


def test_stale_request_with_a_wrong_signature_reports_the_mismatch(
    provider: ProviderHandle, registration: Registration
) -> None:
    verdict = verify(provider, registration, headers(at=NOW - timedelta(days=1), secret="forged"))
    assert verdict.reason == "signature mismatch"


def test_reserialised_json_does_not_verify(
    provider: ProviderHandle, registration: Registration
) -> None:
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    verdict = verify(provider, registration, headers(BODY), body=pretty)
    assert verdict.reason == "signature mismatch"


def test_no_secret_fails_closed(provider: ProviderHandle, registration: Registration) -> None:
    request = api_gateway_request("sinch_provisioning", "r", BODY, headers(), NOW)
    verdict = provider.verify(request, registration, secret_versions(), NOW)
    assert (verdict.ok, verdict.reason) == (False, "no secret configured")


def test_later_versions_are_tried_in_order(
    provider: ProviderHandle, registration: Registration
) -> None:
    request = api_gateway_request("sinch_provisioning", "r", BODY, headers(), NOW)
    secrets = secret_versions(
        (SecretStage.CURRENT, {"webhook_secret": "new-one"}),
        (SecretStage.PENDING, {"webhook_secret": "newer-one"}),
        (SecretStage.PREVIOUS, {"webhook_secret": SECRET}),
    )
    assert provider.verify(request, registration, secrets, NOW).stage is SecretStage.PREVIOUS


def test_samples_signer_matches_the_verifier(
    provider: ProviderHandle, registration: Registration
) -> None:
    signed = samples.signed_headers(BODY, samples.TEST_SECRET, NOW)
    assert set(signed) == {
        "x-sinch-webhook-signature",
        "x-sinch-webhook-signature-nonce",
        "x-sinch-webhook-signature-timestamp",
        "x-sinch-webhook-signature-algorithm",
    }
    assert signed["x-sinch-webhook-signature-timestamp"] == str(int(NOW.timestamp()))
    assert verify(provider, registration, signed).ok
    other = samples.signed_headers(BODY, samples.TEST_SECRET, NOW)
    assert other["x-sinch-webhook-signature-nonce"] != signed["x-sinch-webhook-signature-nonce"]
