"""The token endpoint's handler called directly, over moto's Secrets Manager in process.

Every answer is compared whole: status, RFC 6749 §5.2 error code and description, headers
(``Cache-Control: no-store`` on each) and the outcome recorded for metrics. Issued tokens are
decoded with the raw signing key the test stored. Rotation: a pending client secret works, a
replaced one (AWSPREVIOUS, even inside its grace) and its refresh token are refused at once.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, urlencode

import jwt
import pytest

from hookgate import safe_json
from hookgate.config import HookgateConfig, UnavailableRegistration
from hookgate.errors import MalformedPayloadError
from hookgate.models import InboundRequest, OAuth2Settings
from hookgate.oauth2.backoff import FailureBackoff
from hookgate.oauth2.endpoint import OAuthError, TokenEndpoint, TokenResponse

from .oauth2_world import SIGNING_KEY, World, moto_world, registration

NOW = datetime(2020, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
BASIC_CHALLENGE = {"www-authenticate": 'Basic realm="hookgate"'}
SOURCE = "198.51.100.7"
INSIDER = registration(
    oauth2=OAuth2Settings(
        expires_in=600,
        scopes=("webhook.read", "webhook.write"),
        grants=("client_credentials", "refresh_token"),
    )
)
NAMED = registration("named-client", oauth2=OAuth2Settings(client_id="Insider.Client-7"))
NUMBERED = registration("numbered", oauth2=OAuth2Settings(client_id="12345"))
PLAIN = registration("plain").model_copy(update={"oauth2": None})
BROKEN = UnavailableRegistration("broken", "insider_one", "settings refused", "broken-client")
INSIDER_SECRET = {"client_secret": "p+a ss:w%rd/é-1", "refresh_token": "refresh-one"}
NAMED_SECRET = {"client_secret": "named:secret-1"}


@dataclass
class Endpoint:
    """The handler under test, the world behind it and how many secret reads it made."""

    world: World
    handler: TokenEndpoint
    ticks: list[float]

    def ask(self, request: InboundRequest) -> TokenResponse:
        """Return the handler's answer to ``request``."""
        return self.handler.handle(request)

    @property
    def api_calls(self) -> int:
        """Return the Secrets Manager calls the endpoint's cache made so far."""
        return self.handler.secrets.api_calls


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch, secret_values: set[str]) -> Iterator[Endpoint]:
    secret_values.update(
        ("named:secret-1", "refresh-one", "p+a ss:w%rd/é-1", "rotated-secret", "rotated-refresh")
    )
    with moto_world(monkeypatch) as world:
        world.create(INSIDER.secret_id, INSIDER_SECRET)
        world.create(NAMED.secret_id, NAMED_SECRET)
        world.create(NUMBERED.secret_id, NAMED_SECRET)
        world.create(PLAIN.secret_id, NAMED_SECRET)
        config = HookgateConfig(
            source="hookgate.yaml",
            registrations={r.name: r for r in (INSIDER, NAMED, NUMBERED, PLAIN)},
            unavailable={"broken": BROKEN},
        )
        store = world.store()
        ticks = [0.0]
        handler = TokenEndpoint(
            config=config,
            secrets=store,
            tokens=world.tokens(store),
            backoff=FailureBackoff(clock=lambda: ticks[0]),
            clock=lambda: NOW,
        )
        yield Endpoint(world, handler, ticks)


def _basic(client_id: str, secret: str) -> str:
    # RFC 6749 §2.3.1: each part form-encoded, then joined and base64-encoded.
    joined = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(joined.encode()).decode()


def _request(
    body: bytes | dict[str, Any] = b"grant_type=client_credentials",
    *,
    authorization: str | None = _basic("insider-v2", INSIDER_SECRET["client_secret"]),
    content_type: str | None = "application/x-www-form-urlencoded",
    method: str = "POST",
    source: str | None = SOURCE,
) -> InboundRequest:
    headers = {}
    if authorization is not None:
        headers["authorization"] = authorization
    if content_type is not None:
        headers["content-type"] = content_type
    if isinstance(body, dict):
        body = json.dumps(body).encode() if content_type == "application/json" else b""
    return InboundRequest(
        method=method,
        path="/oauth2/token",
        headers=headers,
        body=body,
        received_at=NOW,
        source_ip=source,
    )


def _form(**params: str) -> bytes:
    return urlencode(params).encode()


def _error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, str], str]:
    outcome = "throttled" if status == 429 else error
    body = {"error": error, "error_description": description}
    return status, body, {**NO_STORE, **(headers or {})}, outcome


def _seen(answer: TokenResponse) -> tuple[int, dict[str, Any], dict[str, str], str]:
    return answer.status, answer.body, answer.headers, answer.outcome


def _client_error(basic: bool = True) -> tuple[int, dict[str, str], dict[str, str], str]:
    return _error(
        401, "invalid_client", "client authentication failed", BASIC_CHALLENGE if basic else {}
    )


def _claims(answer: TokenResponse) -> dict[str, Any]:
    assert (answer.status, answer.headers, answer.outcome) == (200, NO_STORE, "issued")
    return jwt.decode(
        answer.body["access_token"],
        SIGNING_KEY,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_aud": False},
    )


def _current_version(world: World, secret_id: str) -> str:
    return next(
        str(v["VersionId"])
        for v in world.sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
        if "AWSCURRENT" in v["VersionStages"]
    )


# --- Issuing --------------------------------------------------------------------------------


def test_client_credentials_with_basic_auth_get_a_bearer_token_with_every_scope(
    endpoint: Endpoint,
) -> None:
    answer = endpoint.ask(_request())
    assert answer.body == {
        "access_token": answer.body["access_token"],
        "token_type": "Bearer",
        "expires_in": 600,
        "scope": "webhook.read webhook.write",
    }
    claims = _claims(answer)
    issued = int(NOW.timestamp())
    assert claims == {
        "iss": "hookgate",
        "aud": "insider-v2",
        "sub": "insider-v2",
        "client_id": "insider-v2",
        "secret_version": _current_version(endpoint.world, INSIDER.secret_id),
        "scope": "webhook.read webhook.write",
        "iat": issued,
        "exp": issued + 600,
        "jti": claims["jti"],
    }


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("webhook.write", "webhook.write"),
        ("webhook.write webhook.read", "webhook.write webhook.read"),
        ("  webhook.read  ", "webhook.read"),
        ("", "webhook.read webhook.write"),
    ],
)
def test_the_scope_is_the_requested_one_or_else_every_allowed_one(
    endpoint: Endpoint, requested: str, granted: str
) -> None:
    answer = endpoint.ask(_request(_form(grant_type="client_credentials", scope=requested)))
    assert answer.body["scope"] == granted
    assert _claims(answer)["scope"] == granted


def test_a_scope_not_allowed_is_refused(endpoint: Endpoint) -> None:
    scope_error = _error(400, "invalid_scope", "a requested scope is not allowed")
    for scope in ("admin", "webhook.read admin", "webhook"):
        body = _form(grant_type="client_credentials", scope=scope)
        assert _seen(endpoint.ask(_request(body))) == scope_error
    # A client with no scopes gets an empty scope, and may ask for none.
    named = _basic("Insider.Client-7", NAMED_SECRET["client_secret"])
    answer = endpoint.ask(_request(authorization=named))
    assert (answer.body["scope"], answer.body["expires_in"]) == ("", 3600)
    assert _claims(answer)["sub"] == "Insider.Client-7"
    asked = _request(
        _form(grant_type="client_credentials", scope="webhook.read"), authorization=named
    )
    assert _seen(endpoint.ask(asked)) == scope_error


def test_client_secret_post_in_a_form_or_a_json_body(endpoint: Endpoint) -> None:
    params = {
        "grant_type": "client_credentials",
        "client_id": "insider-v2",
        "client_secret": INSIDER_SECRET["client_secret"],
    }
    assert endpoint.ask(_request(_form(**params), authorization=None)).status == 200
    for content_type in ("application/json", "Application/JSON ; charset=utf-8"):
        answer = endpoint.ask(
            _request(json.dumps(params).encode(), authorization=None, content_type=content_type)
        )
        assert answer.status == 200, content_type
    assert (
        endpoint.ask(_request(_form(**params), authorization=None, content_type=None)).status == 200
    )


def test_a_json_scope_string_is_taken_as_it_is(endpoint: Endpoint) -> None:
    body = {"grant_type": "client_credentials", "scope": "webhook.write"}
    answer = endpoint.ask(_request(body, content_type="application/json"))
    assert answer.body["scope"] == "webhook.write"


@pytest.mark.parametrize("name", ["scope", "scopes"])
def test_a_json_scope_list_is_joined_with_spaces(endpoint: Endpoint, name: str) -> None:
    body = {"grant_type": "client_credentials", name: ["webhook.write", "webhook.read"]}
    answer = endpoint.ask(_request(body, content_type="application/json"))
    assert answer.body["scope"] == "webhook.write webhook.read"


def test_json_values_that_are_not_strings_or_numbers_are_ignored(endpoint: Endpoint) -> None:
    body: dict[str, Any] = {"grant_type": ["client_credentials"], "scope": {"a": "b"}}
    answer = endpoint.ask(_request(body, content_type="application/json"))
    assert _seen(answer) == _error(400, "invalid_request", "grant_type is required")
    by_number = {"grant_type": "client_credentials", "client_id": 12345, **NAMED_SECRET}
    issued = endpoint.ask(_request(by_number, authorization=None, content_type="application/json"))
    assert _claims(issued)["sub"] == "12345"


# --- Malformed requests ---------------------------------------------------------------------


def test_an_oauth_error_reads_as_its_description_and_defaults_to_400() -> None:
    error = OAuthError("invalid_request", "use POST")
    assert (str(error), error.error, error.status, error.headers) == (
        "use POST",
        "invalid_request",
        400,
        {},
    )


def test_only_post_is_answered(endpoint: Endpoint) -> None:
    answer = endpoint.ask(_request(method="GET"))
    assert _seen(answer) == _error(400, "invalid_request", "use POST")


def test_bodies_that_are_neither_form_nor_json_are_refused(endpoint: Endpoint) -> None:
    other = endpoint.ask(_request(content_type="text/plain"))
    assert _seen(other) == _error(
        400, "invalid_request", "use application/x-www-form-urlencoded or JSON"
    )
    not_form = _error(400, "invalid_request", "the body is not form-encoded")
    for body in (b"grant_type", b"grant_type=client_credentials&&x", b"\xff=1"):
        assert _seen(endpoint.ask(_request(body))) == not_form, body
    repeated = _request(b"grant_type=client_credentials&grant_type=client_credentials")
    assert _seen(endpoint.ask(repeated)) == _error(
        400, "invalid_request", "a parameter is repeated"
    )


@pytest.mark.parametrize("body", [b"[1]", b"{", b'{"a": NaN}', b'{"a": 1, "a": 2}'])
def test_json_bodies_that_are_not_one_plain_object_are_refused(
    endpoint: Endpoint, body: bytes
) -> None:
    with pytest.raises(MalformedPayloadError) as refused:
        safe_json.load_object(body)
    answer = endpoint.ask(_request(body, content_type="application/json"))
    assert _seen(answer) == _error(400, "invalid_request", f"the {refused.value}")
    assert answer.body["error_description"].startswith("the body")


def test_an_empty_body_is_an_empty_form(endpoint: Endpoint) -> None:
    answer = endpoint.ask(_request(b""))
    assert _seen(answer) == _error(400, "invalid_request", "grant_type is required")


def test_basic_auth_and_a_client_secret_in_the_body_together_are_refused(
    endpoint: Endpoint,
) -> None:
    both = _error(400, "invalid_request", "use one client authentication method")
    for secret in (INSIDER_SECRET["client_secret"], ""):
        body = _form(grant_type="client_credentials", client_secret=secret)
        assert _seen(endpoint.ask(_request(body))) == both


def test_the_basic_scheme_is_case_insensitive_and_spaces_around_it_are_ignored(
    endpoint: Endpoint,
) -> None:
    _, _, encoded = _basic("insider-v2", INSIDER_SECRET["client_secret"]).partition(" ")
    for authorization in (f"basic {encoded}", f"BASIC  {encoded} ", f"  Basic {encoded}"):
        assert endpoint.ask(_request(authorization=authorization)).status == 200, authorization


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(b"insider-v2").decode(),  # no colon
        "not base64!",
        base64.b64encode(b"insider-v2:p+a ss:w%rd/\xe9-1").decode(),  # Latin-1, not UTF-8
        "!" + base64.b64encode(b"insider-v2:x").decode(),
    ],
    ids=["no-colon", "not-base64", "not-utf8", "stray-character"],
)
def test_an_undecodable_basic_header_is_invalid_client_with_a_challenge(
    endpoint: Endpoint, encoded: str
) -> None:
    answer = endpoint.ask(_request(authorization=f"Basic {encoded}"))
    assert _seen(answer) == _client_error()


def test_base64_with_characters_outside_the_alphabet_is_refused(endpoint: Endpoint) -> None:
    _, _, encoded = _basic("insider-v2", INSIDER_SECRET["client_secret"]).partition(" ")
    assert endpoint.ask(_request(authorization=f"Basic {encoded}")).status == 200
    answer = endpoint.ask(_request(authorization=f"Basic {encoded[:8]}!{encoded[8:]}"))
    assert _seen(answer) == _client_error()


def test_without_client_authentication_the_answer_is_invalid_client_without_a_challenge(
    endpoint: Endpoint,
) -> None:
    secret = INSIDER_SECRET["client_secret"]
    for body in (
        _form(grant_type="client_credentials"),
        _form(grant_type="client_credentials", client_id="insider-v2"),
        _form(grant_type="client_credentials", client_id="", client_secret=secret),
    ):
        assert _seen(endpoint.ask(_request(body, authorization=None))) == _client_error(False)
    bearer = _request(authorization="Bearer abc")
    assert _seen(endpoint.ask(bearer)) == _client_error(False)
    wrong = _form(grant_type="client_credentials", client_id="insider-v2", client_secret="x")
    assert _seen(endpoint.ask(_request(wrong, authorization=None))) == _client_error(False)


# --- Who the client is --------------------------------------------------------------------


def test_the_basic_credentials_are_form_decoded(endpoint: Endpoint) -> None:
    raw = f"insider-v2:{INSIDER_SECRET['client_secret']}"
    unencoded = "Basic " + base64.b64encode(raw.encode()).decode()
    assert _seen(endpoint.ask(_request(authorization=unencoded))) == _client_error()
    named = _basic("Insider.Client-7", NAMED_SECRET["client_secret"])
    assert endpoint.ask(_request(authorization=named)).status == 200
    # A client id has no colon; the secret may: the first colon ends the client id.
    raw_named = base64.b64encode(b"Insider.Client-7:named:secret-1").decode()
    assert endpoint.ask(_request(authorization=f"Basic {raw_named}")).status == 200
    by_name = _basic("named-client", NAMED_SECRET["client_secret"])
    assert _seen(endpoint.ask(_request(authorization=by_name))) == _client_error()


def test_unknown_and_non_oauth2_clients_are_refused_without_reading_a_secret(
    endpoint: Endpoint,
) -> None:
    for client_id in ("nobody", "plain", ""):
        answer = endpoint.ask(_request(authorization=_basic(client_id, "named:secret-1")))
        assert _seen(answer) == _client_error()
    assert endpoint.api_calls == 0


def test_an_unavailable_registrations_client_is_told_to_retry(endpoint: Endpoint) -> None:
    answer = endpoint.ask(_request(authorization=_basic("broken-client", "anything")))
    assert _seen(answer) == _error(
        503,
        "temporarily_unavailable",
        "this client's registration cannot serve right now; try again later",
        {"retry-after": "60"},
    )
    assert endpoint.api_calls == 0


def test_an_empty_stored_secret_matches_nothing(endpoint: Endpoint) -> None:
    endpoint.world.rotate(NAMED.secret_id, {"client_secret": ""})
    empty = _basic("Insider.Client-7", "")
    assert _seen(endpoint.ask(_request(authorization=empty))) == _client_error()
    post = _form(grant_type="client_credentials", client_id="Insider.Client-7", client_secret="")
    assert _seen(endpoint.ask(_request(post, authorization=None))) == _client_error(False)


# --- Grants ------------------------------------------------------------------------------


def test_grant_type_is_required_known_and_allowed_for_the_client(endpoint: Endpoint) -> None:
    assert _seen(endpoint.ask(_request(_form(scope="webhook.read")))) == _error(
        400, "invalid_request", "grant_type is required"
    )
    assert _seen(endpoint.ask(_request(_form(grant_type="")))) == _error(
        400, "invalid_request", "grant_type is required"
    )
    for grant in ("password", "authorization_code", "client_credential"):
        assert _seen(endpoint.ask(_request(_form(grant_type=grant)))) == _error(
            400, "unsupported_grant_type", "use client_credentials or refresh_token"
        )
    named = _basic("Insider.Client-7", NAMED_SECRET["client_secret"])
    refresh = _form(grant_type="refresh_token", refresh_token="anything")
    assert _seen(endpoint.ask(_request(refresh, authorization=named))) == _error(
        400, "unauthorized_client", "this client may not use that grant"
    )


def test_the_refresh_token_grant_needs_the_clients_refresh_token(endpoint: Endpoint) -> None:
    good = endpoint.ask(
        _request(
            _form(grant_type="refresh_token", refresh_token="refresh-one", scope="webhook.read")
        )
    )
    assert _claims(good)["scope"] == "webhook.read"
    assert _seen(endpoint.ask(_request(_form(grant_type="refresh_token")))) == _error(
        400, "invalid_request", "refresh_token is required"
    )
    for wrong in ("refresh-on", "refresh-one ", "REFRESH-ONE"):
        answer = endpoint.ask(_request(_form(grant_type="refresh_token", refresh_token=wrong)))
        assert _seen(answer) == _error(400, "invalid_grant", "the refresh token is not valid")


def test_a_secret_version_without_a_refresh_token_refreshes_nothing(endpoint: Endpoint) -> None:
    endpoint.world.rotate(INSIDER.secret_id, {"client_secret": "rotated-secret"})
    authorization = _basic("insider-v2", "rotated-secret")
    assert endpoint.ask(_request(authorization=authorization)).status == 200
    answer = endpoint.ask(
        _request(_form(grant_type="refresh_token", refresh_token="x"), authorization=authorization)
    )
    assert _seen(answer) == _error(400, "invalid_grant", "the refresh token is not valid")


# --- Rotation of the client secret --------------------------------------------------------


def test_a_pending_secret_works_and_a_replaced_one_is_refused_at_once(endpoint: Endpoint) -> None:
    world = endpoint.world
    old = _basic("insider-v2", INSIDER_SECRET["client_secret"])
    new = _basic("insider-v2", "rotated-secret")
    pending = world.stage(
        INSIDER.secret_id, {"client_secret": "rotated-secret", "refresh_token": "rotated-refresh"}
    )
    assert _claims(endpoint.ask(_request(authorization=new)))["secret_version"] == pending
    mixed = _form(grant_type="refresh_token", refresh_token="rotated-refresh")
    assert endpoint.ask(_request(mixed, authorization=old)).body["error"] == "invalid_grant"
    world.finish(INSIDER.secret_id, pending)
    fresh = TokenEndpoint(  # a container that reads the secret after the rotation
        config=endpoint.handler.config,
        secrets=world.store(),
        tokens=endpoint.handler.tokens,
        clock=lambda: NOW,
    )
    seen = fresh.secrets.versions(INSIDER.secret_id, INSIDER.previous_secret_grace_seconds)
    assert [v.stage.value for v in seen.versions] == ["AWSCURRENT", "AWSPREVIOUS"]
    assert _seen(fresh.handle(_request(authorization=old))) == _client_error()
    stale = _form(grant_type="refresh_token", refresh_token=INSIDER_SECRET["refresh_token"])
    assert _seen(fresh.handle(_request(stale, authorization=new))) == _error(
        400, "invalid_grant", "the refresh token is not valid"
    )
    current = _form(grant_type="refresh_token", refresh_token="rotated-refresh")
    assert _claims(fresh.handle(_request(current, authorization=new)))["secret_version"] == pending


# --- Backoff ---------------------------------------------------------------------------------


def test_a_caller_that_keeps_failing_gets_429_and_the_right_secret_still_gets_a_token(
    endpoint: Endpoint,
) -> None:
    wrong = _request(authorization=_basic("insider-v2", "guess"))
    answers = [endpoint.ask(wrong) for _ in range(7)]
    assert [_seen(a) for a in answers[:5]] == [_client_error()] * 5
    locked = _error(
        429,
        "invalid_client",
        "client authentication failed; too many failures, retry later",
        {**BASIC_CHALLENGE, "retry-after": "10"},
    )
    assert _seen(answers[5]) == locked
    assert answers[6].headers["retry-after"] == "20"
    endpoint.ticks[0] = 5.5
    assert endpoint.ask(wrong).headers["retry-after"] == "35"  # 34.5 s left, rounded up
    # Another address, or another client id from this address, has its own count.
    elsewhere = _request(authorization=_basic("insider-v2", "g"), source="192.0.2.1")
    assert _seen(endpoint.ask(elsewhere)) == _client_error()
    another_client = _request(authorization=_basic("Insider.Client-7", "g"))
    assert _seen(endpoint.ask(another_client)) == _client_error()
    # The right secret is never refused.
    assert endpoint.ask(_request()).status == 200
    assert _seen(endpoint.ask(wrong)) == _client_error()  # the success forgot the failures


def test_a_locked_post_client_gets_429_without_a_challenge(endpoint: Endpoint) -> None:
    body = _form(grant_type="client_credentials", client_id="insider-v2", client_secret="guess")
    answers = [endpoint.ask(_request(body, authorization=None)) for _ in range(6)]
    assert _seen(answers[4]) == _client_error(False)
    assert _seen(answers[5]) == _error(
        429,
        "invalid_client",
        "client authentication failed; too many failures, retry later",
        {"retry-after": "10"},
    )


def test_wrong_refresh_tokens_count_and_are_answered_invalid_grant_429(endpoint: Endpoint) -> None:
    body = _form(grant_type="refresh_token", refresh_token="refresh-two")
    answers = [endpoint.ask(_request(body)) for _ in range(6)]
    assert [a.status for a in answers] == [400] * 5 + [429]
    assert _seen(answers[5]) == _error(
        429, "invalid_grant", "the refresh token is not valid", {"retry-after": "10"}
    )
    elsewhere = endpoint.ask(_request(body, source="192.0.2.1"))
    assert _seen(elsewhere) == _error(400, "invalid_grant", "the refresh token is not valid")


def test_wrong_refresh_tokens_and_wrong_secrets_of_one_caller_add_up(endpoint: Endpoint) -> None:
    refresh = _request(_form(grant_type="refresh_token", refresh_token="refresh-two"))
    for _ in range(4):
        assert endpoint.ask(refresh).status == 400
    assert endpoint.ask(_request(authorization=_basic("insider-v2", "guess"))).status == 401
    assert endpoint.ask(refresh).status == 429


def test_callers_without_an_address_share_one_count(endpoint: Endpoint) -> None:
    wrong = _request(authorization=_basic("insider-v2", "guess"), source=None)
    for _ in range(5):
        endpoint.ask(wrong)
    assert endpoint.ask(wrong).status == 429
    assert endpoint.ask(_request(authorization=_basic("insider-v2", "guess"))).status == 401


def test_secrets_and_refresh_tokens_are_compared_in_constant_time(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    refresh = _form(grant_type="refresh_token", refresh_token="refresh-two")
    assert endpoint.ask(_request(refresh)).status == 400
    secret = INSIDER_SECRET["client_secret"].encode()
    assert compared == [(secret, secret), (b"refresh-one", b"refresh-two")]
