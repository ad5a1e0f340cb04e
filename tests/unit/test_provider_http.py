"""Provider calls: retries on 429/5xx/timeouts honouring Retry-After, typed errors otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from hookgate.provider_http import (
    ProviderAPIError,
    ProviderClient,
    RetryPolicy,
    default_error_parser,
    retry_after_seconds,
    send,
    using,
)


def _client(answers: list[httpx.Response | Exception], seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.example")


def test_retries_429_with_retry_after_then_succeeds() -> None:
    seen: list[httpx.Request] = []
    waits: list[float] = []
    client = _client(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(503),
            httpx.Response(200, json={"ok": 1}),
        ],
        seen,
    )
    response = send(
        client, "GET", "/x", provider="acme", operation="list webhooks", sleep=waits.append
    )
    assert response.json() == {"ok": 1}
    assert len(seen) == 3
    assert waits == [2.0, 0.4]


def test_timeouts_are_retried_then_reported() -> None:
    seen: list[httpx.Request] = []
    client = _client([httpx.ReadTimeout("slow")] * 3, seen)
    with pytest.raises(
        ProviderAPIError, match=r"acme: create webhook failed: no response: timed out"
    ) as info:
        send(
            client,
            "POST",
            "/x",
            provider="acme",
            operation="create webhook",
            policy=RetryPolicy(attempts=3),
            sleep=lambda _: None,
        )
    assert info.value.retryable and len(seen) == 3


def test_client_error_is_not_retried_and_carries_the_provider_code() -> None:
    seen: list[httpx.Request] = []
    body = {"error": {"code": 400, "message": "Duplicate target", "status": "INVALID_ARGUMENT"}}
    client = _client([httpx.Response(400, json=body)], seen)
    with pytest.raises(
        ProviderAPIError, match="HTTP 400 INVALID_ARGUMENT: Duplicate target"
    ) as info:
        send(
            client, "POST", "/x", provider="sinch", operation="create webhook", sleep=lambda _: None
        )
    assert (info.value.status, info.value.code, info.value.retryable, len(seen)) == (
        400,
        "INVALID_ARGUMENT",
        False,
        1,
    )


def test_persistent_500_gives_up_after_the_bounded_attempts() -> None:
    seen: list[httpx.Request] = []
    client = _client(
        [httpx.Response(500, json={"errorCode": "INTERNAL", "message": "boom"})] * 4, seen
    )
    with pytest.raises(ProviderAPIError, match="HTTP 500 INTERNAL: boom"):
        send(client, "GET", "/x", provider="acme", operation="get", sleep=lambda _: None)
    assert len(seen) == 4


def test_retry_after_accepts_http_dates() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"})
    from datetime import UTC, datetime

    assert retry_after_seconds(response, now=datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)) == 30.0
    assert retry_after_seconds(httpx.Response(429)) is None


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_a_retry_after_that_is_no_number_of_seconds_is_ignored(value: str) -> None:
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": value})) is None
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "-5"})) == 0.0


class _Acme(ProviderClient):
    provider = "acme"

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": "Bearer t"}

    def error_fields(self, body: Mapping[str, Any], reason: str) -> tuple[str | None, str] | None:
        if "fault" not in body:
            return None
        return str(body["fault"]), str(body.get("text") or reason)


def test_client_base_authenticates_every_call_and_returns_the_json_body() -> None:
    seen: list[httpx.Request] = []
    http = _client([httpx.Response(200, json={"a": 1}), httpx.Response(204)], seen)
    with _Acme(http=http, sleep=lambda _: None) as api:
        assert api.call("GET", "/x", "read", headers={"x-extra": "1"}) == {"a": 1}
        assert api.call("DELETE", "/x", "delete") == {}
    assert [r.headers["authorization"] for r in seen] == ["Bearer t", "Bearer t"]
    assert seen[0].headers["x-extra"] == "1"
    assert http.is_closed, "leaving the with block closes the connections"


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [
        (httpx.Response(400, json={"fault": "E1", "text": "bad"}), "E1", "bad"),
        (httpx.Response(400, json={"fault": "E2"}), "E2", "Bad Request"),
        (httpx.Response(404, json={"other": 1}), None, "Not Found"),
        (httpx.Response(409, json=["not", "an", "object"]), None, "Conflict"),
        (httpx.Response(422, content=b"<html>"), None, "Unprocessable Entity"),
    ],
)
def test_client_base_reads_the_error_body_through_its_subclass(
    answer: httpx.Response, code: str | None, message: str
) -> None:
    api = _Acme(http=_client([answer], []), sleep=lambda _: None)
    with pytest.raises(ProviderAPIError) as info:
        api.call("POST", "/x", "create")
    assert (info.value.provider, info.value.code, info.value.detail) == ("acme", code, message)


def test_default_parser_falls_back_to_the_reason_phrase_without_a_message() -> None:
    assert default_error_parser(httpx.Response(400, json={"code": 7})) == ("7", "Bad Request")
    assert default_error_parser(
        httpx.Response(400, json={"error": {"status": "X", "message": "m"}})
    ) == ("X", "m")


def test_using_closes_only_the_client_it_made() -> None:
    given = _Acme(http=_client([], []))
    assert using(given, lambda: _Acme(http=_client([], [])), lambda api: api) is given
    assert not given._http.is_closed
    made: list[_Acme] = []

    def make() -> _Acme:
        made.append(_Acme(http=_client([], [])))
        return made[-1]

    assert using(None, make, lambda api: api) is made[0]
    assert made[0]._http.is_closed
