"""OAuth2 end to end with a real OAuth2 client (authlib): tokens, then deliveries carrying them.

The token and receiver handlers run behind the local front (routes from template.yaml) against
moto server; authlib's httpx OAuth2Client fetches tokens with each grant and each client
authentication method, exactly as a provider's OAuth2 client would.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from hookgate import runtime
from hookgate_dev.local.emulator import LocalAccount
from hookgate_dev.local.oauth2_client import authlib_httpx
from hookgate_dev.providers.hookgate_insider_one.samples import SAMPLE_PAYLOADS

from .conftest import front_on_emulator

OAuth2Client = authlib_httpx().OAuth2Client
OAuthError = authlib_httpx().OAuthError

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "version": 1,
    "registrations": [
        {
            "name": "insider-v2",
            "provider": "insider_one",
            "secret": "hookgate/insider-v2",
            "settings": {"auth": "v2"},
            "oauth2": {
                "expires_in": 600,
                "scopes": ["webhook.write"],
                "grants": ["client_credentials", "refresh_token"],
            },
        },
        {
            "name": "sinch-oauth",
            "provider": "sinch_conversation",
            "secret": "hookgate/sinch-oauth",
            "settings": {"project_id": "p", "app_id": "a"},
            "oauth2": {"expires_in": 300},
        },
        {
            "name": "insider-other",
            "provider": "insider_one",
            "secret": "hookgate/insider-other",
            "settings": {"auth": "v2"},
            "oauth2": {"expires_in": 600},
        },
    ],
}


@dataclass
class Stack:
    url: str
    account: LocalAccount

    def credentials(self, registration: str) -> dict[str, str]:
        return self.account.secret_values[f"hookgate/{registration}"]

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    def deliver(
        self, registration: str, token: str, body: bytes = SAMPLE_PAYLOADS["status_read"]
    ) -> int:
        response = httpx.post(
            f"{self.url}/webhooks/insider_one/{registration}",
            content=body,
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        return response.status_code


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config_path = tmp_path_factory.mktemp("oauth2") / "hookgate.yaml"
    config_path.write_text(yaml.safe_dump(CONFIG))
    with front_on_emulator(config_path) as (account, url):
        yield Stack(url, account)


@pytest.fixture(autouse=True)
def register_secrets(stack: Stack, secret_values: set[str]) -> None:
    for name in ("insider-v2", "insider-other", "sinch-oauth"):
        # A client id is public (hookgate.yaml declares it; here the registration's name).
        secret_values.update(v for k, v in stack.credentials(name).items() if k != "client_id")


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials_with_each_auth_method_then_deliver(
    stack: Stack, method: str, secret_values: set[str]
) -> None:
    creds = stack.credentials("insider-v2")
    with OAuth2Client(
        creds["client_id"], creds["client_secret"], token_endpoint_auth_method=method
    ) as client:
        token = client.fetch_token(
            stack.token_url, grant_type="client_credentials", scope="webhook.write"
        )
    secret_values.add(token["access_token"])
    assert (
        token["token_type"] == "Bearer"
        and token["expires_in"] == 600
        and token["scope"] == "webhook.write"
    )
    assert stack.deliver("insider-v2", token["access_token"]) == 200
    assert stack.deliver("insider-other", token["access_token"]) == 401  # another registration
    assert stack.deliver("insider-v2", token["access_token"][:-2] + "xx") == 401  # tampered


def test_refresh_token_grant(stack: Stack, secret_values: set[str]) -> None:
    creds = stack.credentials("insider-v2")
    with OAuth2Client(creds["client_id"], creds["client_secret"]) as client:
        token = client.refresh_token(stack.token_url, refresh_token=creds["refresh_token"])
        secret_values.add(token["access_token"])
        assert stack.deliver("insider-v2", token["access_token"]) == 200
        with pytest.raises(OAuthError, match="invalid_grant"):
            client.refresh_token(stack.token_url, refresh_token="not-the-refresh-token")


def test_json_body_works_too(stack: Stack, secret_values: set[str]) -> None:
    creds = stack.credentials("insider-v2")
    answer = httpx.post(
        stack.token_url,
        json={
            "grant_type": "client_credentials",
            **{"client_id": creds["client_id"], "client_secret": creds["client_secret"]},
        },
    )
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    secret_values.add(answer.json()["access_token"])


def _post(
    stack: Stack, data: dict[str, str], auth: tuple[str, str] | None = None
) -> httpx.Response:
    return httpx.post(stack.token_url, data=data, auth=auth)


def test_errors_follow_rfc_6749(stack: Stack) -> None:
    creds = stack.credentials("insider-v2")
    basic = (creds["client_id"], creds["client_secret"])
    wrong = _post(
        stack, {"grant_type": "client_credentials"}, auth=(creds["client_id"], "wrong-secret")
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"] == 'Basic realm="hookgate"'
    assert wrong.headers["cache-control"] == "no-store"
    both = _post(
        stack,
        {
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
        auth=basic,
    )
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")
    assert (
        _post(stack, {"grant_type": "password"}, auth=basic).json()["error"]
        == "unsupported_grant_type"
    )
    assert _post(stack, {}, auth=basic).json()["error"] == "invalid_request"
    assert (
        _post(stack, {"grant_type": "client_credentials", "scope": "admin"}, auth=basic).json()[
            "error"
        ]
        == "invalid_scope"
    )
    other = stack.credentials("insider-other")
    refused = _post(
        stack,
        {"grant_type": "refresh_token", "refresh_token": other["refresh_token"]},
        auth=(other["client_id"], other["client_secret"]),
    )
    assert (
        refused.json()["error"] == "unauthorized_client"
    )  # that registration allows no refresh grant
    for answer in (wrong, both):
        assert creds["client_secret"] not in answer.text


def test_expired_tokens_and_rotated_signing_keys(stack: Stack, secret_values: set[str]) -> None:
    creds = stack.credentials("insider-v2")
    with OAuth2Client(creds["client_id"], creds["client_secret"]) as client:
        token = client.fetch_token(stack.token_url, grant_type="client_credentials")["access_token"]
    secret_values.add(token)
    tokens = runtime.get_receiver().tokens
    assert tokens is not None
    registration = runtime.get_receiver().config.get("insider-v2")
    later = datetime.now(UTC) + timedelta(seconds=700)
    assert tokens.check(token, registration, later).reason == "expired bearer token"

    sm = stack.account.client("secretsmanager")
    signing_key = os.environ["HOOKGATE_SIGNING_KEY_SECRET"]  # the template's, named per stack
    new_key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    version = sm.put_secret_value(
        SecretId=signing_key,
        SecretString=json.dumps({"kid": "k2", "key": new_key}),
        VersionStages=["AWSPENDING"],
    )["VersionId"]
    current = next(
        v["VersionId"]
        for v in sm.list_secret_version_ids(SecretId=signing_key)["Versions"]
        if "AWSCURRENT" in v["VersionStages"]
    )
    sm.update_secret_version_stage(
        SecretId=signing_key,
        VersionStage="AWSCURRENT",
        MoveToVersionId=version,
        RemoveFromVersionId=current,
    )
    runtime.get_receiver().secrets._entries.clear()
    runtime.get_token_endpoint().secrets._entries.clear()
    assert stack.deliver("insider-v2", token) == 200  # signed with the previous key: still good
    with OAuth2Client(creds["client_id"], creds["client_secret"]) as client:
        fresh = client.fetch_token(stack.token_url, grant_type="client_credentials")["access_token"]
    secret_values.add(fresh)
    assert json.loads(base64.urlsafe_b64decode(fresh.split(".")[0] + "==")).get("kid") == "k2"
    assert stack.deliver("insider-v2", fresh) == 200


def test_repeated_failures_are_slowed_but_never_lock_out_the_real_client(stack: Stack) -> None:
    # The old endpoint counted failures per client id before checking the secret: five wrong
    # guesses by anyone and the real client, right secret in hand, got 429 for minutes.
    creds = stack.credentials("insider-other")
    right = (creds["client_id"], creds["client_secret"])
    _post(stack, {"grant_type": "client_credentials"}, auth=right)
    calls = runtime.get_token_endpoint().secrets.api_calls
    answers = [
        _post(stack, {"grant_type": "client_credentials"}, auth=(creds["client_id"], f"guess-{i}"))
        for i in range(12)
    ]
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 7
    for answer in answers[5:]:
        assert answer.json()["error"] == "invalid_client"  # RFC 6749 §5.2; no slow_down
        assert int(answer.headers["retry-after"]) > 0
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["www-authenticate"] == 'Basic realm="hookgate"'
    # Same client id, same address (the front sees 127.0.0.1 for both): still a token.
    assert _post(stack, {"grant_type": "client_credentials"}, auth=right).status_code == 200
    for i in range(20):
        _post(stack, {"grant_type": "client_credentials"}, auth=(f"unknown-client-{i}", "x"))
    assert runtime.get_token_endpoint().secrets.api_calls == calls


def test_a_delivery_without_a_valid_token_is_refused(stack: Stack) -> None:
    assert stack.deliver("insider-v2", "not-a-jwt") == 401
    forged_header = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"nope"}').decode().rstrip("=")
    assert stack.deliver("insider-v2", f"{forged_header}.e30.sig") == 401


def test_sinch_client_credentials_need_the_token_and_the_signature(
    stack: Stack, secret_values: set[str]
) -> None:
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS as SINCH
    from hookgate_dev.providers.hookgate_sinch_conversation.samples import signed_headers

    creds = stack.credentials("sinch-oauth")
    # Sinch's default token request: Basic auth, form body (providers.md §1.4).
    with OAuth2Client(creds["client_id"], creds["client_secret"]) as client:
        token = client.fetch_token(stack.token_url, grant_type="client_credentials")["access_token"]
    secret_values.add(token)
    body = SINCH["delivered_report"]
    signature = signed_headers(body, creds, datetime.now(UTC))
    url = f"{stack.url}/webhooks/sinch_conversation/sinch-oauth"

    def deliver(headers: dict[str, str]) -> int:
        return httpx.post(
            url, content=body, headers={"content-type": "application/json", **headers}
        ).status_code

    assert deliver({"authorization": f"Bearer {token}", **signature}) == 200
    assert deliver(signed_headers(body, creds, datetime.now(UTC))) == 401  # no token
    assert deliver({"authorization": f"Bearer {token}"}) == 401  # no signature


def test_an_issued_token_decodes_with_a_second_jwt_library(
    stack: Stack, secret_values: set[str]
) -> None:
    from joserfc import jwt
    from joserfc.errors import BadSignatureError
    from joserfc.jwk import OctKey

    creds = stack.credentials("insider-v2")
    with OAuth2Client(creds["client_id"], creds["client_secret"]) as client:
        token = client.fetch_token(
            stack.token_url, grant_type="client_credentials", scope="webhook.write"
        )["access_token"]
    secret_values.add(token)
    # The signing key version named by the token's kid (another test may have rotated it).
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    sm = stack.account.client("secretsmanager")
    secret_id = os.environ["HOOKGATE_SIGNING_KEY_SECRET"]
    versions = [
        json.loads(
            sm.get_secret_value(SecretId=secret_id, VersionId=v["VersionId"])["SecretString"]
        )
        for v in sm.list_secret_version_ids(SecretId=secret_id)["Versions"]
    ]
    (signing,) = [v for v in versions if v["kid"] == header["kid"]]
    secret_values.update(signing.values())
    raw_key = base64.urlsafe_b64decode(signing["key"] + "=" * (-len(signing["key"]) % 4))
    decoded = jwt.decode(token, OctKey.import_key(raw_key), algorithms=["HS256"])
    assert decoded.header == {"alg": "HS256", "typ": "JWT", "kid": signing["kid"]}
    claims = decoded.claims
    assert set(claims) == {
        *("iss", "aud", "sub", "client_id", "scope", "iat", "exp", "jti"),
        "secret_version",
    }
    client_secret_versions = {
        v["VersionId"]: v["VersionStages"]
        for v in sm.list_secret_version_ids(SecretId="hookgate/insider-v2")["Versions"]
    }
    assert "AWSCURRENT" in client_secret_versions[claims["secret_version"]]
    assert (claims["iss"], claims["aud"], claims["sub"], claims["client_id"], claims["scope"]) == (
        "hookgate",
        "insider-v2",
        creds["client_id"],
        creds["client_id"],
        "webhook.write",
    )
    assert claims["exp"] - claims["iat"] == 600
    now = datetime.now(UTC).timestamp()
    assert claims["iat"] - 60 <= now <= claims["exp"]
    jwt.JWTClaimsRegistry(
        now=int(now),
        iss={"essential": True, "value": "hookgate"},
        aud={"essential": True, "value": "insider-v2"},
        exp={"essential": True},
        jti={"essential": True},
    ).validate(claims)
    with pytest.raises(BadSignatureError):
        jwt.decode(token, OctKey.import_key(b"k" * 32), algorithms=["HS256"])
