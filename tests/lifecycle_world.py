"""A small world for the secret lifecycle: moto as AWS behaves, a provider, receivers, a clock.

Everything real except time: moto (with :class:`RotationService`, which makes it behave as AWS
documents rotation), the rotation engine invoked per step by Secrets Manager, the sync engine,
receivers' :class:`SecretStore` caches, DynamoDB leases, the token signer and checker. The
clock is one number that sleeping (the propagation wait, a lease wait) moves forward, so a test
can reach any instant of a rotation without waiting for it.

The provider is a plugin that holds one webhook and the secret it signs with; its management
API can fail before or after applying a change, as the chaos of a real network does.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from moto import mock_aws
from pydantic import BaseModel

from hookgate import hookimpl
from hookgate.config import parse_config
from hookgate.leases import Leases
from hookgate.models import ProviderInfo, Registration, SecretVersion, SecretVersions
from hookgate.plugins import load_plugins
from hookgate.provider_http import ProviderAPIError
from hookgate.rotation import RotationEngine
from hookgate.secrets import SecretStore
from hookgate.sync import SyncEngine
from hookgate.sync_models import PlannedChange
from hookgate_dev.local.aws_rotation import RotationService, utc

REGION = "eu-west-1"
SECRET = "hookgate/demo"
API_SECRET = "hookgate/demo-api"
SIGNING_KEY = "hookgate/signing-key"
TABLE = "hookgate-table"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:hookgate-rotation"
BASE_URL = "https://api.example/webhooks"
URL = f"{BASE_URL}/pusher/demo"
START = 1_800_000_000.0

# What the provider's API does with the next write: apply it or not, then answer or fail.
OK, FAIL_BEFORE, FAIL_AFTER, TIMEOUT_AFTER = "ok", "fail-before", "fail-after", "timeout-after"
FAULTS = (OK, FAIL_BEFORE, FAIL_AFTER, TIMEOUT_AFTER)


class Clock:
    """Seconds since the epoch, moved only by hand or by sleeping."""

    def __init__(self, now: float = START) -> None:
        """Start at ``now``."""
        self.now = now

    def __call__(self) -> float:
        """Return the time."""
        return self.now

    def wall(self) -> datetime:
        """Return the time as an aware datetime."""
        return utc(self.now)

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        self.now += max(seconds, 0.0)


class Settings(BaseModel):
    """The pushing provider has no settings."""


@dataclass(eq=False)
class PushingProvider:
    """A provider with one webhook, a secret it signs with, and an API that can fail."""

    holds: str | None = None
    has_webhook: bool = True
    drifted: bool = False
    faults: deque[str] = field(default_factory=deque)
    writes: list[str] = field(default_factory=list)
    confirms: bool = True
    pushes: list[tuple[str, list[str], str | None]] = field(default_factory=list)
    registers: list[tuple[str, list[str], str | None, bool]] = field(default_factory=list)

    def _write(self, value: str | None) -> None:
        fault = self.faults.popleft() if self.faults else OK
        if fault == FAIL_BEFORE:
            raise ProviderAPIError("pusher", "update webhook", 500, None, "injected")
        self.holds = value
        self.has_webhook = True
        self.drifted = False
        self.writes.append(value or "")
        if fault == FAIL_AFTER:
            raise ProviderAPIError("pusher", "update webhook", 500, None, "injected after apply")
        if fault == TIMEOUT_AFTER:
            raise ProviderAPIError("pusher", "update webhook", 0, None, "timed out")

    @hookimpl
    def hookgate_provider(self) -> ProviderInfo:
        """Describe the provider."""
        return ProviderInfo(
            name="pusher",
            title="Pusher",
            settings_model=Settings,
            secret_keys=("webhook_secret",),
            rotates=("webhook_secret",),
            api_credential_keys=("key",),
        )

    @hookimpl
    def hookgate_rotate_secret(
        self,
        registration: Registration,
        webhook_url: str,
        new_secret: SecretVersion,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
    ) -> bool:
        """Give the provider ``new_secret``."""
        assert api_credentials is not None and webhook_url == URL
        stages = [f"{v.stage.short}:{v.version_id}" for v in secrets.versions]
        self.pushes.append((new_secret.version_id, stages, api_credentials.get("key")))
        self._write(new_secret.get("webhook_secret"))
        return self.confirms

    @hookimpl
    def hookgate_register(
        self,
        registration: Registration,
        webhook_url: str,
        secrets: SecretVersions,
        api_credentials: SecretVersion | None,
        apply: bool,
    ) -> list[PlannedChange]:
        """Create or repair the webhook with the first version given (as real plugins do)."""
        key = api_credentials.get("key") if api_credentials else None
        stages = [f"{v.stage.short}:{v.version_id}" for v in secrets.versions]
        self.registers.append((webhook_url, stages, key, apply))
        action = "create" if not self.has_webhook else "update" if self.drifted else "unchanged"
        if apply and action != "unchanged":
            self._write(secrets.versions[0].get("webhook_secret"))
        return [
            PlannedChange(
                registration=registration.name, provider="pusher", action=action, reason="test"
            )
        ]


CONFIG = f"""version: 1
registrations:
  - name: demo
    provider: pusher
    secret: {SECRET}
    api_secret: {API_SECRET}
    previous_secret_grace_seconds: {{grace}}
"""


@dataclass
class World:
    """The parts, wired together; see the module docstring."""

    clock: Clock
    sm: Any
    service: RotationService
    provider: PushingProvider
    engine: RotationEngine
    sync: SyncEngine
    ttl: float
    grace: int

    def receiver(self, refresh_interval: float | None = None) -> SecretStore:
        """Return a new receiver's secret cache on this world's clock."""
        return SecretStore(
            lambda: self.sm,
            ttl=self.ttl,
            refresh_interval=refresh_interval if refresh_interval is not None else self.ttl / 2,
            monotonic=self.clock,
            wall_clock=self.clock.wall,
        )

    def value(self, stage: str = "AWSCURRENT", secret: str = SECRET) -> dict[str, str]:
        """Return the value of ``secret`` at ``stage``."""
        text = self.sm.get_secret_value(SecretId=secret, VersionStage=stage)["SecretString"]
        return dict(json.loads(text))

    def stages(self, secret: str = SECRET) -> dict[str, list[str]]:
        """Return each version's labels."""
        listing = self.sm.list_secret_version_ids(SecretId=secret)["Versions"]
        return {v["VersionId"]: list(v["VersionStages"]) for v in listing}

    def version_of(self, value: str, secret: str = SECRET) -> str:
        """Return the id of the version whose webhook_secret is ``value``."""
        for version_id in self.stages(secret):
            text = self.sm.get_secret_value(SecretId=secret, VersionId=version_id).get(
                "SecretString", "{}"
            )
            if json.loads(text).get("webhook_secret") == value:
                return version_id
        raise LookupError("no such value")

    def rotate(self, secret: str = SECRET) -> str:
        """Ask Secrets Manager to rotate ``secret`` now, as its schedule would."""
        return str(self.sm.rotate_secret(SecretId=secret)["VersionId"])

    def hand_put(self, value: str) -> str:
        """Put a value by hand (``aws secretsmanager put-secret-value``)."""
        return str(
            self.sm.put_secret_value(
                SecretId=SECRET, SecretString=json.dumps({"webhook_secret": value})
            )["VersionId"]
        )


def verifies(store: SecretStore, value: str | None, grace: int) -> bool:
    """Return whether ``value`` is among the versions ``store`` offers now (no refresh)."""
    if value is None:
        return True
    versions = store.versions(SECRET, grace).versions
    return any(v.get("webhook_secret") == value for v in versions)


@contextmanager
def world(
    *, grace: int = 3600, ttl: float = 60.0, propagation: float = 75.0, initial: str = "v1-secret"
) -> Iterator[World]:
    """Build a world; the provider starts holding ``initial``, rotation enabled on both secrets."""
    clock = Clock()
    with mock_aws():
        service = RotationService(clock=clock, synchronous=True)
        with service.installed():
            sm = boto3.client("secretsmanager", region_name=REGION)
            sm.create_secret(Name=SECRET, SecretString=json.dumps({"webhook_secret": initial}))
            sm.create_secret(Name=API_SECRET, SecretString=json.dumps({"key": "api-key"}))
            sm.create_secret(
                Name=SIGNING_KEY, SecretString=json.dumps({"kid": "k0", "key": "a" * 43})
            )
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            dynamodb.create_table(
                TableName=TABLE,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            provider = PushingProvider(holds=initial)
            host = load_plugins(use_entry_points=False, extra=[provider])
            config = parse_config(CONFIG.format(grace=grace), "hookgate.yaml", host)
            leases = Leases(TABLE, lambda: dynamodb, clock=clock, sleep=clock.sleep)
            engine = RotationEngine(
                host=host,
                config=config,
                client_factory=lambda: sm,
                webhook_base_url=BASE_URL,
                signing_key_secret=SIGNING_KEY,
                propagation_seconds=propagation,
                leases=leases,
                sleep=clock.sleep,
                clock=clock.wall,
            )
            service.register_function(
                FUNCTION_ARN,
                lambda event: engine.handle(
                    event["SecretId"], event["ClientRequestToken"], event["Step"]
                ),
            )
            for secret in (SECRET, SIGNING_KEY):
                sm.rotate_secret(
                    SecretId=secret,
                    RotationLambdaARN=FUNCTION_ARN,
                    RotationRules={"AutomaticallyAfterDays": 30},
                    RotateImmediately=False,
                )
            sync = SyncEngine(
                host=host,
                config=config,
                secrets=SecretStore(lambda: sm, ttl=ttl, monotonic=clock, wall_clock=clock.wall),
                leases=leases,
                propagation_seconds=propagation,
                clock=clock.wall,
            )
            yield World(clock, sm, service, provider, engine, sync, ttl, grace)
