"""Registration leases on moto's DynamoDB: the item written, expiry to the second, waiting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from hookgate.leases import DEFAULT_LEASE_SECONDS, LeaseBusyError, Leases

TABLE = "hookgate-table"


class Clock:
    """Seconds, moved by sleeping; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def leases(client: Any, clock: Clock, **kwargs: Any) -> Leases:
    return Leases(TABLE, lambda: client, clock=clock, sleep=clock.sleep, **kwargs)


def item(client: Any, registration: str = "demo") -> dict[str, Any] | None:
    found: dict[str, Any] | None = client.get_item(
        TableName=TABLE, Key={"pk": {"S": f"lease#{registration}"}}
    ).get("Item")
    return found


def test_the_lease_item_names_its_owner_and_whole_second_expiry(dynamodb: Any) -> None:
    clock = Clock()
    clock.now = 1000.9
    mine = leases(dynamodb, clock, owner="me")
    assert Leases.key("demo") == "lease#demo"
    with mine.hold("demo"):
        held = item(dynamodb)
        assert held is not None
        owner = held["owner"]["S"]
        assert owner.startswith("me:") and len(owner) == len("me:") + 8
        assert held["expires_at"] == {"N": str(int(1000.9 + DEFAULT_LEASE_SECONDS))}
        assert DEFAULT_LEASE_SECONDS == 300
    assert item(dynamodb) is None  # given back
    assert clock.sleeps == []


def test_each_hold_has_its_own_owner(dynamodb: Any) -> None:
    clock = Clock()
    seen = []
    mine = leases(dynamodb, clock)
    assert len(mine.owner) == 32 and mine.owner != leases(dynamodb, clock).owner
    for _ in range(2):
        with mine.hold("demo"):
            held = item(dynamodb)
            assert held is not None
            seen.append(held["owner"]["S"])
    assert seen[0] != seen[1] and all(s.startswith(f"{mine.owner}:") for s in seen)


def test_a_lease_is_free_only_once_its_expiry_second_has_passed(dynamodb: Any) -> None:
    clock = Clock()
    first = leases(dynamodb, clock, lease_seconds=60)
    second = leases(dynamodb, clock)
    holding = first.hold("demo")
    holding.__enter__()  # held, never given back: its holder died
    for now in (1000.0, 1059.0, 1060.0, 1060.999):  # expires_at is 1060: "< now" is strict
        clock.now = now
        with pytest.raises(LeaseBusyError), second.hold("demo"):
            pass
    clock.now = 1061.0
    with second.hold("demo"):
        held = item(dynamodb)
        assert held is not None and held["owner"]["S"].startswith(f"{second.owner}:")
    assert clock.sleeps == []


def test_another_registrations_lease_does_not_block(dynamodb: Any) -> None:
    clock = Clock()
    with leases(dynamodb, clock).hold("demo"), leases(dynamodb, clock).hold("other"):
        assert item(dynamodb, "other") is not None


def test_waiting_polls_until_the_deadline_then_refuses_clearly(dynamodb: Any) -> None:
    clock = Clock()
    other = leases(dynamodb, clock)
    waiting = leases(dynamodb, clock, poll_seconds=0.25)
    with other.hold("demo"):
        with pytest.raises(LeaseBusyError) as refused, waiting.hold("demo", wait_seconds=1.0):
            pass
        assert clock.sleeps == [0.25] * 4  # tried at 0, .25, .5, .75 and 1.0: the deadline
        assert str(refused.value) == (
            "demo: another sync or rotation is writing its secret to the provider; "
            "try again shortly"
        )
        clock.sleeps.clear()
        with pytest.raises(LeaseBusyError), waiting.hold("demo"):
            pass
        assert clock.sleeps == []  # no wait: one try
    assert Leases(TABLE, lambda: dynamodb).poll_seconds == 0.25


def test_a_waiter_gets_the_lease_once_the_holder_gives_it_back(dynamodb: Any) -> None:
    clock = Clock()
    other = leases(dynamodb, clock)
    holding = other.hold("demo")
    holding.__enter__()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 3:
            holding.__exit__(None, None, None)

    waiting = Leases(TABLE, lambda: dynamodb, clock=clock, sleep=sleep, poll_seconds=0.5)
    with waiting.hold("demo", wait_seconds=20):
        held = item(dynamodb)
        assert held is not None and held["owner"]["S"].startswith(f"{waiting.owner}:")
    assert clock.sleeps == [0.5, 0.5, 0.5]


def test_the_lease_is_given_back_when_the_block_fails(dynamodb: Any) -> None:
    clock = Clock()
    with pytest.raises(RuntimeError, match="push failed"), leases(dynamodb, clock).hold("demo"):
        raise RuntimeError("push failed")
    assert item(dynamodb) is None


def test_a_lease_taken_over_after_expiry_is_not_deleted_by_its_old_holder(
    dynamodb: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    slow = leases(dynamodb, clock, lease_seconds=10)
    fast = leases(dynamodb, clock)
    with caplog.at_level(logging.WARNING, logger="hookgate.leases"), slow.hold("demo"):
        clock.now += 11
        taken = fast.hold("demo")
        taken.__enter__()
    held = item(dynamodb)
    assert held is not None and held["owner"]["S"].startswith(f"{fast.owner}:")
    (record,) = [r for r in caplog.records if r.name == "hookgate.leases"]
    assert record.getMessage() == "lease not given back"
    assert record.levelno == logging.WARNING
    assert record.__dict__["registration"] == "demo"
    assert record.__dict__["error"] == "ConditionalCheckFailedException"
    taken.__exit__(None, None, None)
    assert item(dynamodb) is None


def test_an_unreachable_table_fails_the_take_and_only_warns_on_give_back(
    dynamodb: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    missing = Leases("no-such-table", lambda: dynamodb, clock=clock, sleep=clock.sleep)
    with pytest.raises(Exception, match="ResourceNotFoundException"), missing.hold("demo"):
        pass
    mine = leases(dynamodb, clock)
    with caplog.at_level(logging.WARNING, logger="hookgate.leases"), mine.hold("demo"):
        dynamodb.delete_table(TableName=TABLE)
    (record,) = [r for r in caplog.records if r.name == "hookgate.leases"]
    assert record.__dict__["error"] == "ResourceNotFoundException"


def test_a_give_back_that_fails_without_an_aws_code_names_the_error_type(
    dynamodb: Any, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    calls: list[int] = []

    def factory() -> Any:
        calls.append(1)
        if len(calls) > 1:  # the give-back: the network is gone
            raise ConnectionError("down")
        return dynamodb

    giving_up = Leases(TABLE, factory, clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.WARNING, logger="hookgate.leases"), giving_up.hold("demo"):
        pass
    (record,) = [r for r in caplog.records if r.name == "hookgate.leases"]
    assert record.__dict__["error"] is ConnectionError
