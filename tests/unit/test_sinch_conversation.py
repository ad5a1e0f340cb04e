"""Sinch Conversation: verification against the real algorithm and the SDK, and parsing."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    OAuth2Settings,
    Registration,
    SecretStage,
    SecretVersion,
    SecretVersions,
)
from hookgate.oauth2.tokens import BearerTokens, SigningKeys
from hookgate.secrets import SecretStore
from hookgate.taxonomy import EVENT_TYPES
from hookgate_dev.providers.hookgate_sinch_conversation.samples import (
    EXPECTED_TYPES,
    SAMPLE_PAYLOADS,
    TEST_SECRET,
)
from hookgate_sinch.auth import SinchAuth
from hookgate_sinch.signature import sign
from hookgate_sinch_conversation import plugin
from hookgate_sinch_conversation.parse import parse_callback
from hookgate_sinch_conversation.register import webhook_differences
from hookgate_sinch_conversation.settings import SinchConversationSettings

from .sinch_signing import VECTOR_TIME, SinchRequest, near_misses

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from sinch.domains.authentication.sinch_events.v1.authentication_validation import (
        calculate_sinch_event_signature,
        compute_signed_data,
        validate_sinch_event_signature_with_nonce,
    )

REGISTRATION = Registration(
    name="sinch-demo",
    provider="sinch_conversation",
    secret_id="hookgate/sinch-demo",
    settings=SinchConversationSettings(project_id="p", app_id="a"),
)


def versions(*pairs: tuple[SecretStage, str]) -> SecretVersions:
    return SecretVersions(
        secret_id="hookgate/sinch-demo",
        versions=tuple(
            SecretVersion(
                stage=stage,
                version_id=f"v-{stage.short}",
                values={"webhook_secret": SecretStr(value)},
            )
            for stage, value in pairs
        ),
    )


CURRENT = versions((SecretStage.CURRENT, TEST_SECRET["webhook_secret"]))


def verify(
    request: SinchRequest, secrets: SecretVersions = CURRENT, offset: float = 2.0
) -> tuple[bool, str, str | None]:
    verdict = plugin.hookgate_verify(
        request=request.build(),
        registration=REGISTRATION,
        secrets=secrets,
        now=VECTOR_TIME + timedelta(seconds=offset),
        tokens=None,
    )
    return verdict.ok, verdict.reason, verdict.stage.short if verdict.stage else None


def test_the_sdk_test_vector() -> None:
    assert sign(
        "foo_secret1234",
        SAMPLE_PAYLOADS["sdk_test_vector"],
        "01FJA8B4A7BM43YGWSG9GBV067",
        "1634579353",
    ) == ("Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk=")
    good = SinchRequest(signature="Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk=")
    assert verify(good) == (True, "verified", "current")


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (SinchRequest(tamper=SAMPLE_PAYLOADS["sdk_test_vector"] + b" "), "signature mismatch"),
        (SinchRequest(secret="not-the-secret"), "signature mismatch"),
        (
            SinchRequest(nonce="other").but(
                signature=sign(
                    "foo_secret1234",
                    SAMPLE_PAYLOADS["sdk_test_vector"],
                    "01FJA8B4A7BM43YGWSG9GBV067",
                    "1634579353",
                )
            ),
            "signature mismatch",
        ),
        (SinchRequest(drop=("signature",)), "missing signature headers"),
        (SinchRequest(drop=("signature-nonce",)), "missing signature headers"),
        (SinchRequest(drop=("signature-timestamp",)), "missing signature headers"),
        (SinchRequest(algorithm="HmacSHA1"), "unsupported signature algorithm"),
        (SinchRequest(timestamp="yesterday"), "stale timestamp"),
        # Signed correctly, yet no time: a NaN compares False with everything, so a window
        # check written `abs(now - t) > tolerance` let it through (and then raised).
        (SinchRequest(timestamp="nan"), "stale timestamp"),
        (SinchRequest(timestamp="NaN"), "stale timestamp"),
        (SinchRequest(timestamp="-nan"), "stale timestamp"),
        (SinchRequest(timestamp="inf"), "stale timestamp"),
        (SinchRequest(timestamp="-Infinity"), "stale timestamp"),
        (SinchRequest(timestamp="1e400"), "stale timestamp"),
    ],
)
def test_rejections(request_: SinchRequest, reason: str) -> None:
    assert verify(request_) == (False, reason, None)


VECTOR_SIGNATURE = "Yc+3R1pIS78xLASybulhs8BsSo9BPB3Pr92QCUoczfk="


@pytest.mark.parametrize(
    "signature", [pytest.param(s, id=n) for n, s in near_misses(VECTOR_SIGNATURE).items()]
)
def test_a_signature_one_byte_off_or_cut_short_is_refused(signature: str) -> None:
    assert verify(SinchRequest(signature=VECTOR_SIGNATURE)) == (True, "verified", "current")
    assert verify(SinchRequest(signature=signature)) == (False, "signature mismatch", None)


@pytest.mark.parametrize(
    "signature",
    [
        VECTOR_SIGNATURE[:10] + "!" + VECTOR_SIGNATURE[10:],
        VECTOR_SIGNATURE[:10] + "\n" + VECTOR_SIGNATURE[10:],
        VECTOR_SIGNATURE.replace("+", "-"),
    ],
)
def test_a_genuine_signature_with_characters_outside_base64_is_refused(signature: str) -> None:
    # A lenient decoder drops such characters and would accept each of these.
    assert verify(SinchRequest(signature=signature)) == (False, "signature mismatch", None)


def test_a_timestamp_of_13_digits_or_more_is_read_as_milliseconds() -> None:
    # Pinned where the two readings differ: 10**12 is seconds (year 33658), past it milliseconds.
    at_10_12 = datetime.fromtimestamp(10**9, UTC)

    def verify_at(stamp: str, now: datetime) -> bool:
        request_ = SinchRequest(timestamp=stamp)
        return plugin.hookgate_verify(
            request=request_.build(),
            registration=REGISTRATION,
            secrets=CURRENT,
            now=now,
            tokens=None,
        ).ok

    assert not verify_at("1000000000000", at_10_12)
    assert verify_at("1000000000000.5", at_10_12)
    assert verify_at("1000000000300", at_10_12)


def test_timestamp_window_in_both_directions() -> None:
    assert verify(SinchRequest(), offset=300)[0]
    assert verify(SinchRequest(), offset=-300)[0]
    assert verify(SinchRequest(), offset=301)[1] == "stale timestamp"
    assert verify(SinchRequest(), offset=-301)[1] == "stale timestamp"
    assert verify(SinchRequest(timestamp="1634579353000"))[0]  # milliseconds tolerated


def test_header_case_algorithm_case_and_base64_bodies() -> None:
    assert verify(SinchRequest(upper_case_names=True))[0]
    assert verify(SinchRequest(algorithm="hmacsha256"))[0]
    assert verify(SinchRequest(algorithm=None))[0]
    assert verify(SinchRequest(base64_body=True))[0]


def test_rotation_stages_and_fail_closed() -> None:
    rotating = versions(
        (SecretStage.CURRENT, "new-current"),
        (SecretStage.PENDING, "the-pending"),
        (SecretStage.PREVIOUS, "foo_secret1234"),
    )
    assert verify(SinchRequest(), rotating) == (True, "verified", "previous")
    assert verify(SinchRequest(secret="the-pending"), rotating) == (True, "verified", "pending")
    assert verify(SinchRequest(), SecretVersions(secret_id="x")) == (
        False,
        "no secret configured",
        None,
    )
    empty = SecretVersions(
        secret_id="x",
        versions=(SecretVersion(stage=SecretStage.CURRENT, version_id="v", values={}),),
    )
    assert verify(SinchRequest(), empty) == (False, "no secret configured", None)


def test_accepted_nonce_is_guarded_until_the_window_closes() -> None:
    verdict = plugin.hookgate_verify(
        request=SinchRequest().build(),
        registration=REGISTRATION,
        secrets=CURRENT,
        now=VECTOR_TIME,
        tokens=None,
    )
    assert verdict.replay_guard is not None
    assert verdict.replay_guard.nonce == "01FJA8B4A7BM43YGWSG9GBV067"
    assert verdict.replay_guard.expires_at == VECTOR_TIME + timedelta(seconds=300)


@settings(max_examples=150, deadline=None)
@given(
    body=st.text(min_size=0, max_size=400),
    nonce=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40
    ),
    secret=st.text(min_size=1, max_size=64),
    timestamp=st.integers(min_value=0, max_value=2**34).map(str),
)
def test_agrees_with_the_official_sdk(body: str, nonce: str, secret: str, timestamp: str) -> None:
    raw = body.encode("utf-8")
    ours = sign(secret, raw, nonce, timestamp)
    assert ours == calculate_sinch_event_signature(
        compute_signed_data(body, nonce, timestamp), secret
    )
    headers = {
        "x-sinch-webhook-signature": ours,
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": timestamp,
    }
    assert validate_sinch_event_signature_with_nonce(secret, headers, body)
    tampered = body + "x"
    assert not validate_sinch_event_signature_with_nonce(secret, headers, tampered)
    assert sign(secret, tampered.encode(), nonce, timestamp) != ours


@pytest.mark.parametrize("name", sorted(SAMPLE_PAYLOADS))
def test_golden_samples(name: str) -> None:
    events = parse_callback(SinchRequest(body=SAMPLE_PAYLOADS[name]).build(), REGISTRATION)
    assert tuple(e.type for e in events) == EXPECTED_TYPES[name]
    for event in events:
        assert event.type in EVENT_TYPES
        assert event.raw == json.loads(SAMPLE_PAYLOADS[name])
        assert event.registration == "sinch-demo" and event.provider == "sinch_conversation"


def test_fields_of_a_failed_delivery_and_an_inbound_message() -> None:
    (failed,) = parse_callback(
        SinchRequest(body=SAMPLE_PAYLOADS["failed_delivery_report"]).build(), REGISTRATION
    )
    assert (failed.message_id, failed.channel, failed.status) == (
        "01EQBF0BT63J7S1FEKJZ0Z08VD",
        "WHATSAPP",
        "FAILED",
    )
    assert failed.error is not None and failed.error.code == "OUTSIDE_ALLOWED_SENDING_WINDOW"
    assert failed.dedupe_key == "mdr:01EQBF0BT63J7S1FEKJZ0Z08VD:FAILED:WHATSAPP"
    assert (
        failed.occurred_at is not None
        and failed.occurred_at.isoformat() == "2020-11-17T15:09:13.267185+00:00"
    )
    (inbound,) = parse_callback(
        SinchRequest(body=SAMPLE_PAYLOADS["inbound_message"]).build(), REGISTRATION
    )
    assert (inbound.message_id, inbound.data["text"], inbound.dedupe_key) == (
        "01EQ8235TD19N21XQTH12B145D",
        "Hi!",
        "msg:01EQ8235TD19N21XQTH12B145D",
    )


def test_statuses_of_one_message_have_distinct_dedupe_keys() -> None:
    keys = {
        parse_callback(SinchRequest(body=SAMPLE_PAYLOADS[name]).build(), REGISTRATION)[0].dedupe_key
        for name in ("delivered_report", "read_report", "failed_delivery_report", "sdk_test_vector")
    }
    assert len(keys) == 4


def test_a_time_outside_datetimes_range_in_utc_is_no_time() -> None:
    body = json.dumps(
        {
            "event_time": "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
            "accepted_time": "9999-12-31T23:59:59-01:00",  # after year 9999 once in UTC
            "message_delivery_report": {"message_id": "m-1", "status": "DELIVERED"},
        }
    ).encode()
    (event,) = parse_callback(SinchRequest(body=body).build(), REGISTRATION)
    assert (event.type, event.occurred_at) == ("message.delivered", None)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1,2]", b'"text"', b"\xff\xfe"])
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_callback(SinchRequest(body=body).build(), REGISTRATION)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "message",
                        "message_delivery_report",
                        "status",
                        "reason",
                        "channel_identity",
                        "id",
                        "message_id",
                        "event_time",
                        "contact_message",
                        "text_message",
                        "text",
                        "event",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_parses_or_is_refused_cleanly(value: object) -> None:
    body = json.dumps(value).encode()
    try:
        events = parse_callback(SinchRequest(body=body).build(), REGISTRATION)
    except MalformedPayloadError:
        return
    assert len(events) == 1 and events[0].type in EVENT_TYPES


@pytest.mark.parametrize(("expires_in", "fetches"), [("Infinity", 2), ("NaN", 2), ("3600", 1)])
def test_an_api_token_without_a_finite_lifetime_is_not_cached(
    expires_in: str, fetches: int
) -> None:
    seen: list[httpx.Request] = []

    def sinch_auth_host(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = f'{{"access_token":"t-{len(seen)}","expires_in":{expires_in}}}'
        return httpx.Response(200, content=body.encode())

    now = [1000.0]
    auth = SinchAuth(
        httpx.Client(transport=httpx.MockTransport(sinch_auth_host)),
        auth_url="https://auth.example",
        key_id="key",
        key_secret="key-secret-value",
        provider="sinch_conversation",
        clock=lambda: now[0],
    )
    assert auth.bearer() == "t-1"
    now[0] += 600
    auth.bearer()
    assert len(seen) == fetches


# -- issue 17 item 7: everything Sinch shows about the webhook is compared --------------------

_WANT = {
    "target": "https://h.example/webhooks/sinch_conversation/r",
    "target_type": "HTTP",
    "triggers": ["MESSAGE_DELIVERY"],
    "secret": "webhook-secret-v2",
    "client_credentials": {
        "client_id": "r",
        "client_secret": "client-secret-v2",
        "endpoint": "https://h.example/oauth2/token",
        "token_request_type": "BASIC",
    },
}
_SHOWN_CREDENTIALS = {
    "client_id": "r",
    "endpoint": "https://h.example/oauth2/token",
    "token_request_type": "BASIC",
}


@pytest.mark.parametrize(
    ("shown", "drift"),
    [
        ({}, ()),  # secrets not echoed: nothing to compare
        ({"secret": "webhook-secret-v2"}, ()),
        ({"secret": "********"}, ()),  # masked: unknown, left alone
        ({"secret": ""}, ("secret",)),  # Sinch has none: deliveries fail verification
        ({"secret": None}, ("secret",)),
        ({"secret": "webhook-secret-v1"}, ("secret",)),  # stale
        ({"secret": "webhook-secret-v2 "}, ("secret",)),
        (
            {"client_credentials": {**_SHOWN_CREDENTIALS, "client_secret": "x"}},
            ("client_credentials",),
        ),
        ({"client_credentials": {**_SHOWN_CREDENTIALS, "client_secret": "****"}}, ()),
        (
            {"client_credentials": {**_SHOWN_CREDENTIALS, "client_secret": ""}},
            ("client_credentials",),
        ),
        (
            {"client_credentials": {**_SHOWN_CREDENTIALS, "token_request_type": "FORM"}},
            ("client_credentials",),
        ),
        ({"client_credentials": {**_SHOWN_CREDENTIALS, "client_id": "R"}}, ("client_credentials",)),
        (
            {
                "client_credentials": {
                    "client_id": "r",
                    "endpoint": "https://h.example/oauth2/token",
                }
            },
            (),
        ),
        ({"client_credentials": None}, ("client_credentials",)),
    ],
)
def test_webhook_differences_see_missing_and_stale_verification_settings(
    shown: dict[str, Any], drift: tuple[str, ...]
) -> None:
    remote = {
        "target": _WANT["target"],
        "triggers": ["MESSAGE_DELIVERY"],
        "client_credentials": _SHOWN_CREDENTIALS,
        **shown,
    }
    fields = webhook_differences(remote, _WANT)
    assert tuple(sorted(fields)) == drift
    for name in drift:
        assert fields[name] == _WANT[name]  # repaired with the version Sinch must hold


def test_without_oauth2_client_credentials_are_not_compared() -> None:
    want = {k: v for k, v in _WANT.items() if k != "client_credentials"}
    remote = {"triggers": ["MESSAGE_DELIVERY"], "client_credentials": {"client_id": "x"}}
    assert webhook_differences(remote, want) == {}


@dataclass
class _FixedKeys(SigningKeys):
    """One current token signing key, without Secrets Manager."""

    def versions(self) -> list[tuple[SecretStage, str, bytes]]:
        return [(SecretStage.CURRENT, "kid-1", b"k" * 32)]


TOKENS = BearerTokens(_FixedKeys(cast(SecretStore, None), "signing"))


def oauth2_verify(
    request_: SinchRequest,
    *,
    tokens: BearerTokens | None = TOKENS,
    require_signature: bool = True,
    secrets: SecretVersions = CURRENT,
) -> tuple[bool, str]:
    registration = REGISTRATION.model_copy(
        update={
            "oauth2": OAuth2Settings(),
            "settings": SinchConversationSettings(
                project_id="p", app_id="a", require_signature=require_signature
            ),
        }
    )
    verdict = plugin.hookgate_verify(
        request=request_.build(),
        registration=registration,
        secrets=secrets,
        now=VECTOR_TIME,
        tokens=tokens,
    )
    return verdict.ok, verdict.reason


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_oauth2_webhooks_need_a_token_hookgate_issued_and_the_signature() -> None:
    registration = REGISTRATION.model_copy(update={"oauth2": OAuth2Settings()})
    issued = TOKENS.issue(
        registration,
        "sinch-demo",
        "",
        3600,
        VECTOR_TIME,
        secret_version=CURRENT.versions[0].version_id,
    )
    signed = SinchRequest(extra=bearer(issued))
    assert oauth2_verify(signed) == (True, "verified")
    assert oauth2_verify(signed, tokens=None) == (False, "oauth2 not configured")
    assert not oauth2_verify(SinchRequest(extra=bearer("a.b.c")))[0]
    assert not oauth2_verify(SinchRequest())[0]  # signed, but no token
    unsigned = SinchRequest(extra=bearer(issued), drop=("signature",))
    assert oauth2_verify(unsigned) == (False, "missing signature headers")
    forged = SinchRequest(extra=bearer(issued), secret="not-the-secret")
    assert oauth2_verify(forged) == (False, "signature mismatch")
    # Without require_signature, the token alone passes only while no webhook secret is set.
    no_secret = SecretVersions(
        secret_id="hookgate/sinch-demo",
        versions=(
            SecretVersion(
                stage=SecretStage.CURRENT,
                version_id=CURRENT.versions[0].version_id,
                values={"client_secret": SecretStr("client-secret-value")},
            ),
        ),
    )
    assert oauth2_verify(unsigned, require_signature=False, secrets=no_secret) == (
        True,
        "verified",
    )
    assert oauth2_verify(unsigned, require_signature=False) == (False, "missing signature headers")
    other = registration.model_copy(update={"name": "someone-else"})
    stolen = TOKENS.issue(
        other, "sinch-demo", "", 3600, VECTOR_TIME, secret_version=CURRENT.versions[0].version_id
    )
    assert not oauth2_verify(
        SinchRequest(extra=bearer(stolen)), secrets=no_secret, require_signature=False
    )[0]


@pytest.mark.parametrize(
    ("request_", "retryable"),
    [
        (SinchRequest(drop=("signature",)), False),
        (SinchRequest(algorithm="HmacSHA1"), False),
        (SinchRequest(timestamp="yesterday"), False),
        (SinchRequest(secret="not-the-secret"), True),
    ],
)
def test_only_a_signature_mismatch_is_worth_fresh_secrets(
    request_: SinchRequest, retryable: bool
) -> None:
    verdict = plugin.hookgate_verify(
        request=request_.build(),
        registration=REGISTRATION,
        secrets=CURRENT,
        now=VECTOR_TIME,
        tokens=None,
    )
    assert (verdict.ok, verdict.retryable_with_fresh_secrets) == (False, retryable)


def test_verify_rejects_another_providers_settings_for_good() -> None:
    foreign = REGISTRATION.model_copy(update={"settings": OAuth2Settings()})
    verdict = plugin.hookgate_verify(
        request=SinchRequest().build(),
        registration=foreign,
        secrets=CURRENT,
        now=VECTOR_TIME,
        tokens=None,
    )
    assert (verdict.ok, verdict.reason, verdict.retryable_with_fresh_secrets) == (
        False,
        "registration settings are not sinch_conversation settings",
        False,
    )
