"""The sync engine over an in-memory provider: plan, apply, idempotence, errors, rendering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from moto import mock_aws
from pydantic import BaseModel

from hookgate import hookimpl
from hookgate.config import load_config, parse_config
from hookgate.errors import UnknownRegistrationError
from hookgate.models import ProviderInfo, Registration, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.secrets import SecretStore
from hookgate.sync import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, SyncEngine, publish_drift, render
from hookgate.sync_models import ApplyInterruptedError, PlannedChange


class Settings(BaseModel):
    fail: str | None = None


class MemoryProvider:
    """A provider whose 'API' is a dict; foreign webhooks must survive every sync."""

    def __init__(self) -> None:
        self.webhooks: dict[str, dict[str, Any]] = {
            "foreign": {"url": "https://elsewhere/x", "token": "theirs"}
        }
        self.seen_credentials: list[str | None] = []

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        return ProviderInfo(name="memory", title="Memory", settings_model=Settings)

    @hookimpl
    def hookgate_register(
        self,
        registration: Registration,
        webhook_url: str,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
        apply: bool,
    ) -> list[PlannedChange]:
        self.seen_credentials.append(api_credentials.get("api_key") if api_credentials else None)
        if registration.settings.fail == "api":  # type: ignore[attr-defined]
            raise ProviderAPIError("memory", "list webhooks", 503, "UNAVAILABLE", "down")
        owned = {k: v for k, v in self.webhooks.items() if v["url"] == webhook_url}
        base = {"registration": registration.name, "provider": "memory", "target": webhook_url}
        if not owned:
            change = PlannedChange(action="create", reason="no webhook targets this URL", **base)
            if apply:
                if registration.settings.fail == "apply":  # type: ignore[attr-defined]
                    raise ApplyInterruptedError("create failed: HTTP 500", applied=[])
                self.webhooks[f"wh-{len(self.webhooks)}"] = {
                    "url": webhook_url,
                    "events": list(registration.events),
                }
                change = change.model_copy(update={"applied": True})
            return [change]
        changes = []
        for key, hook in owned.items():
            if hook["events"] != list(registration.events):
                change = PlannedChange(
                    action="update",
                    remote_id=key,
                    reason="events differ",
                    changed_fields=("events",),
                    **base,
                )
                if apply:
                    hook["events"] = list(registration.events)
                    change = change.model_copy(update={"applied": True})
            else:
                change = PlannedChange(action="unchanged", remote_id=key, reason="matches", **base)
            changes.append(change)
        return changes


CONFIG = """
version: 1
registrations:
  - {name: one, provider: memory, secret: s/one, api_secret: s/api, events: [a, b]}
  - {name: two, provider: memory, secret: s/two, events: [c]}
"""


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SyncEngine, MemoryProvider]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        for name, value in {
            "s/one": {"token": "t1-secret-value"},
            "s/two": {"token": "t2-secret-value"},
            "s/api": {"api_key": "api-key-value-1"},
        }.items():
            sm.create_secret(Name=name, SecretString=json.dumps(value))
        provider = MemoryProvider()
        host = load_plugins(use_entry_points=False, extra=[provider])
        config = parse_config(CONFIG, "hookgate.yaml", host)
        yield SyncEngine(host, config, SecretStore(lambda: sm)), provider


BASE = "https://abc.execute-api.eu-west-1.amazonaws.com/webhooks"


def test_plan_apply_then_nothing_to_do(engine: tuple[SyncEngine, MemoryProvider]) -> None:
    sync, provider = engine
    plan = sync.run(BASE, apply=False)
    assert plan.exit_code() == EXIT_CHANGES
    assert [c.action for c in plan.drift] == ["create", "create"]
    assert len(provider.webhooks) == 1  # planning changed nothing
    text = render(plan)
    assert (
        "+ create    (new) -> https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/memory/one"
        in text
    )
    assert text.endswith("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.")

    applied = sync.run(BASE, apply=True)
    assert applied.exit_code() == EXIT_OK and all(c.applied for c in applied.drift)
    assert provider.webhooks["foreign"] == {"url": "https://elsewhere/x", "token": "theirs"}

    again = sync.run(BASE, apply=False)
    assert again.exit_code() == EXIT_OK and again.drift == []
    assert (
        provider.seen_credentials[0] == "api-key-value-1" and provider.seen_credentials[1] is None
    )


def test_drift_is_found_and_repaired(engine: tuple[SyncEngine, MemoryProvider]) -> None:
    sync, provider = engine
    sync.run(BASE, apply=True)
    owned = next(k for k, v in provider.webhooks.items() if v["url"].endswith("/memory/two"))
    provider.webhooks[owned]["events"] = ["changed-behind-our-back"]
    plan = sync.run(BASE, apply=False, only=["two"])
    assert [(c.action, c.changed_fields) for c in plan.drift] == [("update", ("events",))]
    sync.run(BASE, apply=True, only=["two"])
    assert provider.webhooks[owned]["events"] == ["c"]


def test_errors_are_reported_per_registration(engine: tuple[SyncEngine, MemoryProvider]) -> None:
    sync, _ = engine
    with pytest.raises(UnknownRegistrationError):
        sync.run(BASE, apply=False, only=["nope"])
    settings = Settings(fail="api")
    broken = sync.config.registrations["one"].model_copy(update={"settings": settings})
    registrations = cast(dict[str, Registration], sync.config.registrations)
    registrations["one"] = broken
    report = sync.run(BASE, apply=False)
    assert report.exit_code() == EXIT_ERROR
    assert report.errors == {"one": "memory: list webhooks failed: HTTP 503 UNAVAILABLE: down"}
    assert "! error: memory: list webhooks failed" in render(report)
    registrations["one"] = broken.model_copy(update={"settings": Settings(fail="apply")})
    report = sync.run(BASE, apply=True, only=["one"])
    assert "apply stopped part-way" in report.errors["one"]
    assert "secret-value" not in json.dumps(report.to_json())


def test_registrations_without_api_credentials_are_reported_unmanaged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shipped hookgate.yaml names no api_secret: sync plans nothing and calls no one."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    host = load_plugins()
    config = load_config(Path(__file__).resolve().parents[2] / "hookgate.yaml", host)
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="eu-west-1")
        for registration in config.registrations.values():
            sm.create_secret(Name=registration.secret_id, SecretString='{"k": "v"}')
        report = SyncEngine(host, config, SecretStore(lambda: sm)).run(
            "https://x.example/webhooks", apply=False
        )
    assert report.exit_code() == EXIT_OK
    assert {c.action for r in report.results for c in r.changes} == {"unmanaged"}
    assert f"{len(config.registrations)} not managed" in render(report)


def test_a_provider_without_webhook_management_is_unmanaged_not_an_error() -> None:
    class Receiving:
        @staticmethod
        @hookimpl
        def hookgate_provider() -> ProviderInfo:
            return ProviderInfo(name="receiving", title="Receiving", settings_model=Settings)

    host = load_plugins(use_entry_points=False, extra=[Receiving()])
    config = parse_config(
        "version: 1\nregistrations:\n  - {name: only, provider: receiving, secret: s/x}\n",
        "hookgate.yaml",
        host,
    )
    report = SyncEngine(host, config, cast(Any, None)).run(BASE, apply=True)
    assert report.exit_code() == EXIT_OK
    (result,) = report.results
    assert result.error is None
    assert [c.action for c in result.changes] == ["unmanaged"]
    assert "offers no webhook management" in render(report)


def test_an_unavailable_registration_is_reported_and_the_others_synced(
    engine: tuple[SyncEngine, MemoryProvider],
) -> None:
    sync, _ = engine
    config = sync.config.without({"two": "provider: plugin 'memory' failed to load: boom"})
    report = SyncEngine(sync.host, config, sync.secrets).run(BASE, apply=True)
    assert [r.registration for r in report.results] == ["one"]
    assert not report.errors
    assert report.unavailable == {"two": "provider: plugin 'memory' failed to load: boom"}
    assert report.exit_code() == EXIT_ERROR
    assert "two\n  ! unavailable: provider: plugin 'memory' failed to load: boom" in render(report)
    only = SyncEngine(sync.host, config, sync.secrets).run(BASE, apply=False, only=["two"])
    assert (only.results, only.unavailable) == ([], report.unavailable)
    assert (
        SyncEngine(sync.host, config, sync.secrets).run(BASE, apply=False, only=["one"]).unavailable
        == {}
    )

    events = boto3.client("events", region_name="eu-west-1")
    bus = events.create_event_bus(Name="hookgate-test")["EventBusArn"].rsplit("/", 1)[1]
    assert len(report.drift) == 1  # one's webhook created, and two: registration.sync_failed
    assert publish_drift(report, bus, events) == 2
