"""The emulator's DynamoDB applies a conditional write atomically, as AWS does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from hookgate_dev.local.aws_dynamodb import WRITES, atomic_writes

THREADS = 4


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def concurrent_claims(client: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """THREADS conditional puts of one new item at once: (most inside moto at once, successes)."""
    inside, most, guard = 0, 0, threading.Lock()
    write = Table.put_item

    def slow_put(*args: Any, **kwargs: Any) -> Any:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)  # between the request's arrival and moto's condition check
        try:
            return write(*args, **kwargs)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(Table, "put_item", slow_put)
    start = threading.Barrier(THREADS)

    def claim(_: int) -> bool:
        start.wait()
        try:
            client.put_item(
                TableName="t",
                Item={"pk": {"S": "event#1"}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            return False
        return True

    with ThreadPoolExecutor(THREADS) as pool:
        won = sum(pool.map(claim, range(THREADS)))
    return most, won


def test_concurrent_conditional_puts_are_applied_one_at_a_time(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with atomic_writes():
        assert concurrent_claims(table, monkeypatch) == (1, 1)


def test_without_it_moto_lets_them_overlap(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    most, _ = concurrent_claims(table, monkeypatch)
    assert most > 1  # what atomic_writes is for


def test_it_restores_moto_and_nests() -> None:
    before = {name: getattr(DynamoDBBackend, name) for name in WRITES}
    with atomic_writes():
        wrapped = {name: getattr(DynamoDBBackend, name) for name in WRITES}
        assert all(wrapped[name] is not before[name] for name in WRITES)
        with atomic_writes():
            assert {name: getattr(DynamoDBBackend, name) for name in WRITES} == wrapped
        assert {name: getattr(DynamoDBBackend, name) for name in WRITES} == wrapped
    assert {name: getattr(DynamoDBBackend, name) for name in WRITES} == before
