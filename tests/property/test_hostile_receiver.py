"""The receiver under hostile input: every answer deliberate, nothing accepted unsigned, no leak.

Hypothesis builds the API Gateway v2 events an attacker can cause: random bytes, invalid JSON
and invalid UTF-8 bodies, a wrong ``isBase64Encoded``, missing and duplicated headers (API
Gateway joins repeated headers with commas), credential headers with random values, odd provider
and registration names, and bodies at and over the size limit.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hookgate_dev.providers.hookgate_360dialog.samples import SAMPLE_PAYLOADS as DIALOG_SAMPLES
from hookgate_dev.providers.hookgate_360dialog.samples import TEST_SECRET as DIALOG_SECRET
from hookgate_dev.providers.hookgate_360dialog.samples import signed_headers as dialog_headers
from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS as INSIDER_SAMPLES
from hookgate_dev.providers.hookgate_insider_one.samples import TEST_SECRET as INSIDER_SECRET
from hookgate_dev.providers.hookgate_insider_one.samples import signed_headers as insider_headers
from hookgate_dev.providers.hookgate_sinch_conversation.samples import (
    SAMPLE_PAYLOADS as SINCH_SAMPLES,
)
from hookgate_dev.providers.hookgate_sinch_conversation.samples import TEST_SECRET as SINCH_SECRET
from hookgate_dev.providers.hookgate_sinch_conversation.samples import (
    signed_headers as sinch_headers,
)

from .conftest import HOSTILE, MAX_BODY_BYTES, Api

ROUTE = "{method} /webhooks/{{provider}}/{{registration}}"
REFUSALS = {400, 401, 404, 405, 413}
REAL = [
    ("sinch_conversation", "sinch-demo"),
    ("360dialog", "360dialog-demo"),
    ("insider_one", "insider-demo"),
    ("insider_one", "insider-v2"),
]
CREDENTIAL_HEADERS = [
    "x-sinch-webhook-signature",
    "x-sinch-webhook-signature-nonce",
    "x-sinch-webhook-signature-timestamp",
    "x-sinch-webhook-signature-algorithm",
    "x-hookgate-token",
    "x-360dialog-signature",
    "authorization",
    "content-type",
    "content-length",
]


def api_event(
    method: str,
    provider: str,
    registration: str,
    headers: list[tuple[str, str]],
    payload: tuple[str | None, bool],
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event exactly as API Gateway shapes one (body, isBase64Encoded)."""
    body, is_base64 = payload
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    path = f"/webhooks/{provider}/{registration}"
    return {
        "version": "2.0",
        "routeKey": ROUTE.format(method=method),
        "rawPath": path,
        "rawQueryString": "",
        "headers": joined,
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
            },
            "requestId": uuid.uuid4().hex,
            "routeKey": ROUTE.format(method=method),
            "stage": "$default",
            "timeEpoch": int(datetime.now(UTC).timestamp() * 1000),
        },
        "pathParameters": {"provider": provider, "registration": registration},
        "body": body,
        "isBase64Encoded": is_base64,
    }


def check_answer(api: Api, answer: dict[str, Any], allowed: set[int]) -> None:
    assert answer["statusCode"] in allowed, answer
    text = str(answer.get("body") or "")
    assert not any(secret in text for secret in api.secrets), "a secret is in the answer"
    if answer["headers"].get("content-type") == "application/json":
        assert isinstance(json.loads(text), dict)


names = st.one_of(
    st.sampled_from(["sinch_conversation", "360dialog", "insider_one", "sinch-demo", "..", ""]),
    st.text(min_size=0, max_size=80),
    st.text(alphabet="%./\\\x00é☃", max_size=12),
    st.just("a" * 5000),
)
header_names = st.one_of(st.sampled_from(CREDENTIAL_HEADERS), st.text(min_size=1, max_size=20))
header_values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["Bearer ", "Bearer x", "Basic Og==", "HmacSHA256", "0", "-1", "1e308", "nan"]),
)
bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"{", b"[]", b"null", b'{"a":' * 200, b"\xff\xfe\x00", b"{}" + b"\x80"]),
    st.sampled_from(list(SINCH_SAMPLES.values()) + list(DIALOG_SAMPLES.values())),
)
encodings = st.sampled_from(["as-api-gateway", "flag-but-raw", "base64-without-flag", "garbage"])


def encode(body: bytes, how: str) -> tuple[str | None, bool]:
    """The body field and the flag, as API Gateway sends them or deliberately wrong."""
    if how == "as-api-gateway":
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return base64.b64encode(body).decode(), True
    if how == "flag-but-raw":
        return body.decode("utf-8", "replace"), True
    if how == "base64-without-flag":
        return base64.b64encode(body).decode(), False
    return "%%% not base64 %%%", True


@HOSTILE
@given(
    target=st.one_of(st.sampled_from(REAL), st.tuples(names, names)),
    method=st.sampled_from(["POST", "GET"]),
    headers=st.lists(st.tuples(header_names, header_values), max_size=8),
    body=bodies,
    how=encodings,
)
@example(("sinch_conversation", "sinch-demo"), "POST", [], b"", "as-api-gateway")
@example(
    ("sinch_conversation", "sinch-demo"),
    "POST",
    [("content-type", "application/json")] * 2,
    b"{}",
    "flag-but-raw",
)
@example(("360dialog", "360dialog-demo"), "POST", [("x-hookgate-token", "")], b"{}", "garbage")
@example(("insider_one", "insider-v2"), "POST", [("authorization", "Bearer a.b")], b"{}", "garbage")
def test_unsigned_requests_are_refused_deliberately_and_never_accepted(  # noqa: PLR0917 - hypothesis
    api: Api,
    target: tuple[str, str],
    method: str,
    headers: list[tuple[str, str]],
    body: bytes,
    how: str,
) -> None:
    answer = api.receive(api_event(method, *target, headers, encode(body, how)))
    # No credential here is genuine: any 2xx would be a verification bypass, any 5xx a crash.
    check_answer(api, answer, REFUSALS)


@HOSTILE
@given(text=st.text(alphabet=st.characters(codec=None), max_size=64))
def test_text_api_gateway_could_never_encode_is_still_refused_cleanly(api: Api, text: str) -> None:
    # Lone surrogates cannot be UTF-8: a body field carrying them must not crash the handler.
    event = api_event("POST", "sinch_conversation", "sinch-demo", [], (text + "\ud800", False))
    check_answer(api, api.receive(event), REFUSALS)


def post_sinch(api: Api, body: bytes, headers: list[tuple[str, str]]) -> dict[str, Any]:
    """POST ``body`` to the Sinch registration as API Gateway would pass it."""
    event = api_event(
        "POST", "sinch_conversation", "sinch-demo", headers, encode(body, "as-api-gateway")
    )
    return api.receive(event)


def sign_sinch(body: bytes) -> list[tuple[str, str]]:
    headers = sinch_headers(body, SINCH_SECRET, datetime.now(UTC))
    return [(k, v) for k, v in headers.items()] + [("content-type", "application/json")]


@HOSTILE
@given(sample=st.sampled_from(sorted(SINCH_SAMPLES)), data=st.data())
def test_a_genuine_request_is_accepted_and_any_changed_byte_is_refused(
    api: Api, sample: str, data: st.DataObject
) -> None:
    body = SINCH_SAMPLES[sample]
    index = data.draw(st.integers(0, len(body) - 1), label="byte")
    flipped = bytearray(body)
    flipped[index] ^= data.draw(st.integers(1, 255), label="xor")
    tampered = post_sinch(api, bytes(flipped), sign_sinch(body))
    check_answer(api, tampered, {401})
    genuine = post_sinch(api, body, sign_sinch(body))
    check_answer(api, genuine, {200})


def _dialog(body: bytes) -> dict[str, str]:
    return dialog_headers(body, DIALOG_SECRET, datetime.now(UTC))


def _insider(body: bytes) -> dict[str, str]:
    return insider_headers(body, INSIDER_SECRET, datetime.now(UTC))


@pytest.mark.parametrize(
    ("target", "sign", "sample"),
    [
        (("360dialog", "360dialog-demo"), _dialog, next(iter(DIALOG_SAMPLES.values()))),
        (("insider_one", "insider-demo"), _insider, next(iter(INSIDER_SAMPLES.values()))),
    ],
)
def test_token_schemes_accept_the_token_and_refuse_any_changed_character(
    api: Api, target: tuple[str, str], sign: Any, sample: bytes
) -> None:
    headers = dict(sign(sample))
    check_answer(
        api,
        api.receive(api_event("POST", *target, list(headers.items()), (sample.decode(), False))),
        {200},
    )
    for name, value in headers.items():
        for index in range(len(value)):
            # "#" rather than another letter: a case change in "Bearer" is the same scheme.
            changed = value[:index] + ("#" if value[index] != "#" else "%") + value[index + 1 :]
            forged = [(n, changed if n == name else v) for n, v in headers.items()]
            event = api_event("POST", *target, forged, (sample.decode(), False))
            check_answer(api, api.receive(event), {401})


@pytest.mark.parametrize(
    "size", [MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 4 * MAX_BODY_BYTES]
)
def test_bodies_at_and_over_the_size_limit(api: Api, size: int) -> None:
    prefix = b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","project_id":"p-1","message_metadata":"'
    suffix = (
        b'","message_delivery_report":{"message_id":"'
        + uuid.uuid4().hex.encode()
        + b'","status":"DELIVERED"}}'
    )
    body = prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix
    assert len(body) == size
    answer = post_sinch(api, body, sign_sinch(body))
    check_answer(api, answer, {200} if size <= MAX_BODY_BYTES else {413})
    if size > MAX_BODY_BYTES:  # refused before any verification: a signature is not even read
        unsigned = post_sinch(api, body, [])
        check_answer(api, unsigned, {413})


def test_no_secret_reaches_any_log_line(api: Api) -> None:
    # Powertools' logger does not propagate: listen on it with its own JSON formatter.
    powertools = logging.getLogger("hookgate")
    stream = io.StringIO()
    listener = logging.StreamHandler(stream)
    listener.setFormatter(powertools.handlers[0].formatter)
    powertools.addHandler(listener)
    try:
        body = SINCH_SAMPLES[sorted(SINCH_SAMPLES)[0]]
        wrong = [(k, v[::-1]) for k, v in sign_sinch(body)]
        leaked_header = [("authorization", f"Bearer {SINCH_SECRET['webhook_secret']}")]
        for headers in (wrong, sign_sinch(body), leaked_header, []):
            api.receive(
                api_event(
                    "POST", "sinch_conversation", "sinch-demo", headers, (body.decode(), False)
                )
            )
        api.issue(
            token_event(
                f"grant_type=client_credentials&client_id=x&client_secret={SINCH_SECRET['webhook_secret']}"
            )
        )
    finally:
        powertools.removeHandler(listener)
    logged = stream.getvalue()
    # The refusals were logged (POWERTOOLS_LOG_LEVEL=DEBUG here), without a secret.
    assert "webhook rejected" in logged
    assert not [s for s in api.secrets if s in logged]


def token_event(body: str) -> dict[str, Any]:
    event = api_event(
        "POST", "-", "-", [("content-type", "application/x-www-form-urlencoded")], (body, False)
    )
    event["routeKey"] = event["requestContext"]["routeKey"] = "POST /oauth2/token"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/oauth2/token"
    event["pathParameters"] = None
    return event
