"""OAuth2 against Secrets Manager (moto): who may get a token, and how long a token verifies.

The token endpoint and a receiver's bearer check run in process with their own secret caches
(as two Lambda containers would) over one moto account; the clocks are the tests' to move.
Covered: failures from anyone never refuse the right credentials; a client's registration is
found without reading another registration's secret; a rotated client secret or refresh token
is refused at once, and the tokens minted with it stop verifying when its grace has run out;
a token names its client; a receiver learns a new signing key by re-reading the signing secret.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import jwt
import pytest

from hookgate.config import HookgateConfig, load_config
from hookgate.errors import SecretUnavailableError
from hookgate.models import InboundRequest, Registration
from hookgate.oauth2.backoff import FailureBackoff
from hookgate.oauth2.endpoint import TokenEndpoint, TokenResponse
from hookgate.oauth2.tokens import BearerTokens, SigningKeys
from hookgate.secrets import SecretStore

from .conftest import REGION, write_config

SIGNING_SECRET = "hookgate/oauth2-signing-key"
GRACE = 120
REFRESH_INTERVAL = 30.0
REGISTRATIONS: list[dict[str, Any]] = [
    # "broken" comes first: the old endpoint read every OAuth2 registration's secret in order.
    {
        "name": "broken",
        "provider": "insider_one",
        "secret": "hookgate/broken",
        "settings": {"auth": "v2"},
        "oauth2": {"expires_in": 3600},
    },
    {
        "name": "insider-v2",
        "provider": "insider_one",
        "secret": "hookgate/insider-v2",
        "settings": {"auth": "v2"},
        "previous_secret_grace_seconds": GRACE,
        "oauth2": {"expires_in": 3600, "grants": ["client_credentials", "refresh_token"]},
    },
    {
        "name": "named-client",
        "provider": "insider_one",
        "secret": "hookgate/named-client",
        "settings": {"auth": "v2"},
        "previous_secret_grace_seconds": 0,
        "oauth2": {"client_id": "Insider.Client-7", "expires_in": 3600},
    },
]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass
class Clock:
    """A wall clock and a monotonic clock the test moves."""

    offset: timedelta = field(default_factory=timedelta)
    ticks: float = 1000.0

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)
        self.ticks += seconds


@dataclass
class Account:
    """The moto account, the config, and a factory of secret caches on the test's clock."""

    sm: Any
    config: HookgateConfig
    clock: Clock
    values: dict[str, dict[str, str]]

    def store(self) -> SecretStore:
        return SecretStore(
            lambda: boto3.client("secretsmanager", region_name=REGION),
            ttl=3600,
            refresh_interval=REFRESH_INTERVAL,
            monotonic=self.clock.monotonic,
            wall_clock=self.clock.now,
        )

    def endpoint(self) -> TokenEndpoint:
        store = self.store()
        return TokenEndpoint(
            config=self.config,
            secrets=store,
            tokens=BearerTokens(SigningKeys(store, SIGNING_SECRET)),
            clock=self.clock.now,
        )

    def receiver(self) -> BearerTokens:
        return BearerTokens(SigningKeys(self.store(), SIGNING_SECRET))

    def registration(self, name: str) -> Registration:
        return self.config.get(name)

    def rotate(self, secret_id: str, values: dict[str, str], *, finish: bool = True) -> str:
        """Stage ``values`` as AWSPENDING and, with ``finish``, make them AWSCURRENT."""
        version = str(
            self.sm.put_secret_value(
                SecretId=secret_id, SecretString=json.dumps(values), VersionStages=["AWSPENDING"]
            )["VersionId"]
        )
        if finish:
            self.finish(secret_id, version)
        return version

    def finish(self, secret_id: str, version: str) -> None:
        current = next(
            v["VersionId"]
            for v in self.sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
            if "AWSCURRENT" in v["VersionStages"]
        )
        self.sm.update_secret_version_stage(
            SecretId=secret_id,
            VersionStage="AWSCURRENT",
            MoveToVersionId=version,
            RemoveFromVersionId=current,
        )
        self.sm.update_secret_version_stage(
            SecretId=secret_id, VersionStage="AWSPENDING", RemoveFromVersionId=version
        )


@pytest.fixture
def account(aws_env: None, tmp_path: Path, secret_values: set[str]) -> Iterator[Account]:
    sm = boto3.client("secretsmanager", region_name=REGION)
    sm.create_secret(Name=SIGNING_SECRET, SecretString=json.dumps({"kid": "k1", "key": _key()}))
    config = load_config(write_config(tmp_path, REGISTRATIONS))
    values: dict[str, dict[str, str]] = {}
    for registration in config.registrations.values():
        assert registration.client_id is not None
        secret = {
            "client_id": registration.client_id,
            "client_secret": f"secret-of-{registration.name}-{os.urandom(8).hex()}",
            "refresh_token": f"refresh-of-{registration.name}-{os.urandom(8).hex()}",
        }
        sm.create_secret(Name=registration.secret_id, SecretString=json.dumps(secret))
        values[registration.name] = secret
        secret_values.update((secret["client_secret"], secret["refresh_token"]))
    yield Account(sm, config, Clock(), values)


def _request(
    client_id: str, secret: str, source: str = "198.51.100.7", **params: str
) -> InboundRequest:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return InboundRequest(
        method="POST",
        path="/oauth2/token",
        headers={
            "authorization": f"Basic {basic}",
            "content-type": "application/x-www-form-urlencoded",
        },
        body=urlencode({"grant_type": "client_credentials", **params}).encode(),
        received_at=datetime.now(UTC),
        source_ip=source,
    )


def _token(answer: TokenResponse) -> str:
    assert answer.status == 200, answer.body
    return str(answer.body["access_token"])


def _ask(endpoint: TokenEndpoint, values: dict[str, str], **params: str) -> TokenResponse:
    return endpoint.handle(_request(values["client_id"], values["client_secret"], **params))


# --- Backoff: the right credentials are never refused -----------------------------------------


def test_failures_from_anyone_never_refuse_the_right_credentials(account: Account) -> None:
    endpoint = account.endpoint()
    client = account.values["insider-v2"]
    for source in ("198.51.100.7", "203.0.113.1"):  # the client's own address among them
        answers = [
            endpoint.handle(_request(client["client_id"], f"guess-{i}", source)) for i in range(30)
        ]
        assert [a.status for a in answers] == [401] * 5 + [429] * 25
    assert _ask(endpoint, client).status == 200
    right_elsewhere = _request(client["client_id"], client["client_secret"], "203.0.113.1")
    assert endpoint.handle(right_elsewhere).status == 200
    # A success forgets that caller's failures: its next mistake is a plain 401 again.
    assert endpoint.handle(_request(client["client_id"], "typo", "203.0.113.1")).status == 401


def test_a_locked_caller_gets_429_with_retry_after_and_an_rfc_6749_code(account: Account) -> None:
    endpoint = account.endpoint()
    client_id = account.values["insider-v2"]["client_id"]
    for _ in range(5):
        assert endpoint.handle(_request(client_id, "wrong")).status == 401
    locked = endpoint.handle(_request(client_id, "wrong"))
    assert locked.status == 429 and locked.outcome == "throttled"
    assert locked.body["error"] == "invalid_client"  # RFC 6749 §5.2 has no slow_down
    assert locked.headers["retry-after"] == "10"
    assert locked.headers["cache-control"] == "no-store"
    # Another address, same client id: its own count, not locked.
    assert endpoint.handle(_request(client_id, "wrong", "192.0.2.1")).status == 401
    # A wrong refresh token counts too, and is answered invalid_grant.
    client = account.values["insider-v2"]
    refused = endpoint.handle(
        _request(
            client["client_id"],
            client["client_secret"],
            grant_type="refresh_token",
            refresh_token="not-it",
        )
    )
    assert (refused.status, refused.body["error"]) == (429, "invalid_grant")
    assert int(refused.headers["retry-after"]) > 0


def test_backoff_doubles_caps_forgets_and_stays_bounded() -> None:
    now = [0.0]
    backoff = FailureBackoff(
        threshold=3, base_lock=10, max_lock=40, max_entries=4, clock=lambda: now[0]
    )
    caller = ("client", "198.51.100.7")
    waits = []
    for _ in range(7):
        waits.append(backoff.retry_after(caller))
        backoff.failed(caller)
    assert waits == [0, 0, 0, 10, 20, 40, 40]
    now[0] += 39.5
    assert backoff.retry_after(caller) == 1
    now[0] += 0.5  # max_lock after the last failure: forgotten
    assert backoff.retry_after(caller) == 0
    backoff.failed(caller)
    assert backoff.retry_after(caller) == 0  # counting starts again
    backoff.succeeded(caller)
    assert len(backoff) == 0
    for address in range(1000):  # an attacker rotating addresses
        backoff.failed(("client", f"10.0.{address // 256}.{address % 256}"))
    assert len(backoff) == 4
    for _ in range(3):
        backoff.failed(caller)
    assert backoff.retry_after(caller) == 10
    for address in range(3):  # the caller is now the one that failed least recently
        backoff.failed(("client", f"10.9.9.{address}"))
    backoff.failed(caller)  # ... and now the most recently: it stays, the oldest goes
    backoff.failed(("client", "10.9.9.9"))
    assert len(backoff) == 4
    assert backoff.retry_after(caller) == 20


# --- Finding the client without reading anyone else's secret ----------------------------------


def test_an_unreadable_secret_of_one_registration_changes_no_answer_for_another(
    account: Account,
) -> None:
    client = account.values["insider-v2"]
    named = account.values["named-client"]

    def answers(endpoint: TokenEndpoint) -> list[tuple[int, str | None]]:
        found = [
            _ask(endpoint, client),
            _ask(endpoint, named),
            endpoint.handle(_request(client["client_id"], "wrong", "192.0.2.50")),
            _ask(endpoint, client, grant_type="password"),
        ]
        return [(a.status, a.body.get("error")) for a in found]

    before = answers(account.endpoint())
    assert before == [
        (200, None),
        (200, None),
        (401, "invalid_client"),
        (400, "unsupported_grant_type"),
    ]
    account.sm.delete_secret(SecretId="hookgate/broken", ForceDeleteWithoutRecovery=True)
    endpoint = account.endpoint()
    assert answers(endpoint) == before
    with pytest.raises(SecretUnavailableError):  # the handler answers 503 to this client only
        _ask(endpoint, account.values["broken"])


def test_the_client_id_comes_from_hookgate_yaml(account: Account) -> None:
    endpoint = account.endpoint()
    named = account.values["named-client"]
    assert account.registration("named-client").client_id == "Insider.Client-7"
    assert account.registration("insider-v2").client_id == "insider-v2"
    token = _token(_ask(endpoint, named))
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == "Insider.Client-7"
    # The registration's name is not its client id when hookgate.yaml names another.
    wrong = endpoint.handle(_request("named-client", named["client_secret"]))
    assert wrong.status == 401


# --- Rotating the client secret ----------------------------------------------------------------


def test_a_rotated_client_secret_and_refresh_token_are_refused_at_once(account: Account) -> None:
    old = account.values["insider-v2"]
    new = {**old, "client_secret": "rotated-client-secret", "refresh_token": "rotated-refresh"}
    pending = account.rotate("hookgate/insider-v2", new, finish=False)
    during = account.endpoint()
    assert _ask(during, old).status == 200  # current
    assert _ask(during, new).status == 200  # pending: the provider may hold it already
    account.finish("hookgate/insider-v2", pending)
    after = account.endpoint()
    assert _ask(after, old).body["error"] == "invalid_client"  # previous: refused
    assert _ask(after, new).status == 200
    refreshed = _ask(after, new, grant_type="refresh_token", refresh_token=new["refresh_token"])
    assert refreshed.status == 200
    stale = _ask(after, new, grant_type="refresh_token", refresh_token=old["refresh_token"])
    assert (stale.status, stale.body["error"]) == (400, "invalid_grant")
    # A refresh token must belong to the client secret's own version.
    mixed = _ask(during, old, grant_type="refresh_token", refresh_token=new["refresh_token"])
    assert mixed.status == 400


def test_tokens_of_a_rotated_client_secret_stop_verifying_when_its_grace_ends(
    account: Account,
) -> None:
    registration = account.registration("insider-v2")
    old = account.values["insider-v2"]
    receiver = account.receiver()

    def verdict(token: str) -> tuple[bool, str]:
        result = receiver.check(token, registration, account.clock.now())
        return result.ok, result.reason

    minted_old = _token(_ask(account.endpoint(), old))
    assert verdict(minted_old) == (True, "verified")
    new = {**old, "client_secret": "rotated-client-secret"}
    account.rotate("hookgate/insider-v2", new)
    receiver = account.receiver()  # a receiver that read the secrets after the rotation
    minted_new = _token(_ask(account.endpoint(), new))
    account.clock.advance(GRACE / 2)
    assert verdict(minted_old) == (True, "verified")  # within the grace
    account.clock.advance(GRACE)
    receiver = account.receiver()
    assert verdict(minted_old) == (False, "token's client secret is no longer in force")
    assert verdict(minted_new) == (True, "verified")


def test_with_no_grace_the_old_tokens_stop_at_once(account: Account) -> None:
    registration = account.registration("named-client")
    old = account.values["named-client"]
    token = _token(_ask(account.endpoint(), old))
    account.rotate("hookgate/named-client", {**old, "client_secret": "new-named-secret"})
    result = account.receiver().check(token, registration, account.clock.now())
    assert (result.ok, result.retryable_with_fresh_secrets) == (False, True)


def test_a_token_minted_with_a_pending_secret_verifies_after_the_receiver_refreshes(
    account: Account,
) -> None:
    registration = account.registration("insider-v2")
    store = account.store()
    receiver = BearerTokens(SigningKeys(store, SIGNING_SECRET))
    cached = store.versions(registration.secret_id, GRACE)  # read before the rotation began
    new = {**account.values["insider-v2"], "client_secret": "pending-client-secret"}
    account.rotate("hookgate/insider-v2", new, finish=False)
    token = _token(_ask(account.endpoint(), new))
    stale = receiver.check(token, registration, account.clock.now(), cached)
    assert not stale.ok and stale.retryable_with_fresh_secrets  # so the receiver re-reads
    account.clock.advance(REFRESH_INTERVAL)
    fresh = store.refresh_after_miss(registration.secret_id, GRACE)
    assert fresh is not None
    assert receiver.check(token, registration, account.clock.now(), fresh).ok


def test_a_token_names_its_client_and_its_secret_version(account: Account, tmp_path: Path) -> None:
    registration = account.registration("insider-v2")
    token = _token(_ask(account.endpoint(), account.values["insider-v2"]))
    receiver = account.receiver()
    assert receiver.check(token, registration, account.clock.now()).ok
    renamed = [
        {**r, "oauth2": {**r["oauth2"], "client_id": "another-client"}}
        if r["name"] == "insider-v2"
        else r
        for r in REGISTRATIONS
    ]
    (tmp_path / "renamed").mkdir()
    moved = load_config(write_config(tmp_path / "renamed", renamed)).get("insider-v2")
    refused = receiver.check(token, moved, account.clock.now())
    assert (refused.ok, refused.reason) == (False, "token issued to another client")

    kid, key = receiver.keys.current()
    claims = jwt.decode(token, options={"verify_signature": False})
    for tampered in ({"secret_version": None}, {"secret_version": "not-a-version"}):
        forged = jwt.encode(
            {k: v for k, v in {**claims, **tampered}.items() if v is not None},
            key,
            algorithm="HS256",
            headers={"kid": kid},
        )
        assert not receiver.check(forged, registration, account.clock.now()).ok


# --- A new signing key (issue 13 item 3) -------------------------------------------------------


def test_a_receiver_with_an_old_signing_key_cache_accepts_a_token_of_the_new_key(
    account: Account,
) -> None:
    registration = account.registration("insider-v2")
    receiver = account.receiver()
    store = receiver.keys.store
    first = _token(_ask(account.endpoint(), account.values["insider-v2"]))
    assert receiver.check(first, registration, account.clock.now()).ok  # caches key k1
    account.rotate(SIGNING_SECRET, {"kid": "k2", "key": _key()})
    fresh = _token(_ask(account.endpoint(), account.values["insider-v2"]))
    assert jwt.get_unverified_header(fresh)["kid"] == "k2"
    account.clock.advance(REFRESH_INTERVAL)  # well inside the cache TTL (an hour)
    assert receiver.check(fresh, registration, account.clock.now()).ok
    assert receiver.check(first, registration, account.clock.now()).ok  # k1: previous
    # Unknown key ids are refused without a Secrets Manager call each (one per interval).
    calls = store.api_calls
    _, key = receiver.keys.current()
    claims = jwt.decode(fresh, options={"verify_signature": False})
    for kid in ("k3", "k4", "k5"):
        forged = jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid})
        refused = receiver.check(forged, registration, account.clock.now())
        assert (refused.reason, refused.retryable_with_fresh_secrets) == (
            "unknown token signing key",
            False,
        )
    assert store.api_calls == calls
