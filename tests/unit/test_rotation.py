"""The four-step rotation protocol on moto, with a provider that records what it is given."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import BaseModel

from hookgate import hookimpl
from hookgate.config import parse_config
from hookgate.models import ProviderInfo, Registration, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.rotation import STEPS, RotationEngine, RotationError
from hookgate.sync_models import PlannedChange

REGION = "eu-west-1"


class Settings(BaseModel):
    pass


class RecordingProvider:
    def __init__(self) -> None:
        self.pushed: list[str] = []
        self.failures = 0

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        return ProviderInfo(
            name="recorder",
            title="Recorder",
            settings_model=Settings,
            secret_keys=("webhook_secret", "client_id"),
            rotates=("webhook_secret",),
        )

    @hookimpl
    def hookgate_rotate_secret(
        self,
        registration: Registration,
        webhook_url: str,
        new_secret: SecretVersion,
        secrets: SecretVersions,
    ) -> bool:
        assert webhook_url == "https://api.example/webhooks/recorder/demo"
        assert [v.stage.short for v in secrets.versions] == ["current", "pending"]
        if self.failures:
            self.failures -= 1
            raise ProviderAPIError("recorder", "update webhook secret", 500, None, "boom")
        self.pushed.append(new_secret.get("webhook_secret") or "")
        return True


CONFIG = "version: 1\nregistrations:\n  - {name: demo, provider: recorder, secret: hookgate/demo}\n"


@pytest.fixture
def setup(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[RotationEngine, RecordingProvider, Any]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        real = boto3.client("secretsmanager", region_name=REGION)
        real.create_secret(
            Name="hookgate/demo",
            SecretString=json.dumps({"webhook_secret": "old-secret-value", "client_id": "cid"}),
        )
        real.create_secret(
            Name="hookgate/signing-key", SecretString=json.dumps({"kid": "k0", "key": "a" * 43})
        )
        sm = SecretsManager(real)
        provider = RecordingProvider()
        host = load_plugins(use_entry_points=False, extra=[provider])
        engine = RotationEngine(
            host=host,
            config=parse_config(CONFIG, "hookgate.yaml", host),
            client_factory=lambda: sm,
            webhook_base_url="https://api.example/webhooks",
            signing_key_secret="hookgate/signing-key",
        )
        yield engine, provider, sm


class SecretsManager:
    """moto's Secrets Manager, plus the one thing moto cannot do without Docker.

    When AWS starts a rotation it enables rotation on the secret, moves AWSPENDING to a new
    version id (the ClientRequestToken) that has no value yet, and invokes the rotation
    function. moto's RotateSecret would also invoke the function (Docker) and then promote the
    empty version; ``start_rotation`` does only AWS's bookkeeping, and ``describe_secret``
    shows the token's stage as AWS would.
    """

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def start_rotation(self, name: str) -> str:
        for version, labels in stages(self.real, name).items():
            if "AWSPENDING" in labels:
                self.real.update_secret_version_stage(
                    SecretId=name, VersionStage="AWSPENDING", RemoveFromVersionId=version
                )
        self.started[name] = token = str(uuid.uuid4())
        return token

    def describe_secret(self, SecretId: str) -> dict[str, Any]:
        described: dict[str, Any] = self.real.describe_secret(SecretId=SecretId)
        token = self.started.get(described["Name"])
        if token is not None:
            described["RotationEnabled"] = True
            described.setdefault("VersionIdsToStages", {}).setdefault(token, ["AWSPENDING"])
        return described


def start_rotation(sm: Any, name: str) -> str:
    return str(sm.start_rotation(name))


def stages(sm: Any, name: str) -> dict[str, list[str]]:
    return {
        v["VersionId"]: v["VersionStages"]
        for v in sm.list_secret_version_ids(SecretId=name)["Versions"]
    }


def value(sm: Any, name: str, stage: str = "AWSCURRENT") -> dict[str, str]:
    return json.loads(sm.get_secret_value(SecretId=name, VersionStage=stage)["SecretString"])  # type: ignore[no-any-return]


def test_full_rotation_every_step_twice(
    setup: tuple[RotationEngine, RecordingProvider, Any],
) -> None:
    engine, provider, sm = setup
    token = start_rotation(sm, "hookgate/demo")
    for step in STEPS:
        engine.handle("hookgate/demo", token, step)
        engine.handle("hookgate/demo", token, step)  # every step is idempotent
    current = value(sm, "hookgate/demo")
    assert (
        current["webhook_secret"] not in ("old-secret-value", "") and current["client_id"] == "cid"
    )
    assert len(current["webhook_secret"]) == 48
    assert set(provider.pushed) == {current["webhook_secret"]}
    assert value(sm, "hookgate/demo", "AWSPREVIOUS")["webhook_secret"] == "old-secret-value"
    assert not any("AWSPENDING" in labels for labels in stages(sm, "hookgate/demo").values())


def test_refusals(setup: tuple[RotationEngine, RecordingProvider, Any]) -> None:
    engine, _, sm = setup
    with pytest.raises(RotationError, match="rotation is not enabled for hookgate/demo"):
        engine.handle("hookgate/demo", "whatever", "createSecret")
    token = start_rotation(sm, "hookgate/demo")
    with pytest.raises(RotationError, match="has no stage for rotation"):
        engine.handle("hookgate/demo", "not-a-version", "createSecret")
    old = next(v for v, labels in stages(sm, "hookgate/demo").items() if "AWSCURRENT" in labels)
    engine.handle("hookgate/demo", old, "createSecret")  # already current: returns at once
    with pytest.raises(RotationError, match="unknown rotation step"):
        engine.handle("hookgate/demo", token, "dropSecret")


def test_provider_failure_keeps_current_and_a_new_attempt_completes(
    setup: tuple[RotationEngine, RecordingProvider, Any],
) -> None:
    engine, provider, sm = setup
    provider.failures = 1
    token = start_rotation(sm, "hookgate/demo")
    engine.handle("hookgate/demo", token, "createSecret")
    with pytest.raises(ProviderAPIError, match="HTTP 500"):
        engine.handle("hookgate/demo", token, "setSecret")
    assert value(sm, "hookgate/demo")["webhook_secret"] == "old-secret-value"

    retry = start_rotation(sm, "hookgate/demo")  # Secrets Manager's next attempt: a new token
    for step in STEPS:
        engine.handle("hookgate/demo", retry, step)
    labels = stages(sm, "hookgate/demo")
    assert "AWSCURRENT" in labels[retry]
    assert not any("AWSPENDING" in stage for stage in labels.values())
    assert provider.pushed == [value(sm, "hookgate/demo")["webhook_secret"]]


def test_rotate_now_needs_no_schedule(setup: tuple[RotationEngine, RecordingProvider, Any]) -> None:
    engine, provider, sm = setup
    engine.rotate_now("hookgate/demo")
    engine.rotate_now("hookgate/demo")
    assert (
        len(provider.pushed) == 2
        and provider.pushed[-1] == value(sm, "hookgate/demo")["webhook_secret"]
    )


def test_signing_key_rotates_without_provider_calls(
    setup: tuple[RotationEngine, RecordingProvider, Any],
) -> None:
    engine, provider, sm = setup
    token = start_rotation(sm, "hookgate/signing-key")
    for step in STEPS:
        engine.handle("hookgate/signing-key", token, step)
    new = value(sm, "hookgate/signing-key")
    assert new["kid"] != "k0" and len(new["key"]) == 43 and provider.pushed == []
    assert value(sm, "hookgate/signing-key", "AWSPREVIOUS")["kid"] == "k0"


def test_unknown_secret_is_refused(setup: tuple[RotationEngine, RecordingProvider, Any]) -> None:
    engine, _, sm = setup
    sm.create_secret(Name="hookgate/other", SecretString="{}")
    token = start_rotation(sm, "hookgate/other")
    with pytest.raises(
        RotationError, match=r"no registration in hookgate\.yaml uses secret hookgate/other"
    ):
        engine.handle("hookgate/other", token, "createSecret")


def test_set_secret_waits_until_receivers_can_see_the_pending_version(
    setup: tuple[RotationEngine, RecordingProvider, Any],
) -> None:
    engine, provider, sm = setup
    slept: list[float] = []
    engine.propagation_seconds = 90
    engine.sleep = slept.append
    token = start_rotation(sm, "hookgate/demo")
    engine.handle("hookgate/demo", token, "createSecret")
    engine.handle("hookgate/demo", token, "setSecret")
    assert len(slept) == 1 and 80 < slept[0] <= 90
    assert len(provider.pushed) == 1


def test_only_the_rotatable_keys_a_secret_holds_get_new_values() -> None:
    from hookgate.rotation import _rotated_keys

    insider = ("api_key", "client_secret", "refresh_token")
    assert _rotated_keys(insider, {"api_key": "v1-key"}) == ("api_key",)
    assert _rotated_keys(insider, {"client_id": "c", "client_secret": "s"}) == ("client_secret",)
    assert _rotated_keys(insider, {}) == insider  # an empty secret gets every key


class VanishingProvider(RecordingProvider):
    """A provider whose management API can lose hookgate's webhook between two steps."""

    def __init__(self) -> None:
        super().__init__()
        self.holds_webhook = True
        self.read_backs = 0

    @hookimpl
    def hookgate_register(
        self,
        registration: Registration,
        webhook_url: str,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
        apply: bool,
    ) -> list[PlannedChange]:
        assert not apply and api_credentials is not None
        assert secrets.versions[0].stage.short == "pending"
        self.read_backs += 1
        action = "unchanged" if self.holds_webhook else "create"
        return [
            PlannedChange(
                registration=registration.name, provider="recorder", action=action, reason="test"
            )
        ]


def test_test_secret_reads_the_registration_back_from_the_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        real = boto3.client("secretsmanager", region_name=REGION)
        real.create_secret(
            Name="hookgate/demo", SecretString=json.dumps({"webhook_secret": "old-secret-value"})
        )
        real.create_secret(Name="hookgate/demo-api", SecretString=json.dumps({"key": "k"}))
        sm = SecretsManager(real)
        provider = VanishingProvider()
        host = load_plugins(use_entry_points=False, extra=[provider])
        config = CONFIG.replace(
            "secret: hookgate/demo}", "secret: hookgate/demo, api_secret: hookgate/demo-api}"
        )
        engine = RotationEngine(
            host=host,
            config=parse_config(config, "hookgate.yaml", host),
            client_factory=lambda: sm,
            webhook_base_url="https://api.example/webhooks",
        )
        token = start_rotation(sm, "hookgate/demo")
        for step in ("createSecret", "setSecret"):
            engine.handle("hookgate/demo", token, step)
        provider.holds_webhook = False
        with pytest.raises(RotationError, match="no longer holds hookgate's webhook"):
            engine.handle("hookgate/demo", token, "testSecret")
        assert value(sm, "hookgate/demo")["webhook_secret"] == "old-secret-value"

        provider.holds_webhook = True
        engine.rotate_now("hookgate/demo")
        assert provider.read_backs == 2
        assert value(sm, "hookgate/demo")["webhook_secret"] == provider.pushed[-1]
