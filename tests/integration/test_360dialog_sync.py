"""Sync against the 360dialog sandbox: phone webhook, multi-webhook destination, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from hookgate_360dialog.client import Dialog360Client
from hookgate_360dialog.register import push_secret
from hookgate_dev.providers.hookgate_360dialog.sandbox import build_sandbox
from hookgate_dev.sandbox.server import BackgroundServer

API_KEY = "d360-sandbox-api-key"
BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"


def engine_for(channel: str, server_url: str, sm: Any, **settings: Any) -> SyncEngine:
    host = load_plugins()
    config = parse_config(
        json.dumps(
            {
                "version": 1,
                "registrations": [
                    {
                        "name": "d360",
                        "provider": "360dialog",
                        "secret": "hookgate/d360",
                        "api_secret": "hookgate/d360-api",
                        "settings": {
                            "channel": channel,
                            "api_base_url": server_url,
                            **settings,
                        },
                    }
                ],
            }
        ),
        "hookgate.yaml",
        host,
    )
    return SyncEngine(host, config, SecretStore(lambda: sm))


@pytest.fixture
def world(
    monkeypatch: pytest.MonkeyPatch, secret_values: set[str]
) -> Iterator[tuple[str, Any, Dialog360Client]]:
    secret_values.update({API_KEY, "d360-header-token-value"})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sandbox = build_sandbox(key_id="", key_secret=API_KEY)
    with mock_aws(), BackgroundServer(sandbox.app) as server:
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        sm.create_secret(
            Name="hookgate/d360",
            SecretString=json.dumps({"header_token": "d360-header-token-value"}),
        )
        sm.create_secret(Name="hookgate/d360-api", SecretString=json.dumps({"api_key": API_KEY}))
        with Dialog360Client(api_url=server.url, api_key=API_KEY, sleep=lambda _: None) as api:
            yield server.url, sm, api


def test_phone_webhook_is_set_once_and_a_foreign_one_is_never_overwritten(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("phone", url, sm)
    assert engine.run(BASE, apply=False).exit_code() == EXIT_CHANGES
    assert engine.run(BASE, apply=True).exit_code() == EXIT_OK
    assert api.phone_webhook()["url"] == f"{BASE}/360dialog/d360"
    assert engine.run(BASE, apply=False).exit_code() == EXIT_OK
    api.set_phone_webhook("https://someone-else.example/hook", {})
    report = engine.run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR and "does not own it" in report.errors["d360"]
    assert api.phone_webhook()["url"] == "https://someone-else.example/hook"


def test_multi_destination_duplicates_drift_and_limit(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("multi", url, sm)
    api.set_phone_webhook("https://main.example/hook", {})  # destinations need a main webhook
    api.add_destination("partner-a", "https://a.example/x", {})
    with pytest.raises(ProviderAPIError, match=r"HTTP 409: destination names must be unique"):
        api.add_destination("partner-a", "https://c.example/x", {})
    api.add_destination("partner-b", "https://b.example/x", {})
    assert engine.run(BASE, apply=True).exit_code() == EXIT_OK
    names = sorted(d["name"] for d in api.destinations())
    assert names == ["hookgate-d360", "partner-a", "partner-b"]
    assert {d["name"]: d["url"] for d in api.destinations() if d["name"] != "hookgate-d360"} == {
        "partner-a": "https://a.example/x",
        "partner-b": "https://b.example/x",
    }
    api.update_destination("hookgate-d360", "https://moved.example/x", {})
    plan = engine.run(BASE, apply=False)
    assert [(c.action, c.changed_fields) for c in plan.drift] == [("update", ("url",))]
    engine.run(BASE, apply=True)
    assert {d["name"]: d["url"] for d in api.destinations()}[
        "hookgate-d360"
    ] == f"{BASE}/360dialog/d360"
    with pytest.raises(ProviderAPIError, match=r"HTTP 400: at most 3 destinations"):
        api.add_destination("partner-c", "https://c.example/x", {})


def test_the_destination_limit_is_checked_first(world: tuple[str, Any, Dialog360Client]) -> None:
    url, sm, api = world
    for name in ("a", "b", "c"):
        api.add_destination(name, f"https://{name}.example/x", {})
    report = engine_for("multi", url, sm).run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR and "360dialog allows 3" in report.errors["d360"]


def test_deliveries_carry_the_registered_header(world: tuple[str, Any, Dialog360Client]) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    url, sm, _ = world
    seen: list[dict[str, str]] = []

    async def record(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(status_code=200)

    with BackgroundServer(
        Starlette(routes=[Route("/webhooks/{rest:path}", record, methods=["POST"])])
    ) as target:
        engine_for("phone", url, sm).run(f"{target.url}/webhooks", apply=True)
        answer = httpx.post(f"{url}/_sandbox/deliver", json={"sample": "status_read"}, timeout=30)
        assert answer.json()["deliveries"][0]["delivered"] is True
        assert seen[-1]["x-hookgate-token"] == "d360-header-token-value"
        engine = engine_for("phone", url, sm)
        registration = engine.config.get("d360")
        new = SecretVersion(
            stage=SecretStage.PENDING,
            version_id="v2",
            values={"header_token": SecretStr("d360-rotated-token-2")},
        )
        credentials = SecretVersion(
            stage=SecretStage.CURRENT, version_id="v1", values={"api_key": SecretStr(API_KEY)}
        )
        webhook_url = f"{target.url}/webhooks/360dialog/d360"
        assert push_secret(registration, webhook_url, new, credentials)
        httpx.post(f"{url}/_sandbox/deliver", json={"sample": "status_read"}, timeout=30)
    assert seen[-1]["x-hookgate-token"] == "d360-rotated-token-2"


def test_waba_webhook_is_set_once_rotated_and_a_foreign_one_is_never_overwritten(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("waba", url, sm)
    plan = engine.run(BASE, apply=False)
    assert [(c.action, c.remote_id) for c in plan.drift] == [("create", "waba")]
    assert engine.run(BASE, apply=True).exit_code() == EXIT_OK
    shown = api.waba_webhook()
    assert shown["url"] == f"{BASE}/360dialog/d360" and "headers" not in shown
    assert shown["waba_id"] == 123065260884961
    assert api.phone_webhook()["url"] == "", "override_all is false: phone webhooks untouched"
    assert engine.run(BASE, apply=False).exit_code() == EXIT_OK

    registration = engine.config.get("d360")
    new = SecretVersion(
        stage=SecretStage.PENDING,
        version_id="v2",
        values={"header_token": SecretStr("d360-rotated-waba-token")},
    )
    credentials = SecretVersion(
        stage=SecretStage.CURRENT, version_id="v1", values={"api_key": SecretStr(API_KEY)}
    )
    assert push_secret(registration, f"{BASE}/360dialog/d360", new, credentials)
    assert not push_secret(registration, f"{BASE}/360dialog/other", new, credentials)

    api.set_waba_webhook("https://someone-else.example/hook", {}, override_all=False)
    report = engine.run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR and "does not own it" in report.errors["d360"]
    assert api.waba_webhook()["url"] == "https://someone-else.example/hook"


def test_destinations_get_a_webhook_only_after_the_main_one_answered_200(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    url, _, api = world
    hits: list[str] = []
    main_status = [500]

    async def main(request: Request) -> Response:
        hits.append("main")
        return Response(status_code=main_status[0])

    async def extra(request: Request) -> Response:
        hits.append("extra")
        return Response(status_code=200)

    app = Starlette(
        routes=[Route("/main", main, methods=["POST"]), Route("/extra", extra, methods=["POST"])]
    )
    with BackgroundServer(app) as target:
        api.set_phone_webhook(f"{target.url}/main", {})
        api.add_destination("extra", f"{target.url}/extra", {})
        deliver = {"sample": "status_read", "count": 1}
        httpx.post(f"{url}/_sandbox/deliver", json=deliver, timeout=30).raise_for_status()
        assert hits and set(hits) == {"main"}, "no clone while the main webhook fails"
        hits.clear()
        main_status[0] = 200
        httpx.post(f"{url}/_sandbox/deliver", json=deliver, timeout=30).raise_for_status()
        assert hits == ["main", "extra"]


OURS = f"{BASE}/360dialog/d360"


def test_a_destination_without_a_main_webhook_is_refused_not_applied(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("multi", url, sm)
    report = engine.run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR and "no main webhook" in report.errors["d360"]
    assert api.destinations() == []
    api.set_waba_webhook("https://waba-main.example/hook", {}, override_all=False)
    (change,) = engine.run(BASE, apply=True).results[0].changes
    assert (change.action, change.applied) == ("create", True)
    assert "main webhook (waba-main.example) answers 200" in change.reason
    (again,) = engine.run(BASE, apply=False).results[0].changes
    assert again.action == "unchanged" and "waba-main.example" in again.reason


def test_waba_without_override_all_refuses_when_the_number_keeps_its_own_webhook(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("waba", url, sm)
    api.set_phone_webhook("https://someone-else.example/hook", {})
    report = engine.run(BASE, apply=True)
    assert report.exit_code() == EXIT_ERROR and "override_all is false" in report.errors["d360"]
    assert api.waba_webhook()["url"] == "", "nothing set that would deliver nothing"
    api.set_phone_webhook(OURS, {})  # the number's own webhook is hookgate's: fine
    (change,) = engine.run(BASE, apply=True).results[0].changes
    assert (change.action, change.applied) == ("create", True)
    assert "15-20 seconds" in change.reason
    api.set_phone_webhook("https://someone-else.example/hook", {})  # taken away later: seen
    report = engine.run(BASE, apply=False)
    assert report.exit_code() == EXIT_ERROR and "nothing reaches hookgate" in report.errors["d360"]


def test_waba_with_override_all_takes_every_number_and_repairs_a_foreign_one(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, sm, api = world
    engine = engine_for("waba", url, sm, override_all=True)
    api.set_phone_webhook("https://someone-else.example/hook", {})
    (change,) = engine.run(BASE, apply=True).results[0].changes
    assert (change.action, change.applied) == ("create", True)
    assert "every Cloud API number" in change.reason
    assert api.waba_webhook()["url"] == api.phone_webhook()["url"] == OURS
    assert engine.run(BASE, apply=False).exit_code() == EXIT_OK
    api.set_phone_webhook("https://someone-else.example/again", {})
    plan = engine.run(BASE, apply=False)
    assert [(c.action, c.changed_fields) for c in plan.drift] == [("update", ("override_all",))]
    engine.run(BASE, apply=True)
    assert api.phone_webhook()["url"] == OURS
    assert engine.run(BASE, apply=False).exit_code() == EXIT_OK


def test_the_client_deletes_a_destination_and_the_sandbox_is_as_strict_as_seed_003(
    world: tuple[str, Any, Dialog360Client],
) -> None:
    url, _, api = world
    headers = {"d360-api-key": API_KEY}
    for method, body in (("PATCH", {"name": "a", "url": "https://a.example/x"}), ("PUT", {})):
        answer = httpx.request(method, f"{url}/multi_webhook", json=body, headers=headers)
        assert (answer.status_code, answer.json()) == (
            400,
            {"error": "multi-webhook is not enabled; use POST"},
        )
    with pytest.raises(ProviderAPIError, match="HTTP 400: multi-webhook is not enabled"):
        api.delete_destination("a")
    nameless = {"enabled": True, "destinations": [{"url": "https://a.example/x"}]}
    answer = httpx.post(f"{url}/multi_webhook", json=nameless, headers=headers)
    assert (answer.status_code, answer.json()) == (400, {"error": "every destination needs a name"})
    assert httpx.get(f"{url}/multi_webhook", headers=headers).json()["enabled"] is False
    api.add_destination("partner a", "https://a.example/x", {"x-token": "t"})
    api.add_destination("c", "https://c.example/x", {})
    assert [d["headers"] for d in api.destinations()] == [{"x-token": "t"}, {}]
    api.delete_destination("partner a")
    assert [d["name"] for d in api.destinations()] == ["c"]
    with pytest.raises(ProviderAPIError, match="HTTP 404: no destination with that name"):
        api.delete_destination("partner a")
