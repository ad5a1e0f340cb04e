"""SecretStore on moto: stages, grace window, caching and the rate-limited refresh."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from hookgate.errors import SecretUnavailableError
from hookgate.models import SecretStage
from hookgate.secrets import SecretStore

SECRET = "hookgate/test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        client.create_secret(
            Name=SECRET, SecretString=json.dumps({"webhook_secret": "current-value"})
        )
        yield client


def store_for(client: Any, clock: Clock, **kwargs: Any) -> SecretStore:
    return SecretStore(lambda: client, ttl=60, refresh_interval=30, monotonic=clock, **kwargs)


def test_current_only_and_values_are_hidden(sm: Any) -> None:
    versions = store_for(sm, Clock()).versions(SECRET, grace_seconds=3600)
    assert [v.stage for v in versions.versions] == [SecretStage.CURRENT]
    assert versions.candidates("webhook_secret")[0][1] == "current-value"
    assert (
        "current-value" not in repr(versions) and "current-value" not in versions.model_dump_json()
    )


def test_pending_and_previous_are_offered_in_order(sm: Any) -> None:
    pending = sm.put_secret_value(
        SecretId=SECRET,
        SecretString=json.dumps({"webhook_secret": "next"}),
        VersionStages=["AWSPENDING"],
    )["VersionId"]
    versions = store_for(sm, Clock()).versions(SECRET, 3600)
    assert [(v.stage, v.get("webhook_secret")) for v in versions.versions] == [
        (SecretStage.CURRENT, "current-value"),
        (SecretStage.PENDING, "next"),
    ]
    old = next(
        v["VersionId"]
        for v in sm.list_secret_version_ids(SecretId=SECRET)["Versions"]
        if "AWSCURRENT" in v["VersionStages"]
    )
    sm.update_secret_version_stage(
        SecretId=SECRET, VersionStage="AWSCURRENT", MoveToVersionId=pending, RemoveFromVersionId=old
    )
    sm.update_secret_version_stage(
        SecretId=SECRET, VersionStage="AWSPENDING", RemoveFromVersionId=pending
    )
    versions = store_for(sm, Clock()).versions(SECRET, 3600)
    assert [(v.stage, v.get("webhook_secret")) for v in versions.versions] == [
        (SecretStage.CURRENT, "next"),
        (SecretStage.PREVIOUS, "current-value"),
    ]
    late = store_for(sm, Clock(), wall_clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    assert [v.stage for v in late.versions(SECRET, 3600).versions] == [SecretStage.CURRENT]
    assert [v.stage for v in store_for(sm, Clock()).versions(SECRET, 0).versions] == [
        SecretStage.CURRENT
    ]


def rotate(sm: Any, value: str) -> None:
    """Make ``value`` current as the four rotation steps do (the old one becomes AWSPREVIOUS)."""
    new = sm.put_secret_value(
        SecretId=SECRET,
        SecretString=json.dumps({"webhook_secret": value}),
        VersionStages=["AWSPENDING"],
    )["VersionId"]
    old = next(
        v["VersionId"]
        for v in sm.list_secret_version_ids(SecretId=SECRET)["Versions"]
        if "AWSCURRENT" in v["VersionStages"]
    )
    sm.update_secret_version_stage(
        SecretId=SECRET, VersionStage="AWSCURRENT", MoveToVersionId=new, RemoveFromVersionId=old
    )
    sm.update_secret_version_stage(
        SecretId=SECRET, VersionStage="AWSPENDING", RemoveFromVersionId=new
    )


def test_every_version_retired_within_the_grace_window_still_verifies(sm: Any) -> None:
    # Two rotations in a row: the first value lost its AWSPREVIOUS label to the second, but it
    # was current moments ago, and something signed with it (a token, a retried delivery) must
    # still verify for the grace window.
    rotate(sm, "second")
    rotate(sm, "third")
    versions = store_for(sm, Clock()).versions(SECRET, 3600)
    assert [(v.stage, v.get("webhook_secret")) for v in versions.versions] == [
        (SecretStage.CURRENT, "third"),
        (SecretStage.PREVIOUS, "second"),
        (SecretStage.PREVIOUS, "current-value"),
    ]
    late = store_for(sm, Clock(), wall_clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    assert [v.get("webhook_secret") for v in late.versions(SECRET, 3600).versions] == ["third"]


def test_at_most_a_few_retired_versions_are_kept(sm: Any) -> None:
    for number in range(6):
        rotate(sm, f"value-{number}")
    versions = store_for(sm, Clock()).versions(SECRET, 3600).versions
    assert [v.get("webhook_secret") for v in versions] == [
        "value-5",
        "value-4",
        "value-3",
        "value-2",
    ]


def test_cache_serves_until_ttl_and_refresh_is_rate_limited(sm: Any) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    store.versions(SECRET, 3600)
    first = store.api_calls
    for _ in range(100):
        store.versions(SECRET, 3600)
        assert store.refresh_after_miss(SECRET, 3600) is None
    assert store.api_calls == first
    clock.now += 31
    assert store.refresh_after_miss(SECRET, 3600) is not None
    assert store.api_calls == first + 1  # the version list only: values are cached by version id
    assert store.refresh_after_miss(SECRET, 3600) is None
    clock.now += 61
    store.versions(SECRET, 3600)
    assert store.api_calls == first + 2


def test_missing_secret_raises_and_the_failure_is_cached(sm: Any) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    with pytest.raises(SecretUnavailableError, match="hookgate/absent"):
        store.versions("hookgate/absent", 3600)
    calls = store.api_calls
    for _ in range(50):
        with pytest.raises(SecretUnavailableError):
            store.versions("hookgate/absent", 3600)
    assert store.api_calls == calls


def test_non_json_secret_yields_no_keys(sm: Any) -> None:
    sm.create_secret(Name="hookgate/plain", SecretString="not-json-at-all")
    versions = store_for(sm, Clock()).versions("hookgate/plain", 3600)
    assert versions.candidates("webhook_secret") == []
