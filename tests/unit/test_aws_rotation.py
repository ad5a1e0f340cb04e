"""The AWS-faithful layer over moto's Secrets Manager: each deviation it corrects, pinned."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from hookgate_dev.local.aws_rotation import INCOMPLETE, RotationService

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:rotation"


@pytest.fixture
def sm(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, RotationService]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clock = iter(range(1_800_000_000, 1_900_000_000, 10))
    service = RotationService(clock=lambda: float(next(clock)), synchronous=True)
    with mock_aws(), service.installed():
        client = boto3.client("secretsmanager", region_name="eu-west-1")
        client.create_secret(Name="s", SecretString=json.dumps({"k": "v1"}))
        yield client, service


def stages(client: Any) -> dict[str, list[str]]:
    listing = client.list_secret_version_ids(SecretId="s")["Versions"]
    return {v["VersionId"]: sorted(v["VersionStages"]) for v in listing}


def test_moving_awscurrent_then_putting_leaves_one_current_and_keeps_other_labels(
    sm: tuple[Any, RotationService],
) -> None:
    client, _ = sm
    first = next(iter(stages(client)))
    second = client.put_secret_value(
        SecretId="s", SecretString='{"k": "v2"}', VersionStages=["AWSPENDING"]
    )["VersionId"]
    client.update_secret_version_stage(SecretId="s", VersionStage="mine", MoveToVersionId=second)
    client.update_secret_version_stage(
        SecretId="s", VersionStage="AWSCURRENT", MoveToVersionId=second, RemoveFromVersionId=first
    )
    third = client.put_secret_value(SecretId="s", SecretString='{"k": "v3"}')["VersionId"]
    labels = stages(client)
    assert [v for v, s in labels.items() if "AWSCURRENT" in s] == [third]
    assert labels[second] == ["AWSPENDING", "AWSPREVIOUS", "mine"]
    assert labels[first] == []
    assert json.loads(client.get_secret_value(SecretId="s")["SecretString"]) == {"k": "v3"}


def test_versions_carry_their_creation_dates(sm: tuple[Any, RotationService]) -> None:
    client, _ = sm
    client.put_secret_value(SecretId="s", SecretString='{"k": "v2"}')
    dates = [v["CreatedDate"] for v in client.list_secret_version_ids(SecretId="s")["Versions"]]
    assert len(set(dates)) == 2 and all(d.timestamp() >= 1_800_000_000 for d in dates)


def test_rotate_secret_is_refused_while_a_rotation_is_in_progress_and_reattempted(
    sm: tuple[Any, RotationService],
) -> None:
    client, service = sm
    calls: list[tuple[str, str]] = []
    service.register_function(ARN, lambda e: calls.append((e["Step"], e["ClientRequestToken"])))
    client.rotate_secret(
        SecretId="s", RotationLambdaARN=ARN, RotationRules={"AutomaticallyAfterDays": 30}
    )
    token = calls[0][1]
    assert [step for step, _ in calls] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]
    assert stages(client)[token] == ["AWSPENDING"]  # the function did nothing: still pending
    calls.clear()
    with pytest.raises(ClientError, match=INCOMPLETE.split(".")[0]):
        client.rotate_secret(SecretId="s")
    assert {t for _, t in calls} == {token}  # reattempted with its own token


def test_a_failing_step_is_retried_then_the_rotation_stays_in_progress(
    sm: tuple[Any, RotationService],
) -> None:
    client, service = sm
    steps: list[str] = []

    def failing(event: dict[str, Any]) -> None:
        steps.append(event["Step"])
        if event["Step"] == "setSecret":
            raise RuntimeError("provider down")

    service.register_function(ARN, failing)
    token = client.rotate_secret(
        SecretId="s", RotationLambdaARN=ARN, RotationRules={"AutomaticallyAfterDays": 30}
    )["VersionId"]
    assert steps == ["createSecret", "setSecret", "setSecret", "setSecret"]
    run = service.run_for(token)
    assert run is not None and not run.finished
    assert "AWSPENDING" in stages(client)[token]


def test_configuring_rotation_without_rotating_runs_test_secret_on_a_copy(
    sm: tuple[Any, RotationService],
) -> None:
    client, service = sm
    seen: list[dict[str, Any]] = []

    def recording(event: dict[str, Any]) -> None:
        pending = client.get_secret_value(
            SecretId="s", VersionId=event["ClientRequestToken"], VersionStage="AWSPENDING"
        )
        seen.append({"step": event["Step"], "value": json.loads(pending["SecretString"])})

    service.register_function(ARN, recording)
    client.rotate_secret(
        SecretId="s",
        RotationLambdaARN=ARN,
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,
    )
    assert seen == [{"step": "testSecret", "value": {"k": "v1"}}]
    assert not any("AWSPENDING" in s for s in stages(client).values())
    assert client.describe_secret(SecretId="s")["RotationEnabled"] is True


def test_listing_the_versions_of_a_missing_secret_is_resource_not_found(
    sm: tuple[Any, RotationService],
) -> None:
    client, _ = sm
    with pytest.raises(ClientError) as missing:
        client.list_secret_version_ids(SecretId="absent")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_describe_lists_only_versions_that_have_a_label(sm: tuple[Any, RotationService]) -> None:
    client, _ = sm
    first = next(iter(stages(client)))
    second = client.put_secret_value(SecretId="s", SecretString='{"k": "v2"}')["VersionId"]
    client.put_secret_value(SecretId="s", SecretString='{"k": "v3"}')  # first loses its label
    described = client.describe_secret(SecretId="s")["VersionIdsToStages"]
    assert first not in described and described[second] == ["AWSPREVIOUS"]
    assert len(described) == 2
