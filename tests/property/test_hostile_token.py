"""The OAuth2 token endpoint under hostile input: RFC 6749 errors only, no token, no leak."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import HOSTILE, Api
from .test_hostile_receiver import api_event, encode

ERRORS = {400, 401, 429}
PARAMETERS = ["grant_type", "client_id", "client_secret", "refresh_token", "scope", "scopes"]


def token_event(
    headers: list[tuple[str, str]], payload: tuple[str | None, bool], method: str = "POST"
) -> dict[str, Any]:
    event = api_event(method, "-", "-", headers, payload)
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} /oauth2/token"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/oauth2/token"
    event["pathParameters"] = None
    return event


def check_error(api: Api, answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["statusCode"] in ERRORS, answer
    text = str(answer["body"])
    assert not any(secret in text for secret in api.secrets), "a secret is in the answer"
    body: dict[str, Any] = json.loads(text)
    assert body["error"] in {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
    assert "access_token" not in body
    assert answer["headers"].get("cache-control") == "no-store"
    if answer["statusCode"] == 429:
        assert int(answer["headers"]["retry-after"]) > 0
    return body


values = st.one_of(
    st.text(max_size=64),
    st.sampled_from(["client_credentials", "refresh_token", "insider-v2", "", "%00", "a" * 3000]),
)
forms = st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=10), values), max_size=6)
content_types = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
    ]
)
authorizations = st.one_of(
    st.none(),
    st.text(max_size=60).map(lambda s: f"Basic {s}"),
    st.binary(max_size=60).map(lambda b: "Basic " + base64.b64encode(b).decode()),
    st.tuples(st.text(max_size=20), st.text(max_size=20)).map(
        lambda p: "Basic " + base64.b64encode(f"{p[0]}:{p[1]}".encode()).decode()
    ),
    st.sampled_from(["Bearer x", "Basic", "basic Og==", "Digest a=b"]),
)


def body_for(form: list[tuple[str, str]], content_type: str, shape: str) -> bytes:
    if shape == "json":
        return json.dumps(dict(form)).encode()
    if shape == "json-list":
        return json.dumps([list(pair) for pair in form]).encode()
    if shape == "raw":
        return "&".join(f"{k}={v}" for k, v in form).encode("utf-8", "surrogatepass")
    return urlencode(form).encode()


@HOSTILE
@given(
    form=forms,
    content_type=content_types,
    shape=st.sampled_from(["form", "json", "json-list", "raw"]),
    authorization=authorizations,
    how=st.sampled_from(["as-api-gateway", "flag-but-raw", "base64-without-flag", "garbage"]),
)
@example([], "", "form", None, "as-api-gateway")
@example([("grant_type", "client_credentials")] * 2, "", "form", None, "as-api-gateway")
@example([("client_id", "insider-v2"), ("client_secret", "")], "", "form", "Basic Og==", "garbage")
def test_any_request_without_the_client_secret_gets_an_rfc_6749_error(  # noqa: PLR0917 - hypothesis
    api: Api,
    form: list[tuple[str, str]],
    content_type: str,
    shape: str,
    authorization: str | None,
    how: str,
) -> None:
    headers = [("content-type", content_type)] if content_type else []
    if authorization is not None:
        headers.append(("authorization", authorization))
    answer = api.issue(token_event(headers, encode(body_for(form, content_type, shape), how)))
    check_error(api, answer)


@HOSTILE
@given(secret=st.text(min_size=1, max_size=80))
def test_a_wrong_secret_for_a_real_client_is_refused_then_slowed_down(
    api: Api, secret: str
) -> None:
    client = api.client("insider-v2")
    if secret == client["client_secret"]:
        return
    form = {
        "grant_type": "client_credentials",
        "client_id": client["client_id"],
        "client_secret": secret,
    }
    answer = api.issue(
        token_event(
            [("content-type", "application/x-www-form-urlencoded")], (urlencode(form), False)
        )
    )
    assert check_error(api, answer)["error"] == "invalid_client"


def test_the_real_client_still_gets_a_token_after_the_flood_of_wrong_secrets(api: Api) -> None:
    # The wrong-secret property above locked its (client id, address) out; the real client,
    # from that very address, still gets its token: credentials are checked before any lock.
    client = api.client("insider-v2")
    form = {"grant_type": "client_credentials", **client}
    answer = api.issue(
        token_event(
            [("content-type", "application/x-www-form-urlencoded")], (urlencode(form), False)
        )
    )
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["token_type"] == "Bearer"
