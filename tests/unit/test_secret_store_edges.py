"""SecretStore's edges on moto: cache windows to the second, call counts, failures, values."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from hookgate.errors import SecretUnavailableError
from hookgate.models import SecretStage
from hookgate.secrets import SecretStore
from hookgate_dev.local.aws_rotation import RotationService

SECRET = "hookgate/edges"
VALUE = "current-value-never-logged"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws(), RotationService().installed():
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        client.create_secret(Name=SECRET, SecretString=json.dumps({"webhook_secret": VALUE}))
        yield client


def store_for(client: Any, clock: Clock) -> SecretStore:
    return SecretStore(lambda: client, ttl=60, refresh_interval=30, monotonic=clock)


def test_the_cache_is_fresh_until_exactly_the_ttl(sm: Any) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    assert store.ttl == 60
    store.versions(SECRET, 0)
    assert store.api_calls == 2  # the listing, then the one value
    clock.now += 59.999
    store.versions(SECRET, 0)
    assert store.api_calls == 2
    clock.now = 1060.0
    store.versions(SECRET, 0)
    assert store.api_calls == 3  # the listing again; the value is cached by version


def test_a_refresh_after_a_miss_waits_exactly_the_refresh_interval(sm: Any) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    first = store.refresh_after_miss(SECRET, 0)  # nothing read yet: reads now
    assert first is not None and first.versions[0].get("webhook_secret") == VALUE
    assert store.api_calls == 2
    clock.now = 1029.999
    assert store.refresh_after_miss(SECRET, 0) is None
    clock.now = 1030.0
    assert store.refresh_after_miss(SECRET, 0) is not None
    assert store.api_calls == 3
    # The refresh restarted the TTL too.
    clock.now = 1030.0 + 59.999
    store.versions(SECRET, 0)
    assert store.api_calls == 3


def test_a_failure_is_cached_for_the_refresh_interval_not_the_ttl(
    sm: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    with (
        caplog.at_level(logging.ERROR, logger="hookgate.secrets"),
        pytest.raises(SecretUnavailableError) as failed,
    ):
        store.versions("hookgate/absent", 0)
    assert (
        str(failed.value) == "Secrets Manager error ResourceNotFoundException for hookgate/absent"
    )
    (record,) = caplog.records
    assert (record.name, record.levelno, record.getMessage()) == (
        "hookgate.secrets",
        logging.ERROR,
        "cannot read secret",
    )
    assert record.__dict__["secret_id"] == "hookgate/absent"
    assert record.__dict__["error"] == str(failed.value)
    assert store.last_listing("hookgate/absent") == []
    clock.now = 1029.999
    with pytest.raises(SecretUnavailableError, match="ResourceNotFoundException"):
        store.versions("hookgate/absent", 0)
    assert store.api_calls == 1
    clock.now = 1030.0
    with pytest.raises(SecretUnavailableError, match="ResourceNotFoundException"):
        store.versions("hookgate/absent", 0)
    assert store.api_calls == 2


def test_read_now_reads_whatever_the_cache_holds_and_keeps_the_listing(sm: Any) -> None:
    clock = Clock()
    store = store_for(sm, clock)
    assert store.last_listing(SECRET) == []
    store.versions(SECRET, 0)
    assert store.read_now(SECRET, 0).versions[0].get("webhook_secret") == VALUE
    assert store.api_calls == 3
    new = sm.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"webhook_secret": "n"}))
    assert [v.get("webhook_secret") for v in store.read_now(SECRET, 3600).versions] == [
        "n",
        VALUE,
    ]
    listing = store.last_listing(SECRET)
    assert new["VersionId"] in [v["VersionId"] for v in listing] and len(listing) == 2
    listing.clear()  # a copy: the store's own listing is untouched
    assert len(store.last_listing(SECRET)) == 2


def test_a_version_without_a_value_is_skipped_and_the_rest_still_verify(sm: Any) -> None:
    # As RotateSecret leaves it before createSecret ran: AWSPENDING on a version with no value.
    clock = Clock()
    old = sm.list_secret_version_ids(SecretId=SECRET)["Versions"][0]["VersionId"]
    new = sm.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"webhook_secret": "n"}))
    empty = "empty-version-0000000000000000000000"
    listing = sm.list_secret_version_ids(SecretId=SECRET)["Versions"]
    listing.append({"VersionId": empty, "VersionStages": ["AWSPENDING"]})

    class Listing:
        """Secrets Manager, with one version listed that has no value yet."""

        def list_secret_version_ids(self, **kwargs: Any) -> dict[str, Any]:
            return {"Versions": listing}

        def get_secret_value(self, **kwargs: Any) -> Any:
            return sm.get_secret_value(**kwargs)

    store = SecretStore(Listing, ttl=60, refresh_interval=30, monotonic=clock)
    offered = store.versions(SECRET, 3600).versions
    assert [(v.stage, v.version_id) for v in offered] == [
        (SecretStage.CURRENT, new["VersionId"]),
        (SecretStage.PREVIOUS, old),
    ]
    assert store.api_calls == 4  # the listing and three values, one of them missing
    clock.now += 60
    store.versions(SECRET, 3600)
    assert store.api_calls == 6  # the missing value is asked for again; the others are cached


def test_values_keep_every_non_null_key_as_a_string(sm: Any) -> None:
    sm.create_secret(
        Name="hookgate/mixed", SecretString=json.dumps({"a": None, "b": 7, "webhook_secret": "s"})
    )
    (version,) = store_for(sm, Clock()).versions("hookgate/mixed", 0).versions
    assert dict(version.values).keys() == {"b", "webhook_secret"}
    assert version.get("b") == "7" and version.get("webhook_secret") == "s"


@pytest.mark.parametrize("text", ["not-json-at-all", "[1, 2]", '"a string"'])
def test_a_value_that_is_not_a_json_object_has_no_keys_and_is_never_logged(
    sm: Any, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    sm.create_secret(Name="hookgate/plain", SecretString=text)
    with caplog.at_level(logging.ERROR, logger="hookgate.secrets"):
        (version,) = store_for(sm, Clock()).versions("hookgate/plain", 0).versions
    assert dict(version.values) == {}
    (record,) = caplog.records
    assert (record.levelno, record.getMessage()) == (
        logging.ERROR,
        "secret value is not a JSON object",
    )
    assert record.__dict__["secret_id"] == "hookgate/plain"
    assert text not in caplog.text and text not in str(record.__dict__)


def test_a_binary_secret_has_no_keys(sm: Any, caplog: pytest.LogCaptureFixture) -> None:
    sm.create_secret(Name="hookgate/binary", SecretBinary=b"\x00\x01")
    with caplog.at_level(logging.ERROR, logger="hookgate.secrets"):
        (version,) = store_for(sm, Clock()).versions("hookgate/binary", 0).versions
    assert dict(version.values) == {} and not caplog.records


def test_an_unreachable_secrets_manager_fails_closed_and_says_so() -> None:
    client = boto3.client(
        "secretsmanager",
        region_name="eu-west-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    store = SecretStore(lambda: client, monotonic=Clock())
    with pytest.raises(SecretUnavailableError) as failed:
        store.versions(SECRET, 0)
    assert str(failed.value) == f"Secrets Manager unreachable for {SECRET}: EndpointConnectionError"


def test_any_other_fault_fails_closed_and_names_only_its_type() -> None:
    class Broken:
        """An emulator that answers nonsense."""

        def list_secret_version_ids(self, **kwargs: Any) -> Any:
            raise ValueError(f"{VALUE} in a message")

    store = SecretStore(Broken, monotonic=Clock())
    with pytest.raises(SecretUnavailableError) as failed:
        store.versions(SECRET, 0)
    assert str(failed.value) == f"Secrets Manager failed for {SECRET}: ValueError"


class Refusing:
    """A Secrets Manager client that answers with the given ClientError response."""

    def __init__(self, response: dict[str, Any], *, listing: dict[str, Any] | None = None) -> None:
        self.response: Any = response
        self.listing = listing

    def list_secret_version_ids(self, **kwargs: Any) -> Any:
        if self.listing is None:
            raise ClientError(self.response, "ListSecretVersionIds")
        return self.listing

    def get_secret_value(self, **kwargs: Any) -> Any:
        raise ClientError(self.response, "GetSecretValue")


@pytest.mark.parametrize("response", [{}, {"Error": {}}, {"Error": {"Message": "no code"}}])
def test_an_error_without_a_code_is_unknown_and_still_fails_closed(
    response: dict[str, Any],
) -> None:
    listing = {"Versions": [{"VersionId": "v1", "VersionStages": ["AWSCURRENT"]}]}
    for client in (Refusing(response), Refusing(response, listing=listing)):
        store = SecretStore(functools.partial(lambda given: given, client), monotonic=Clock())
        with pytest.raises(SecretUnavailableError) as failed:
            store.versions(SECRET, 0)
        assert str(failed.value) == f"Secrets Manager error Unknown for {SECRET}"


def test_a_value_refused_for_another_reason_fails_closed_with_its_code() -> None:
    listing = {"Versions": [{"VersionId": "v1", "VersionStages": ["AWSCURRENT"]}]}
    denied = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
    store = SecretStore(lambda: Refusing(denied, listing=listing), monotonic=Clock())
    with pytest.raises(SecretUnavailableError) as failed:
        store.versions(SECRET, 0)
    assert str(failed.value) == f"Secrets Manager error AccessDeniedException for {SECRET}"


def test_a_listing_without_versions_offers_none() -> None:
    store = SecretStore(
        lambda: Refusing({}, listing={"ARN": "arn", "Name": SECRET}), monotonic=Clock()
    )
    assert store.versions(SECRET, 0).versions == ()
    assert store.last_listing(SECRET) == []
