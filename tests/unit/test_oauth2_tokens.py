"""Access tokens: exact claims, lifetimes pinned at their edges, every refusal's verdict.

Tokens are issued and checked in process against moto's Secrets Manager; an issued token is
also decoded with the raw signing key the test stored, independently of hookgate's key reading.
Times are fixed ones far in the past and in the future, so nothing depends on today's date.
"""

from __future__ import annotations

import hmac
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from hookgate.errors import SecretUnavailableError
from hookgate.models import OAuth2Settings, SecretStage, SecretVersion, SecretVersions, Verdict
from hookgate.oauth2.tokens import BearerTokens

from .oauth2_world import SIGNING_KEY, SIGNING_SECRET, World, encoded, moto_world, registration

PAST = datetime(2020, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
FUTURE = datetime(2099, 6, 7, 8, 9, 10, 250_000, tzinfo=UTC)
REG = registration()
CLIENT = {"client_id": "insider-v2", "client_secret": "client-secret-value-1"}
ONE_MICROSECOND = timedelta(microseconds=1)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, secret_values: set[str]) -> Iterator[World]:
    secret_values.update((CLIENT["client_secret"], "client-secret-value-2"))
    with moto_world(monkeypatch) as world:
        world.create(REG.secret_id, CLIENT)
        yield world


def _secret_version(world: World) -> str:
    return world.store().versions(REG.secret_id, 0).versions[0].version_id


def _issue(tokens: BearerTokens, world: World, now: datetime = PAST, lifetime: int = 600) -> str:
    return tokens.issue(
        REG, "insider-v2", "a b", lifetime, now, secret_version=_secret_version(world)
    )


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _decode(token: str, key: bytes) -> dict[str, Any]:
    """Check ``token``'s signature with ``key``, independently of hookgate's key reading."""
    return jwt.decode(
        token, key, algorithms=["HS256"], audience=REG.name, options={"verify_exp": False}
    )


def _forge(claims: dict[str, Any], key: bytes = SIGNING_KEY, **header: Any) -> str:
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": "k1", **header})


def _refused(reason: str, *, retryable: bool = False) -> Verdict:
    return Verdict.reject(reason, retryable_with_fresh_secrets=retryable)


def test_an_issued_token_has_exactly_these_claims_and_header(world: World) -> None:
    tokens = world.tokens()
    version = _secret_version(world)
    token = tokens.issue(REG, "insider-v2", "a b", 600, PAST, secret_version=version)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    claims = jwt.decode(
        token,
        SIGNING_KEY,
        algorithms=["HS256"],
        audience="insider-v2",
        issuer="hookgate",
        options={"verify_exp": False},
    )
    jti = claims.pop("jti")
    assert re.fullmatch(r"[0-9a-f]{32}", jti)
    issued = int(PAST.timestamp())
    assert claims == {
        "iss": "hookgate",
        "aud": "insider-v2",
        "sub": "insider-v2",
        "client_id": "insider-v2",
        "secret_version": version,
        "scope": "a b",
        "iat": issued,
        "exp": issued + 600,
    }
    assert _claims(_issue(tokens, world))["jti"] != jti


@pytest.mark.parametrize("now", [PAST, FUTURE], ids=["past", "future"])
def test_a_token_verifies_with_the_current_key_at_any_date(world: World, now: datetime) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world, now)
    assert tokens.check(token, REG, now) == Verdict.accept(SecretStage.CURRENT)
    assert world.tokens().check(token, REG, now) == Verdict.accept(SecretStage.CURRENT)


def test_the_lifetime_ends_five_seconds_after_exp_to_the_microsecond(world: World) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world, PAST, lifetime=300)
    end = datetime.fromtimestamp(int(PAST.timestamp()) + 300 + 5, UTC)
    assert tokens.check(token, REG, end).ok
    assert tokens.check(token, REG, end + ONE_MICROSECOND) == _refused("expired bearer token")


def test_a_token_is_refused_more_than_five_seconds_before_iat(world: World) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world, FUTURE)
    start = datetime.fromtimestamp(int(FUTURE.timestamp()) - 5, UTC)
    assert tokens.check(token, REG, start).ok
    assert tokens.check(token, REG, start - ONE_MICROSECOND) == _refused("expired bearer token")


def test_missing_and_malformed_tokens(world: World) -> None:
    tokens = world.tokens()
    for missing in (None, ""):
        assert tokens.check(missing, REG, PAST) == _refused("missing bearer token")
    assert tokens.check("not-a-jwt", REG, PAST) == _refused("malformed bearer token")


def test_a_token_naming_no_key_or_an_unknown_key_is_refused(world: World) -> None:
    tokens = world.tokens()
    claims = _claims(_issue(tokens, world))
    no_kid = jwt.encode(claims, SIGNING_KEY, algorithm="HS256")
    assert tokens.check(no_kid, REG, PAST) == _refused("unknown token signing key")
    unknown = _forge(claims, kid="k9")
    assert tokens.check(unknown, REG, PAST) == _refused("unknown token signing key")


def test_a_token_not_signed_by_hookgate_for_this_registration_is_refused(world: World) -> None:
    tokens = world.tokens()
    claims = _claims(_issue(tokens, world))
    invalid = _refused("invalid bearer token")
    assert tokens.check(_forge(claims, b"x" * 32), REG, PAST) == invalid
    assert tokens.check(_forge({**claims, "iss": "someone"}), REG, PAST) == invalid
    with warnings.catch_warnings():  # PyJWT warns that 32 bytes are short for HS512
        warnings.simplefilter("ignore")
        hs512 = jwt.encode(claims, SIGNING_KEY, algorithm="HS512", headers={"kid": "k1"})
    assert tokens.check(hs512, REG, PAST) == invalid
    for required in ("exp", "iat", "sub", "jti", "secret_version"):
        lacking = {k: v for k, v in claims.items() if k != required}
        assert tokens.check(_forge(lacking), REG, PAST) == invalid, required
    another = _forge({**claims, "aud": "insider-other"})
    assert tokens.check(another, REG, PAST) == _refused("token issued for another registration")


def test_a_token_of_another_client_or_of_a_registration_without_oauth2_is_refused(
    world: World,
) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world)
    another = _refused("token issued to another client")
    renamed = registration(oauth2=OAuth2Settings(client_id="insider-v3"))
    assert tokens.check(token, renamed, PAST) == another
    without_oauth2 = REG.model_copy(update={"oauth2": None})
    assert tokens.check(token, without_oauth2, PAST) == another


def test_the_client_secret_version_must_be_among_the_given_versions(world: World) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world)
    version = _secret_version(world)

    def versions(*ids: str) -> SecretVersions:
        return SecretVersions(
            secret_id=REG.secret_id,
            versions=tuple(
                SecretVersion(stage=SecretStage.PREVIOUS, version_id=i, values={}) for i in ids
            ),
        )

    assert tokens.check(token, REG, PAST, versions("other", version)).ok
    gone = _refused("token's client secret is no longer in force", retryable=True)
    assert tokens.check(token, REG, PAST, versions("other", version[:-1])) == gone
    assert tokens.check(token, REG, PAST, versions()) == gone


def test_without_given_versions_the_registrations_grace_decides(world: World) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world)
    world.rotate(REG.secret_id, {**CLIENT, "client_secret": "client-secret-value-2"})
    world.advance(REG.previous_secret_grace_seconds - 1)
    assert world.tokens().check(token, REG, PAST).ok
    world.advance(2)
    gone = _refused("token's client secret is no longer in force", retryable=True)
    assert world.tokens().check(token, REG, PAST) == gone


def test_the_current_key_signs_and_the_previous_and_pending_keys_still_verify(
    world: World,
) -> None:
    first = _issue(world.tokens(), world)
    second_key = bytes(range(100, 132))
    world.rotate(SIGNING_SECRET, {"kid": "k2", "key": encoded(second_key)})
    world.stage(SIGNING_SECRET, {"kid": "k3", "key": encoded(bytes(range(50, 82)))})
    tokens = world.tokens()
    second = _issue(tokens, world)
    assert jwt.get_unverified_header(second)["kid"] == "k2"
    assert _decode(second, second_key)["aud"] == REG.name
    assert tokens.check(second, REG, PAST) == Verdict.accept(SecretStage.CURRENT)
    assert tokens.check(first, REG, PAST) == Verdict.accept(SecretStage.PREVIOUS)
    third = _forge(_claims(second), bytes(range(50, 82)), kid="k3")
    assert tokens.check(third, REG, PAST) == Verdict.accept(SecretStage.PENDING)


def test_a_new_key_is_learnt_by_one_re_read_per_refresh_interval(world: World) -> None:
    store = world.store()
    receiver = world.tokens(store)
    first = _issue(receiver, world)
    assert receiver.check(first, REG, PAST).ok  # caches k1
    world.rotate(SIGNING_SECRET, {"kid": "k2", "key": encoded(bytes(range(1, 33)))})
    fresh = _issue(world.tokens(), world)
    calls = store.api_calls
    assert receiver.check(fresh, REG, PAST) == _refused("unknown token signing key")
    assert store.api_calls == calls  # read less than the refresh interval ago: no call
    world.advance(30)
    assert receiver.check(fresh, REG, PAST) == Verdict.accept(SecretStage.CURRENT)
    assert store.api_calls > calls


@pytest.mark.parametrize("length", range(32, 41))
def test_every_key_of_32_bytes_or_more_signs(world: World, length: int) -> None:
    raw = bytes(range(7, 7 + length))
    world.rotate(SIGNING_SECRET, {"kid": "long", "key": encoded(raw)})
    tokens = world.tokens()
    token = _issue(tokens, world)
    assert _decode(token, raw)["aud"] == REG.name
    assert tokens.check(token, REG, PAST).ok


@pytest.mark.parametrize(
    "values",
    [
        {"kid": "short", "key": encoded(bytes(31))},
        {"kid": "not-base64", "key": "a"},
        {"kid": "not-ascii", "key": "é" * 43},
        {"kid": "", "key": encoded(bytes(32))},
        {"kid": "no-key"},
        {"key": encoded(bytes(32))},
    ],
    ids=["short", "not-base64", "not-ascii", "no-kid", "no-key", "kid-missing"],
)
def test_an_unusable_current_key_signs_nothing_even_with_a_usable_pending_one(
    world: World, values: dict[str, str]
) -> None:
    world.rotate(SIGNING_SECRET, values)
    world.stage(SIGNING_SECRET, {"kid": "k3", "key": encoded(bytes(range(50, 82)))})
    tokens = world.tokens()
    assert [kid for _, kid, _ in tokens.keys.versions()] == ["k3", "k1"]
    with pytest.raises(SecretUnavailableError, match=r"^no usable current token signing key$"):
        tokens.keys.current()


def test_key_ids_clients_and_secret_versions_are_compared_in_constant_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = world.tokens()
    token = _issue(tokens, world)
    version = _secret_version(world).encode()
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert tokens.check(token, REG, PAST).ok
    kid, signature, *claims = compared
    assert kid == (b"k1", b"k1")
    assert len(signature[0]) == 32 and signature[0] == signature[1]  # PyJWT's HMAC check
    assert claims == [(b"insider-v2", b"insider-v2"), (version, version)]
