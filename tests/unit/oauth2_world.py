"""A moto account (in process) with a token signing key and OAuth2 clients, for the unit tests.

The signing key's raw bytes and every client's secret are the test's own, so a test can check
an issued token with an independent decoder and present exact credentials. Clocks are the
test's to move: a monotonic one for the secret caches and a wall clock for the grace windows.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import BaseModel

from hookgate.models import OAuth2Settings, Registration
from hookgate.oauth2.tokens import BearerTokens, SigningKeys
from hookgate.secrets import SecretStore
from hookgate_dev.local.aws_rotation import RotationService

REGION = "eu-west-1"
SIGNING_SECRET = "hookgate/oauth2-signing-key"
SIGNING_KEY = bytes(range(32))
REFRESH_INTERVAL = 30.0


class NoSettings(BaseModel):
    """Provider settings the token code never reads."""


def encoded(raw: bytes) -> str:
    """Return ``raw`` as the signing secret stores a key: base64url without padding."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def registration(
    name: str = "insider-v2",
    *,
    grace: int = 120,
    oauth2: OAuth2Settings | None = None,
) -> Registration:
    """Return an OAuth2 registration (an Insider One one) whose secret is ``hookgate/<name>``."""
    return Registration(
        name=name,
        provider="insider_one",
        secret_id=f"hookgate/{name}",
        settings=NoSettings(),
        previous_secret_grace_seconds=grace,
        oauth2=oauth2 if oauth2 is not None else OAuth2Settings(expires_in=600),
    )


@dataclass
class World:
    """The moto Secrets Manager client and the clocks the test moves."""

    sm: Any
    ticks: float = 1000.0
    offset: timedelta = field(default_factory=timedelta)

    def monotonic(self) -> float:
        """Return the secret caches' monotonic clock."""
        return self.ticks

    def wall(self) -> datetime:
        """Return the secret caches' wall clock (the grace windows are measured on it)."""
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        """Move both clocks."""
        self.ticks += seconds
        self.offset += timedelta(seconds=seconds)

    def store(self) -> SecretStore:
        """Return a fresh secret cache (as one Lambda container has)."""
        return SecretStore(
            lambda: self.sm,
            ttl=3600,
            refresh_interval=REFRESH_INTERVAL,
            monotonic=self.monotonic,
            wall_clock=self.wall,
        )

    def tokens(self, store: SecretStore | None = None) -> BearerTokens:
        """Return a token issuer and checker over its own (or the given) secret cache."""
        return BearerTokens(SigningKeys(store or self.store(), SIGNING_SECRET))

    def create(self, secret_id: str, values: dict[str, str]) -> str:
        """Create ``secret_id`` holding ``values``; return its first version id."""
        return str(
            self.sm.create_secret(Name=secret_id, SecretString=json.dumps(values))["VersionId"]
        )

    def stage(self, secret_id: str, values: dict[str, str]) -> str:
        """Put ``values`` as the AWSPENDING version of ``secret_id``; return its version id."""
        return str(
            self.sm.put_secret_value(
                SecretId=secret_id, SecretString=json.dumps(values), VersionStages=["AWSPENDING"]
            )["VersionId"]
        )

    def finish(self, secret_id: str, version: str) -> None:
        """Make ``version`` AWSCURRENT (the old current becomes AWSPREVIOUS)."""
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

    def rotate(self, secret_id: str, values: dict[str, str]) -> str:
        """Stage ``values`` and make them current; return the new version id."""
        version = self.stage(secret_id, values)
        self.finish(secret_id, version)
        return version


@functools.cache
def _client() -> Any:
    """Return one Secrets Manager client for every test (creating one takes a tenth of a second).

    moto intercepts a client made before its mock starts too, and each mock starts empty.
    """
    return boto3.client("secretsmanager", region_name=REGION)


@contextmanager
def moto_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Yield a World over an in-process moto account holding the signing key ``k1``."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws(), RotationService().installed():
        world = World(_client())
        world.create(SIGNING_SECRET, {"kid": "k1", "key": encoded(SIGNING_KEY)})
        yield world
