"""Sync and rotation against the Insider One sandbox (V2 OAuth2 webhooks, V1 settings)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hookgate.config import parse_config
from hookgate.models import SecretStage, SecretVersion
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.secrets import SecretStore
from hookgate.sync import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, SyncEngine
from hookgate_dev.providers.hookgate_insider_one.sandbox import build_sandbox
from hookgate_dev.sandbox.server import BackgroundServer
from hookgate_insider_one.client import InsiderClient
from hookgate_insider_one.register import EVENTS, push_secret

GW_ID, GW_SECRET = "gateway-client", "gateway-secret-value-1"
PHONE = "15551234567"
BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"
URL = f"{BASE}/insider_one/insider-v2"


@dataclass
class World:
    engine: SyncEngine
    api: InsiderClient
    sandbox_url: str
    sm: Any = None


def _config(server_url: str, events: list[str], auth: str = "v2", **settings: Any) -> str:
    return json.dumps(
        {
            "version": 1,
            "registrations": [
                {
                    "name": "insider-v2",
                    "provider": "insider_one",
                    "secret": "hookgate/insider",
                    "api_secret": "hookgate/insider-api",
                    "events": events,
                    "settings": {
                        "auth": auth,
                        "phone_number": PHONE,
                        "gateway_url": server_url,
                        "v1_url": server_url,
                        **settings,
                    },
                    # The client id the provider is given comes from here, not the secret.
                    "oauth2": {
                        "client_id": "insider-client",
                        "expires_in": 600,
                        "scopes": ["whatsapp.read"],
                    },
                }
            ],
        }
    )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, secret_values: set[str]) -> Iterator[World]:
    secret_values.update({GW_SECRET, "insider-client-secret-1"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sandbox = build_sandbox(key_id=GW_ID, key_secret=GW_SECRET)
    with mock_aws(), BackgroundServer(sandbox.app) as server:
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        sm.create_secret(
            Name="hookgate/insider",
            SecretString=json.dumps(
                {
                    "client_id": "insider-client",
                    "client_secret": "insider-client-secret-1",
                    "api_key": "v1-key-1",
                }
            ),
        )
        sm.create_secret(
            Name="hookgate/insider-api",
            SecretString=json.dumps(
                {"client_id": GW_ID, "client_secret": GW_SECRET, "ins_auth_key": GW_SECRET}
            ),
        )
        host = load_plugins()
        config = parse_config(
            _config(server.url, ["reply", "read", "failed"]), "hookgate.yaml", host
        )
        creds = {"client_id": GW_ID, "client_secret": GW_SECRET, "ins_auth_key": GW_SECRET}
        with InsiderClient(
            gateway_url=server.url, v1_url=server.url, credentials=creds, sleep=lambda _: None
        ) as api:
            yield World(SyncEngine(host, config, SecretStore(lambda: sm)), api, server.url, sm)


def test_v2_create_noop_drift_and_masked_secret(world: World) -> None:
    assert world.engine.run(BASE, apply=False).exit_code() == EXIT_CHANGES
    assert world.engine.run(BASE, apply=True).exit_code() == EXIT_OK
    (webhook,) = world.api.list_webhooks(PHONE)
    assert webhook["webhookUrl"] == URL and webhook["oauth2"]["clientSecret"].endswith("********")
    assert (
        webhook["oauth2"]["tokenUrl"]
        == "https://abc.execute-api.eu-west-1.amazonaws.com/oauth2/token"
    )
    assert (
        world.engine.run(BASE, apply=False).exit_code() == EXIT_OK
    )  # the masked secret is not drift
    world.api.update_webhook(
        PHONE,
        str(webhook["id"]),
        {
            **{k: v for k, v in webhook.items() if k in {"authType", "webhookUrl", "oauth2"}},
            "events": ["reply"],
        },
    )
    plan = world.engine.run(BASE, apply=False)
    assert [(c.action, c.changed_fields) for c in plan.drift] == [("update", ("events",))]
    world.engine.run(BASE, apply=True)
    (webhook,) = world.api.list_webhooks(PHONE)
    assert sorted(webhook["events"]) == ["failed", "read", "reply"]
    assert (
        webhook["oauth2"]["clientSecret"] == "insider-client********"
    )  # ours, re-sent, not the mask


def test_documented_errors(world: World) -> None:
    body = {
        "authType": "oauth2",
        "subProduct": "conversational",
        "webhookUrl": "https://x.example/w",
        "events": ["reply"],
        "oauth2": {
            "grantType": "client_credentials",
            "tokenUrl": "https://t.example",
            "clientId": "c",
            "clientSecret": "s",
            "expiresIn": 60,
        },
    }
    world.api.create_webhook(PHONE, body)
    cases: list[tuple[str, dict[str, object], str]] = [
        (PHONE, {}, "This webhook URL already exists for the selected API type"),
        (PHONE, {"authType": "bearer"}, "V2 API only supports OAuth2"),
        (PHONE, {"webhookUrl": "https://y.example/w", "events": ["read"]}, "reply is required"),
        (
            PHONE,
            {"webhookUrl": "https://v.example/w", "events": ["reply", "delivred"]},  # misspelt
            "events must be among",
        ),
        (
            "19990000000",
            {"webhookUrl": "https://z.example/w"},
            "Provider not found for the given phone number",
        ),
    ]
    for phone, changed, message in cases:
        with pytest.raises(ProviderAPIError, match=message):
            world.api.create_webhook(phone, {**body, **changed})
    every = {**body, "webhookUrl": "https://every.example/w", "events": sorted(EVENTS)}
    world.api.create_webhook(PHONE, every)  # every event the plugin declares is accepted


def test_conversational_without_reply_is_refused_before_any_call(world: World) -> None:
    host = load_plugins()
    world.engine.config = parse_config(_config(world.sandbox_url, ["read"]), "hookgate.yaml", host)
    report = world.engine.run(BASE, apply=True)
    assert (
        report.exit_code() == EXIT_ERROR
        and "conversational webhooks need 'reply'" in report.errors["insider-v2"]
    )
    assert world.api.list_webhooks(PHONE) == []


def test_v1_rotation_is_validated_by_a_call_with_the_new_key(world: World) -> None:
    seen: list[str] = []

    async def receiver(request: Request) -> Response:
        seen.append(request.headers.get("authorization", ""))
        ok = request.headers.get("authorization") == "Bearer v1-key-2"
        return Response(status_code=200 if ok else 401)

    host = load_plugins()
    config = parse_config(_config(world.sandbox_url, ["reply"], auth="v1"), "hookgate.yaml", host)
    registration = config.get("insider-v2")
    credentials = SecretVersion(
        stage=SecretStage.CURRENT,
        version_id="a",
        values={k: SecretStr(v) for k, v in {"ins_auth_key": GW_SECRET}.items()},
    )
    with BackgroundServer(
        Starlette(routes=[Route("/webhooks/{rest:path}", receiver, methods=["POST"])])
    ) as target:
        url = f"{target.url}/webhooks/insider_one/insider-v2"
        good = SecretVersion(
            stage=SecretStage.PENDING, version_id="b", values={"api_key": SecretStr("v1-key-2")}
        )
        assert push_secret(registration, url, good, credentials)
        bad = SecretVersion(
            stage=SecretStage.PENDING, version_id="c", values={"api_key": SecretStr("v1-key-3")}
        )
        with pytest.raises(ProviderAPIError, match="2020: failed to validate the webhook"):
            push_secret(registration, url, bad, credentials)
    assert seen == ["Bearer v1-key-2", "Bearer v1-key-3"]


def test_v2_rotation_puts_the_new_client_secret(world: World, secret_values: set[str]) -> None:
    secret_values.add("insider-client-secret-2")
    basic_seen: list[str] = []
    delivered: list[str] = []

    async def token(request: Request) -> Response:
        basic_seen.append(request.headers.get("authorization", ""))
        return Response('{"access_token": "tok", "expires_in": 60}', media_type="application/json")

    async def hook(request: Request) -> Response:
        delivered.append(request.headers.get("authorization", ""))
        return Response(status_code=200)

    app = Starlette(
        routes=[
            Route("/oauth2/token", token, methods=["POST"]),
            Route("/webhooks/{rest:path}", hook, methods=["POST"]),
        ]
    )
    with BackgroundServer(app) as local:
        base = f"{local.url}/webhooks"
        world.engine.run(base, apply=True)
        registration = world.engine.config.get("insider-v2")
        new = SecretVersion(
            stage=SecretStage.PENDING,
            version_id="v2",
            values={
                "client_id": SecretStr("insider-client"),
                "client_secret": SecretStr("insider-client-secret-2"),
            },
        )
        assert push_secret(
            registration, f"{base}/insider_one/insider-v2", new, None, client=world.api
        )
        answer = httpx.post(
            f"{world.sandbox_url}/_sandbox/deliver", json={"sample": "status_read"}, timeout=30
        )
        assert answer.json()["deliveries"][0]["delivered"] is True
    expected = "Basic " + base64.b64encode(b"insider-client:insider-client-secret-2").decode()
    assert basic_seen[-1] == expected and delivered[-1] == "Bearer tok"
    state = httpx.get(f"{world.sandbox_url}/_sandbox/state").json()
    assert "insider-client-secret-2" not in json.dumps(state)  # listed masked


FOREIGN = {
    "authType": "oauth2",
    "subProduct": "conversational",
    "webhookUrl": "https://someone-else.example/insider",
    "events": ["reply", "sent"],
    "oauth2": {
        "grantType": "client_credentials",
        "tokenUrl": "https://someone-else.example/token",
        "clientId": "their-client",
        "clientSecret": "their-client-secret",
        "expiresIn": 300,
    },
}


def test_a_foreign_webhook_is_never_planned_updated_or_rotated(
    world: World, secret_values: set[str]
) -> None:
    secret_values.update({"their-client-secret", "insider-client-secret-2"})
    world.api.create_webhook(PHONE, FOREIGN)  # someone else's, on the same phone number
    (foreign,) = world.api.list_webhooks(PHONE)

    def theirs() -> dict[str, object]:
        return next(w for w in world.api.list_webhooks(PHONE) if w["id"] == foreign["id"])

    plan = world.engine.run(BASE, apply=False)
    assert [(c.action, c.remote_id) for c in plan.drift] == [("create", None)]
    assert all(c.remote_id != str(foreign["id"]) for r in plan.results for c in r.changes)
    registration = world.engine.config.get("insider-v2")
    new = SecretVersion(
        stage=SecretStage.PENDING,
        version_id="v2",
        values={
            "client_id": SecretStr("insider-client"),
            "client_secret": SecretStr("insider-client-secret-2"),
        },
    )
    assert not push_secret(registration, URL, new, None, client=world.api), "nothing of ours"
    assert world.api.list_webhooks(PHONE) == [foreign]

    assert world.engine.run(BASE, apply=True).exit_code() == EXIT_OK
    ours = next(w for w in world.api.list_webhooks(PHONE) if w["webhookUrl"] == URL)
    assert ours["id"] != foreign["id"] and theirs() == foreign
    world.api.update_webhook(
        PHONE,
        str(ours["id"]),
        {
            **{k: v for k, v in ours.items() if k in {"authType", "webhookUrl", "oauth2"}},
            "events": ["reply"],
        },
    )
    plan = world.engine.run(BASE, apply=True)
    assert [(c.action, c.remote_id) for c in plan.drift] == [("update", str(ours["id"]))]
    assert push_secret(registration, URL, new, None, client=world.api)
    assert theirs() == foreign
    assert len(world.api.list_webhooks(PHONE)) == 2


def test_sync_writes_the_declared_v1_settings_with_the_key_the_provider_must_hold(
    world: World,
) -> None:
    seen: list[str] = []

    async def receiver(request: Request) -> Response:
        seen.append(request.headers.get("authorization", ""))
        return Response(status_code=200)

    host = load_plugins()
    with BackgroundServer(
        Starlette(routes=[Route("/webhooks/{rest:path}", receiver, methods=["POST"])])
    ) as target:
        base = f"{target.url}/webhooks"
        for active in (True, False):
            config = parse_config(
                _config(world.sandbox_url, ["reply"], auth="v1", active=active),
                "hookgate.yaml",
                host,
            )
            engine = SyncEngine(host, config, SecretStore(lambda: world.sm))
            (planned,) = engine.run(base, apply=False).results[0].changes
            assert (planned.action, planned.applied) == ("unmanaged", False)
            assert planned.changed_fields == ("webhookUrl", "isActive", "apiKey")
            report = engine.run(base, apply=True)
            assert report.exit_code() == EXIT_OK and not report.drift, "no read API: not drift"
            (written,) = report.results[0].changes
            assert (written.action, written.applied) == ("unmanaged", True)
            assert seen[-1] == "Bearer v1-key-1", "Insider checked the URL with versions[0]"
            state = httpx.get(f"{world.sandbox_url}/_sandbox/state").json()
            assert state["v1"] == {
                "conversational": {
                    "webhookUrl": f"{base}/insider_one/insider-v2",
                    "isActive": active,
                }
            }
    assert len(seen) == 2, "a plan writes nothing"


def test_v1_sync_without_the_insider_auth_key_is_a_clear_error(world: World) -> None:
    world.sm.put_secret_value(
        SecretId="hookgate/insider-api",
        SecretString=json.dumps({"client_id": GW_ID, "client_secret": GW_SECRET}),
    )
    host = load_plugins()
    config = parse_config(_config(world.sandbox_url, ["reply"], auth="v1"), "hookgate.yaml", host)
    report = SyncEngine(host, config, SecretStore(lambda: world.sm)).run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR
    assert "api_secret must hold ins_auth_key" in report.errors["insider-v2"]


def test_the_v2_sandbox_refuses_what_seed_004_refuses(world: World) -> None:
    def token(scopes: Any) -> httpx.Response:
        body = {"client_id": GW_ID, "client_secret": GW_SECRET, "scopes": scopes}
        return httpx.post(f"{world.sandbox_url}/auth/token", json=body)

    for scopes in (None, [], ["wa-webhook-everything"]):
        assert token(scopes).status_code == 400, scopes
    read_only = token(["wa-webhook-read"]).json()["access_token"]
    hooks = f"{world.sandbox_url}/api/wa/v2/webhooks"
    auth = {"authorization": f"Bearer {read_only}"}
    assert httpx.get(hooks, params={"phoneNumber": PHONE}, headers=auth).status_code == 200
    denied = httpx.post(hooks, params={"phoneNumber": PHONE}, headers=auth, json=FOREIGN)
    assert denied.status_code == 403 and "wa-webhook-manage" in denied.json()["message"]
    created = world.api.create_webhook(PHONE, FOREIGN)
    oauth2 = FOREIGN["oauth2"]
    assert isinstance(oauth2, dict)
    update = {k: v for k, v in FOREIGN.items() if k != "subProduct"}
    for body, message in [
        ({**FOREIGN, "oauth2": {**oauth2, "grantType": "password"}}, "grantType must be"),
        ({**FOREIGN, "oauth2": {**oauth2, "grantType": "refresh_token"}}, "refreshToken is"),
    ]:
        with pytest.raises(ProviderAPIError, match=f"HTTP 400: {message}"):
            world.api.create_webhook(PHONE, body)
    for body, message in [
        (FOREIGN, "subProduct must not be sent"),
        ({**update, "events": ["sent"]}, "reply is required"),
    ]:
        with pytest.raises(ProviderAPIError, match=f"HTTP 400: {message}"):
            world.api.update_webhook(PHONE, str(created["webhook"]), body)
    refresh = {**oauth2, "grantType": "refresh_token", "refreshToken": "their-refresh-token"}
    world.api.update_webhook(PHONE, str(created["webhook"]), {**update, "oauth2": refresh})
