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
from hookgate.secret_lifecycle import current_label, in_force, pushed_label
from hookgate.secrets import SecretStore
from hookgate_dev.local.aws_rotation import RotationService

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
    with mock_aws(), RotationService().installed():  # versions dated as AWS dates them
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


T0 = datetime(2027, 1, 1, tzinfo=UTC)


def listed(version_id: str, created: datetime, *stages: str) -> dict[str, Any]:
    return {"VersionId": version_id, "CreatedDate": created, "VersionStages": list(stages)}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ids(chosen: list[tuple[SecretStage, str]]) -> list[str]:
    return [version_id for _, version_id in chosen]


def test_grace_starts_when_the_successor_became_current_not_at_any_creation() -> None:
    # v1 created at 0; v2 created at 10, pushed, current only at 5000 (a rotation that kept
    # failing). v1's grace (600 s) runs from 5000, to the millisecond.
    listing = [
        listed("v1", at(0), "AWSPREVIOUS", current_label("v1", at(0))),
        listed(
            "v2", at(10), "AWSCURRENT", pushed_label("v2", at(4900)), current_label("v2", at(5000))
        ),
    ]
    assert ids(in_force(listing, at(5000 + 599.999), 600)) == ["v2", "v1"]
    assert ids(in_force(listing, at(5000 + 600), 600)) == ["v2"]
    assert ids(in_force(listing, at(4999), 0)) == ["v2", "v1"]  # not yet retired: grace 0 too
    assert ids(in_force(listing, at(5000), 0)) == ["v2"]


def test_a_pushed_version_that_never_became_current_waits_for_a_later_current_one() -> None:
    listing = [
        listed("v1", at(0), "AWSCURRENT"),
        listed("v2", at(10), pushed_label("v2", at(10))),  # pushed, then the rotation was cancelled
        listed("v3", at(20)),  # created, cancelled before anything was pushed: nobody holds it
    ]
    assert ids(in_force(listing, at(10**6), 60)) == ["v1", "v2"]
    listing.append(
        listed("v4", at(30), "AWSCURRENT", pushed_label("v4", at(30)), current_label("v4", at(40)))
    )
    listing[0]["VersionStages"] = ["AWSPREVIOUS"]
    assert ids(in_force(listing, at(40 + 59.999), 60)) == ["v4", "v2", "v1"]
    assert ids(in_force(listing, at(40 + 60), 60)) == ["v4"]


def test_a_version_put_by_hand_became_current_when_it_was_created() -> None:
    listing = [
        listed("v1", at(0), "AWSPREVIOUS"),
        listed("v2", at(100), "AWSCURRENT"),
        listed("v3", at(50), "AWSPENDING", pushed_label("v3", at(60))),
    ]
    assert ids(in_force(listing, at(100 + 9.999), 10)) == ["v2", "v3", "v1"]
    assert ids(in_force(listing, at(100 + 10), 10)) == ["v2", "v3"]


def test_versions_made_current_out_of_creation_order_retire_by_when_not_by_creation() -> None:
    # v2's rotation got stuck after pushing; v3 was put by hand at 100; then v2's rotation was
    # resumed, pushed again at 200 and made current at 210. v3 retires at 210, not v2 at 100.
    listing = [
        listed("v1", at(0), current_label("v1", at(0))),
        listed(
            "v2", at(10), "AWSCURRENT", pushed_label("v2", at(200)), current_label("v2", at(210))
        ),
        listed("v3", at(100), "AWSPREVIOUS", current_label("v3", at(100))),
    ]
    assert ids(in_force(listing, at(210 + 29.999), 30)) == ["v2", "v3"]
    assert ids(in_force(listing, at(210 + 30), 30)) == ["v2"]
    assert ids(in_force(listing, at(10**6), 30)) == ["v2"]


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
