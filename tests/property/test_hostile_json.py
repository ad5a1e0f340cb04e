"""Hostile JSON, correctly signed, through the real receiver and token handlers: 400, never more.

Every built-in provider gets bodies that pass verification (each is a genuine sample with one
hostile value added, signed with the provider's published test secret, or carrying a real
OAuth2 token) and so reach its parser: nested far deeper than 64 levels (deeper than Python's
recursion limit), holding NaN or Infinity, numbers no double or 64 bits can hold, or a key
twice. Each must be answered 400 and publish nothing; before hookgate.safe_json the Sinch
parsers answered 500 (RecursionError) or published such bodies as events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from hookgate_dev.providers.hookgate_360dialog import samples as dialog
from hookgate_dev.providers.hookgate_insider_one import samples as insider
from hookgate_dev.providers.hookgate_sinch_conversation import samples as sinch
from hookgate_dev.providers.hookgate_sinch_provisioning import samples as provisioning
from hookgate_dev.testing.contract import with_hostile_value

from .conftest import MAX_BODY_BYTES, Api
from .test_hostile_receiver import api_event, encode
from .test_hostile_token import token_event

Signer = Callable[[bytes], dict[str, str]]

DEEP = 30_000  # far past the recursion limit, and the body stays under MAX_BODY_BYTES
HOSTILE: Mapping[str, bytes] = {
    "nested 65 deep": b"[" * 64 + b"]" * 64,
    f"nested {DEEP} deep": b"[" * DEEP + b"]" * DEEP,
    "NaN": b"NaN",
    "Infinity": b"[Infinity]",
    "-Infinity": b'{"v":-Infinity}',
    "1e400": b"1e400",
    "a 5,000-digit integer": b"9" * 5000,
    "2**64": b"18446744073709551616",
    "a duplicate key": b'{"k":1,"k":2}',
    "a duplicate key at the top": b'1,"hookgate_probe":2',
}


def _sample(payloads: Mapping[str, bytes], name: str) -> bytes:
    body = payloads[name]
    assert body.startswith(b"{") and len(body) < 2048
    return body


def _signer(
    headers: Callable[[bytes, Mapping[str, str], datetime], dict[str, str]], secret: Any
) -> Signer:
    return lambda body: headers(body, secret, datetime.now(UTC))


PROVIDERS: Mapping[str, tuple[str, bytes, Signer]] = {
    "sinch_conversation": (
        "sinch-demo",
        _sample(sinch.SAMPLE_PAYLOADS, "delivery_report"),
        _signer(sinch.signed_headers, sinch.TEST_SECRET),
    ),
    "sinch_provisioning": (
        "sinch-provisioning-demo",
        _sample(provisioning.SAMPLE_PAYLOADS, "whatsapp_template_approved"),
        _signer(provisioning.signed_headers, provisioning.TEST_SECRET),
    ),
    "360dialog": (
        "360dialog-demo",
        _sample(dialog.SAMPLE_PAYLOADS, "status_delivered"),
        _signer(dialog.signed_headers, dialog.TEST_SECRET),
    ),
    "insider_one": (
        "insider-demo",
        _sample(insider.SAMPLE_PAYLOADS, "status_delivered"),
        _signer(insider.signed_headers, insider.TEST_SECRET),
    ),
}


def post(
    api: Api, provider: str, registration: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    assert len(body) <= MAX_BODY_BYTES
    pairs = [*headers.items(), ("content-type", "application/json")]
    return api.receive(
        api_event("POST", provider, registration, pairs, encode(body, "as-api-gateway"))
    )


@pytest.fixture(scope="module")
def insider_v2_bearer(api: Api) -> Signer:
    """Authorization with a real token for the Insider One V2 (OAuth2) registration."""
    form = {"grant_type": "client_credentials", **api.client("insider-v2")}
    answer = api.issue(
        token_event(
            [("content-type", "application/x-www-form-urlencoded")], (urlencode(form), False)
        )
    )
    assert answer["statusCode"] == 200, answer
    token = json.loads(answer["body"])["access_token"]
    return lambda body: {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_signed_hostile_json_is_400_and_publishes_nothing(api: Api, provider: str) -> None:
    registration, sample, sign = PROVIDERS[provider]
    api.account.drain_events()
    answers = {
        what: post(api, provider, registration, body, sign(body))
        for what, body in (
            (what, with_hostile_value(sample, value)) for what, value in HOSTILE.items()
        )
    }
    statuses = {what: answer["statusCode"] for what, answer in answers.items()}
    assert statuses == dict.fromkeys(HOSTILE, 400)
    assert all(json.loads(a["body"])["message"].startswith("body ") for a in answers.values())
    assert api.account.drain_events() == []
    # The same sample without the hostile value is accepted and published: the bodies above
    # were refused for what was added, and the collector would have shown any event.
    genuine = post(api, provider, registration, sample, sign(sample))
    assert genuine["statusCode"] == 200, genuine
    assert api.account.drain_events(wait_seconds=1)


def test_signed_hostile_json_with_an_oauth2_token_is_400(
    api: Api, insider_v2_bearer: Signer
) -> None:
    sample = PROVIDERS["insider_one"][1]
    for what, value in HOSTILE.items():
        answer = post(
            api,
            "insider_one",
            "insider-v2",
            with_hostile_value(sample, value),
            insider_v2_bearer(b""),
        )
        assert answer["statusCode"] == 400, (what, answer)
    assert (
        post(api, "insider_one", "insider-v2", b"{}", insider_v2_bearer(b""))["statusCode"] == 200
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000,
        b'{"grant_type":' + b"[" * 100 + b"]" * 100 + b"}",
        b'{"grant_type":NaN}',
        b'{"grant_type":"client_credentials","grant_type":"refresh_token"}',
    ],
    ids=["200,000 [", "nested 101 deep", "NaN", "a duplicate key"],
)
def test_hostile_json_to_the_token_endpoint_is_invalid_request(api: Api, body: bytes) -> None:
    answer = api.issue(
        token_event([("content-type", "application/json")], encode(body, "as-api-gateway"))
    )
    assert answer["statusCode"] == 400, answer
    assert json.loads(answer["body"])["error"] == "invalid_request"
