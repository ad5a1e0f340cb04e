"""Sync against the Sinch Provisioning sandbox: pagination, limits, drift, rotation, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws
from pydantic import SecretStr

from hookgate.config import parse_config
from hookgate.models import SecretStage, SecretVersion
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.secrets import SecretStore
from hookgate.sync import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, SyncEngine
from hookgate_dev.providers.hookgate_sinch_provisioning.sandbox import build_sandbox
from hookgate_dev.sandbox.core import Fault
from hookgate_dev.sandbox.server import BackgroundServer
from hookgate_sinch_provisioning.client import SinchProvisioningClient
from hookgate_sinch_provisioning.register import push_secret

KEY_ID, KEY_SECRET = "papi-key", "papi-key-secret-value"
BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"
URL = f"{BASE}/sinch_provisioning/prov-demo"


@dataclass
class World:
    engine: SyncEngine
    api: SinchProvisioningClient
    faults: Any
    sandbox_url: str


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, secret_values: set[str]) -> Iterator[World]:
    secret_values.update({KEY_SECRET, "provisioning-webhook-secret-1"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sandbox = build_sandbox(key_id=KEY_ID, key_secret=KEY_SECRET)
    with mock_aws(), BackgroundServer(sandbox.app) as server:
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        sm.create_secret(
            Name="hookgate/prov",
            SecretString=json.dumps({"webhook_secret": "provisioning-webhook-secret-1"}),
        )
        sm.create_secret(
            Name="hookgate/papi",
            SecretString=json.dumps({"key_id": KEY_ID, "key_secret": KEY_SECRET}),
        )
        host = load_plugins()
        config = parse_config(
            json.dumps(
                {
                    "version": 1,
                    "registrations": [
                        {
                            "name": "prov-demo",
                            "provider": "sinch_provisioning",
                            "secret": "hookgate/prov",
                            "api_secret": "hookgate/papi",
                            "events": ["WHATSAPP_TEMPLATE_APPROVED", "BUNDLE_DONE"],
                            "settings": {
                                "project_id": "proj",
                                "api_base_url": server.url,
                                "auth_url": server.url,
                            },
                        }
                    ],
                }
            ),
            "hookgate.yaml",
            host,
        )
        with SinchProvisioningClient(
            api_url=server.url,
            auth_url=server.url,
            key_id=KEY_ID,
            key_secret=KEY_SECRET,
            project_id="proj",
            sleep=lambda _: None,
        ) as api:
            yield World(
                SyncEngine(host, config, SecretStore(lambda: sm)), api, sandbox.faults, server.url
            )


def test_create_then_nothing_to_do_then_drift_repaired(world: World) -> None:
    for i in range(8):  # foreign webhooks, listed over several pages
        world.api.create_webhook(f"https://other.example/{i}", "s3cret", ["ALL"])
    foreign = {w["id"]: w for w in world.api.list_webhooks()}
    plan = world.engine.run(BASE, apply=False)
    assert plan.exit_code() == EXIT_CHANGES
    assert [(c.action, c.remote_id) for c in plan.drift] == [("create", None)]
    assert world.engine.run(BASE, apply=True).exit_code() == EXIT_OK
    assert world.engine.run(BASE, apply=False).exit_code() == EXIT_OK
    ours = next(w for w in world.api.list_webhooks() if w["target"] == URL)
    assert (
        sorted(ours["triggers"]) == ["BUNDLE_DONE", "WHATSAPP_TEMPLATE_APPROVED"]
        and "secret" not in ours
    )
    world.api.update_webhook(ours["id"], {"triggers": ["ALL"]})
    plan = world.engine.run(BASE, apply=False)
    assert [(c.action, c.changed_fields) for c in plan.drift] == [("update", ("triggers",))]
    world.engine.run(BASE, apply=True)
    hooks = world.api.list_webhooks()
    assert len(hooks) == 9 and sum(1 for w in hooks if w["triggers"] == ["ALL"]) == 8
    assert {w["id"]: w for w in hooks if w["id"] in foreign} == foreign


def test_project_limit_is_refused_before_any_create(world: World) -> None:
    for i in range(15):
        world.api.create_webhook(f"https://other.example/{i:02d}", "s3cret", ["ALL"])
    report = world.engine.run(BASE, apply=True)
    assert (
        report.exit_code() == EXIT_ERROR and "already has 15 webhooks" in report.errors["prov-demo"]
    )
    assert len(world.api.list_webhooks()) == 15


def test_sandbox_rules_and_errors(world: World) -> None:
    world.api.create_webhook("https://a.example/x", "s", ["ALL"])
    for args, expected in [
        (("https://a.example/x", "s", ["ALL"]), "HTTP 409 CONFLICT"),
        (("https://b.example/x", "x" * 129, ["ALL"]), "secret must be 1..128"),
        (("https://c.example/x", "s", ["ALL", "BUNDLE_DONE"]), "ALL must not be combined"),
        (("https://d.example/x", "s", []), "non-empty"),
        (("https://e.example/x", "s", ["WHATSAPP_TEMPLATE_APROVED"]), "unknown trigger"),
    ]:
        with pytest.raises(ProviderAPIError, match=expected):
            world.api.create_webhook(*args)


def test_rotation_patches_the_secret_and_429_is_retried(world: World) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from hookgate_sinch_provisioning.schemes import sign

    received: list[tuple[bytes, dict[str, str]]] = []

    async def record(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/webhooks/{rest:path}", record, methods=["POST"])])
    with BackgroundServer(app) as target:
        base = f"{target.url}/webhooks"
        world.engine.run(base, apply=True)
        registration = world.engine.config.get("prov-demo")
        new = SecretVersion(
            stage=SecretStage.PENDING,
            version_id="v2",
            values={"webhook_secret": SecretStr("provisioning-webhook-secret-2")},
        )
        world.faults.add(Fault(kind="retry_after", retry_after=0, count=1))
        url = f"{base}/sinch_provisioning/prov-demo"
        assert push_secret(registration, url, new, None, client=world.api)
        sample = "whatsapp_template_approved"
        answer = httpx.post(
            f"{world.sandbox_url}/_sandbox/deliver", json={"sample": sample}, timeout=30
        )
        assert answer.json()["deliveries"][0]["delivered"] is True
    body, headers = received[-1]
    expected = sign(
        "provisioning-webhook-secret-2",
        body,
        headers["x-sinch-webhook-signature-nonce"],
        headers["x-sinch-webhook-signature-timestamp"],
    )
    assert headers["x-sinch-webhook-signature"] == expected
    state = httpx.get(f"{world.sandbox_url}/_sandbox/state").json()
    assert "provisioning-webhook-secret" not in json.dumps(state)  # write-only


def test_every_trigger_the_plugin_maps_is_one_the_sandbox_accepts(world: World) -> None:
    from hookgate_sinch_provisioning.event_types import EVENT_TYPE_MAP

    triggers = sorted(EVENT_TYPE_MAP)
    created = world.api.create_webhook("https://every.example/x", "s3cret", triggers)
    assert sorted(created["triggers"]) == triggers


def test_the_sandbox_takes_basic_auth_checks_urls_and_put_variants(world: World) -> None:
    hooks = f"{world.sandbox_url}/v1/projects/proj/webhooks"
    assert httpx.get(hooks, auth=(KEY_ID, KEY_SECRET)).json()["webhooks"] == []
    refused = httpx.get(hooks, auth=(KEY_ID, KEY_SECRET + "x"))
    assert refused.status_code == 401 and refused.json()["errorCode"] == "UNAUTHORIZED"
    for target in ("not a url", "ftp://files.example/x", "https:///no-host"):
        with pytest.raises(ProviderAPIError, match="target must be an http"):
            world.api.create_webhook(target, "s", ["ALL"])
    created = world.api.create_webhook("https://a.example/x", "s", ["BUNDLE_DONE"])
    one = f"{hooks}/{created['id']}"
    basic = (KEY_ID, KEY_SECRET)
    full = {"target": "https://b.example/x", "secret": "s2", "triggers": ["ALL"]}
    assert httpx.put(one, json=full, auth=basic).json()["triggers"] == ["ALL"]
    no_triggers = httpx.put(one, json={"target": "https://c.example/x", "secret": "s3"}, auth=basic)
    assert no_triggers.status_code == 200
    assert (no_triggers.json()["target"], no_triggers.json()["triggers"]) == (
        "https://c.example/x",
        ["ALL"],
    )
    without_secret = httpx.put(one, json={"target": "https://d.example/x"}, auth=basic)
    assert without_secret.status_code == 400
    assert without_secret.json()["message"] == "secret must be 1..128 characters"
    bad_target = httpx.patch(one, json={"target": "nope"}, auth=basic)
    assert bad_target.status_code == 400


def test_the_client_follows_every_page(world: World) -> None:
    targets = [f"https://other.example/{i:02d}" for i in range(7)]
    for target in reversed(targets):
        world.api.create_webhook(target, "s3cret", ["ALL"])
    with SinchProvisioningClient(
        api_url=world.sandbox_url,
        auth_url=world.sandbox_url,
        key_id=KEY_ID,
        key_secret=KEY_SECRET,
        project_id="proj",
        sleep=lambda _: None,
        page_size=2,
    ) as small_pages:
        listed = [w["target"] for w in small_pages.list_webhooks()]
    assert listed == targets, "four pages of at most two, in order, none twice"
    first = httpx.get(
        f"{world.sandbox_url}/v1/projects/proj/webhooks",
        params={"pageSize": 2},
        auth=(KEY_ID, KEY_SECRET),
    ).json()
    assert (len(first["webhooks"]), first["nextPageToken"], first["totalSize"]) == (2, "2", 7)
