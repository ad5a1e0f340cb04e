"""Sync against the Sinch Conversation sandbox: create, no-op, drift, foreign, limits, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws

from hookgate.config import parse_config
from hookgate.models import SecretStage, SecretVersion
from hookgate.plugins import load_plugins
from hookgate.secrets import SecretStore
from hookgate.sync import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, SyncEngine
from hookgate_dev.providers.hookgate_sinch_conversation.sandbox import build_sandbox
from hookgate_dev.sandbox.core import Fault
from hookgate_dev.sandbox.server import BackgroundServer
from hookgate_sinch_conversation.client import SinchConversationClient

KEY_ID, KEY_SECRET = "sandbox-key-id", "sandbox-key-secret-value"
BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"
URL = f"{BASE}/sinch_conversation/sinch-demo"


@dataclass
class World:
    engine: SyncEngine
    sandbox_url: str
    api: SinchConversationClient
    faults: Any
    sm: Any


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, secret_values: set[str]) -> Iterator[World]:
    secret_values.update({KEY_SECRET, "webhook-secret-for-sync-1"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sandbox = build_sandbox(key_id=KEY_ID, key_secret=KEY_SECRET)
    with mock_aws(), BackgroundServer(sandbox.app) as server:
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        sm.create_secret(
            Name="hookgate/sinch-demo",
            SecretString=json.dumps({"webhook_secret": "webhook-secret-for-sync-1"}),
        )
        sm.create_secret(
            Name="hookgate/sinch-api",
            SecretString=json.dumps({"key_id": KEY_ID, "key_secret": KEY_SECRET}),
        )
        host = load_plugins()
        config = parse_config(
            json.dumps(
                {
                    "version": 1,
                    "registrations": [
                        {
                            "name": "sinch-demo",
                            "provider": "sinch_conversation",
                            "secret": "hookgate/sinch-demo",
                            "api_secret": "hookgate/sinch-api",
                            "events": ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"],
                            "settings": {
                                "project_id": "proj",
                                "app_id": "app",
                                "api_base_url": server.url,
                                "auth_url": server.url,
                                # Far above an answering sandbox's time on a loaded machine;
                                # the hang fault below lasts until the test clears it.
                                "api_timeout_seconds": 2.0,
                            },
                        }
                    ],
                }
            ),
            "hookgate.yaml",
            host,
        )
        api = SinchConversationClient(
            api_url=server.url,
            auth_url=server.url,
            key_id=KEY_ID,
            key_secret=KEY_SECRET,
            project_id="proj",
            app_id="app",
            sleep=lambda _: None,
        )
        with api:
            yield World(
                SyncEngine(host, config, SecretStore(lambda: sm)),
                server.url,
                api,
                sandbox.faults,
                sm,
            )


def test_first_apply_creates_and_a_second_changes_nothing(world: World) -> None:
    plan = world.engine.run(BASE, apply=False)
    assert plan.exit_code() == EXIT_CHANGES and [c.action for c in plan.drift] == ["create"]
    assert world.api.list_webhooks() == []
    assert world.engine.run(BASE, apply=True).exit_code() == EXIT_OK
    (webhook,) = world.api.list_webhooks()
    assert webhook["target"] == URL and sorted(webhook["triggers"]) == [
        "MESSAGE_DELIVERY",
        "MESSAGE_INBOUND",
    ]
    assert "secret" not in webhook  # write-only, as the sandbox mirrors
    again = world.engine.run(BASE, apply=True)
    assert again.exit_code() == EXIT_OK and [
        c.action for r in again.results for c in r.changes
    ] == ["unchanged"]


def test_drift_is_repaired_and_foreign_webhooks_are_left_alone(world: World) -> None:
    foreign = world.api.create_webhook(
        {"target": "https://elsewhere.example/hook", "triggers": ["MESSAGE_INBOUND"]}
    )
    world.engine.run(BASE, apply=True)
    ours = next(w for w in world.api.list_webhooks() if w["target"] == URL)
    world.api.update_webhook(ours["id"], {"triggers": ["MESSAGE_INBOUND"]})
    plan = world.engine.run(BASE, apply=False)
    assert [(c.action, c.changed_fields, c.remote_id) for c in plan.drift] == [
        ("update", ("triggers",), ours["id"])
    ]
    world.engine.run(BASE, apply=True)
    hooks = {w["id"]: w for w in world.api.list_webhooks()}
    assert sorted(hooks[ours["id"]]["triggers"]) == ["MESSAGE_DELIVERY", "MESSAGE_INBOUND"]
    assert hooks[foreign["id"]] == foreign
    assert hooks[foreign["id"]]["target"] == "https://elsewhere.example/hook"
    assert hooks[foreign["id"]]["triggers"] == ["MESSAGE_INBOUND"]


def test_the_per_app_limit_is_refused_before_any_create(world: World) -> None:
    for i in range(5):
        world.api.create_webhook(
            {"target": f"https://other.example/{i}", "triggers": ["MESSAGE_INBOUND"]}
        )
    report = world.engine.run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR
    assert "already has 5 webhooks (Sinch allows 5)" in report.errors["sinch-demo"]
    assert len(world.api.list_webhooks()) == 5


def test_sandbox_enforces_documented_rules(world: World) -> None:
    world.api.create_webhook({"target": "https://a.example/x", "triggers": ["MESSAGE_INBOUND"]})
    for body, message in [
        ({"target": "https://a.example/x", "triggers": ["MESSAGE_INBOUND"]}, "already exists"),
        (
            {"target": "https://conversation-api.eu.sinch.com/x", "triggers": ["MESSAGE_INBOUND"]},
            "forbidden",
        ),
        ({"target": "https://b.example/" + "x" * 800, "triggers": ["MESSAGE_INBOUND"]}, "1..742"),
        (
            {"target": "https://c.example/x", "triggers": ["UNSPECIFIED_TRIGGER"]},
            "unknown triggers",
        ),
        (
            {"target": "https://d.example/x", "triggers": ["MESSAGE_DELIVERED"]},  # misspelt
            "unknown triggers",
        ),
    ]:
        with pytest.raises(Exception, match=message) as info:
            world.api.create_webhook(body)
        assert "HTTP 400 INVALID_ARGUMENT" in str(info.value)
    bad = httpx.post(
        f"{world.sandbox_url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(KEY_ID, "wrong"),
    )
    assert bad.status_code == 401


def test_provider_faults_are_retried_or_reported(world: World) -> None:
    world.api.list_webhooks()  # a token first, so faults hit the webhook calls
    world.faults.add(Fault(kind="status", status=500, count=2))
    assert world.engine.run(BASE, apply=True).exit_code() == EXIT_OK  # retried through
    world.faults.add(Fault(kind="status", status=503, count=20))
    report = world.engine.run(BASE, apply=False)
    assert report.exit_code() == EXIT_ERROR and "HTTP 503" in report.errors["sinch-demo"]
    world.faults.clear()


def test_a_provider_that_hangs_times_out_and_is_retried_or_reported(world: World) -> None:
    world.faults.add(Fault(kind="timeout", delay=300, count=1))  # hangs until cleared
    first = world.engine.run(BASE, apply=True)  # the first call hangs; its retry succeeds
    assert first.exit_code() == EXIT_OK, first.errors
    world.faults.add(Fault(kind="timeout", delay=300, count=20))
    report = world.engine.run(BASE, apply=False)
    assert report.exit_code() == EXIT_ERROR and "timed out" in report.errors["sinch-demo"]
    world.faults.clear()
    assert world.engine.run(BASE, apply=False).exit_code() == EXIT_OK


def test_rotation_pushes_the_new_secret_and_deliveries_are_signed_with_it(world: World) -> None:
    from pydantic import SecretStr
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from hookgate_sinch.signature import sign
    from hookgate_sinch_conversation.register import push_secret

    received: list[tuple[bytes, dict[str, str]]] = []

    async def record(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    with BackgroundServer(
        Starlette(routes=[Route("/webhooks/{rest:path}", record, methods=["POST"])])
    ) as target:
        base = f"{target.url}/webhooks"
        world.engine.run(base, apply=True)
        registration = world.engine.config.get("sinch-demo")
        new = SecretVersion(
            stage=SecretStage.PENDING,
            version_id="v2",
            values={"webhook_secret": SecretStr("rotated-webhook-secret-2")},
        )
        assert push_secret(
            registration, f"{base}/sinch_conversation/sinch-demo", new, None, client=world.api
        )
        answer = httpx.post(
            f"{world.sandbox_url}/_sandbox/deliver", json={"sample": "inbound_message"}, timeout=30
        )
        assert answer.json()["deliveries"][0]["delivered"] is True
    (body, headers) = received[-1]
    expected = sign(
        "rotated-webhook-secret-2",
        body,
        headers["x-sinch-webhook-signature-nonce"],
        headers["x-sinch-webhook-signature-timestamp"],
    )
    assert headers["x-sinch-webhook-signature"] == expected


def test_every_trigger_the_plugin_maps_is_one_the_sandbox_accepts(world: World) -> None:
    from hookgate_sinch_conversation.event_types import PAYLOAD_KEYS

    triggers = sorted(set(PAYLOAD_KEYS.values()))
    created = world.api.create_webhook({"target": "https://every.example/x", "triggers": triggers})
    assert sorted(created["triggers"]) == triggers


TOKEN_URL = "https://abc.execute-api.eu-west-1.amazonaws.com/oauth2/token"


def _oauth2_engine(world: World) -> SyncEngine:
    world.sm.create_secret(
        Name="hookgate/sinch-oauth",
        SecretString=json.dumps(
            {"webhook_secret": "webhook-secret-for-sync-1", "client_secret": "client-secret-1"}
        ),
    )
    host = load_plugins()
    declared = world.engine.config.get("sinch-demo")
    config = parse_config(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": "sinch-demo",
                        "provider": "sinch_conversation",
                        "secret": "hookgate/sinch-oauth",
                        "api_secret": "hookgate/sinch-api",
                        "events": list(declared.events),
                        "oauth2": {"client_id": "sinch-demo-client"},
                        "settings": declared.settings.model_dump(),
                    }
                ],
            }
        ),
        "hookgate.yaml",
        host,
    )
    return SyncEngine(host, config, SecretStore(lambda: world.sm))


def test_missing_or_stale_client_credentials_are_drift_and_repaired(
    world: World, secret_values: set[str]
) -> None:
    secret_values.update({"client-secret-1"})
    engine = _oauth2_engine(world)
    assert engine.run(BASE, apply=True).exit_code() == EXIT_OK
    (ours,) = world.api.list_webhooks()
    assert ours["client_credentials"] == {
        "client_id": "sinch-demo-client",
        "endpoint": TOKEN_URL,
        "token_request_type": "BASIC",
    }
    assert engine.run(BASE, apply=False).exit_code() == EXIT_OK, "write-only secret: no drift"
    stale = {"client_id": "old", "client_secret": "old-secret", "endpoint": TOKEN_URL}
    for broken in (stale, None, {**stale, "client_id": "sinch-demo-client", "endpoint": "x"}):
        world.api.update_webhook(ours["id"], {"client_credentials": broken})
        plan = engine.run(BASE, apply=False)
        assert [(c.action, c.changed_fields) for c in plan.drift] == [
            ("update", ("client_credentials",))
        ], broken
        assert engine.run(BASE, apply=True).exit_code() == EXIT_OK
        (repaired,) = world.api.list_webhooks()
        assert repaired["client_credentials"]["client_id"] == "sinch-demo-client"
        assert repaired["client_credentials"]["endpoint"] == TOKEN_URL


def test_the_sandbox_refuses_what_seed_002_refuses(world: World) -> None:
    token = httpx.post(
        f"{world.sandbox_url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(KEY_ID, KEY_SECRET),
    ).json()["access_token"]
    good: dict[str, Any] = {
        "app_id": "app",
        "target": "https://a.example/x",
        "triggers": ["MESSAGE_INBOUND"],
    }
    changes: list[tuple[dict[str, Any], str]] = [
        ({"app_id": None}, "app_id is required"),
        ({"app_id": ""}, "app_id is required"),
        ({"target_type": "FTP"}, "target_type must be HTTP or DISMISS"),
        ({"client_credentials": {"client_id": "c", "client_secret": "s"}}, "client_id, client_"),
        ({"client_credentials": "c:s"}, "client_credentials needs"),
    ]
    for change, message in changes:
        body = {k: v for k, v in {**good, **change}.items() if v is not None}
        answer = httpx.post(
            f"{world.sandbox_url}/v1/projects/proj/webhooks",
            json=body,
            headers={"authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 400, change
        assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
        assert message in answer.json()["error"]["message"]
    assert world.api.list_webhooks() == [], "nothing half-created; listing still answers"
    created = world.api.create_webhook({**good, "target_type": "DISMISS"})
    assert created["target_type"] == "DISMISS"
