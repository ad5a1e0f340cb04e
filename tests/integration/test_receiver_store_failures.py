"""The receiver when DynamoDB or EventBridge fails: 503 so the provider retries, and then
exactly once on the bus. The failures are real ``ClientError``s raised by the boto3 clients
hookgate uses (see :mod:`tests.integration.aws_faults`), not a fake store."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from hookgate import aws
from hookgate_dev.providers.hookgate_360dialog.samples import TEST_SECRET as D360_SECRET
from hookgate_dev.providers.hookgate_sinch_conversation.samples import SAMPLE_PAYLOADS

from .aws_faults import failing
from .conftest import REGION, TABLE, Account, write_config
from .test_receiver import call, event_for, signed

MESSAGES = 12  # more than one PutEvents call carries (10)


def _batch_body() -> bytes:
    """A 360dialog (Meta Cloud API) delivery with MESSAGES inbound texts, ids wamid.TEST00..."""
    messages = [
        {
            "from": "16505551234",
            "id": f"wamid.TEST{i:02d}",
            "timestamp": str(1731600000 + i),
            "type": "text",
            "text": {"body": f"message {i}"},
        }
        for i in range(MESSAGES)
    ]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "messages": messages,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


BATCH = _batch_body()


@pytest.fixture
def account(sinch_account: Account, tmp_path: Path) -> Account:
    """The Sinch account plus a 360dialog registration (its deliveries can carry a batch)."""
    sinch_account.secretsmanager.create_secret(
        Name="hookgate/d360", SecretString=json.dumps(dict(D360_SECRET))
    )
    write_config(
        tmp_path,
        [
            {
                "name": "sinch-demo",
                "provider": "sinch_conversation",
                "secret": "hookgate/sinch-demo",
                "settings": {"project_id": "p-1", "app_id": "01EB37HMH1M6SV18BSNS3G135H"},
            },
            {"name": "d360", "provider": "360dialog", "secret": "hookgate/d360"},
        ],
    )
    return sinch_account


def batch_event() -> dict[str, Any]:
    headers = {"x-hookgate-token": D360_SECRET["header_token"], "content-type": "application/json"}
    return event_for(BATCH, headers, provider="360dialog", registration="d360")


def message_ids(delivered: list[dict[str, Any]]) -> list[str]:
    return sorted(e["detail"]["message_id"] for e in delivered)


def claims_left() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
    return [
        i for i in items if i["pk"]["S"].startswith("event#") and i["status"]["S"] != "COMPLETED"
    ]


ALL_IDS = [f"wamid.TEST{i:02d}" for i in range(MESSAGES)]
TEMPORARILY_UNAVAILABLE = (503, {"message": "temporarily unavailable"})


def test_a_signed_request_whose_claim_fails_answers_503_and_the_same_request_is_then_accepted(
    account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body, datetime.now(UTC)))
    with failing(aws.client("dynamodb"), "PutItem") as fault:
        assert call(receiver_app, event) == TEMPORARILY_UNAVAILABLE
    assert fault.failed == 1
    assert account.drain() == [] and claims_left() == []
    assert call(receiver_app, event) == (200, {"accepted": 1, "duplicates": 0})
    assert len(account.drain()) == 1
    assert call(receiver_app, event) == (401, {"message": "unauthorized"}), "now a replay"


def test_a_failed_claim_answers_503_publishes_nothing_and_leaves_no_claim(
    account: Account, receiver_app: ModuleType
) -> None:
    claimed: list[str] = []

    def after_the_third_claim(request: dict[str, Any]) -> bool:
        claimed.append(request["Item"]["pk"]["S"])
        return len(claimed) > 3

    with failing(aws.client("dynamodb"), "PutItem", after_the_third_claim) as fault:
        assert call(receiver_app, batch_event()) == TEMPORARILY_UNAVAILABLE
    assert fault.failed == 1, "the claim stops at the first store error"
    assert account.drain() == []
    assert claims_left() == [], "the three claims made before the error were released"

    assert call(receiver_app, batch_event()) == (200, {"accepted": MESSAGES, "duplicates": 0})
    assert call(receiver_app, batch_event()) == (200, {"accepted": 0, "duplicates": MESSAGES})
    assert message_ids(account.drain()) == ALL_IDS


def test_a_failed_publish_releases_its_claims_and_the_retry_publishes_each_event_once(
    account: Account, receiver_app: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    def carries_the_last_message(request: dict[str, Any]) -> bool:
        return any(f"wamid.TEST{MESSAGES - 1:02d}" in e["Detail"] for e in request["Entries"])

    with failing(aws.client("events"), "PutEvents", carries_the_last_message) as fault:
        status, answer = call(receiver_app, batch_event())
    assert (status, answer) == TEMPORARILY_UNAVAILABLE
    assert fault.failed == 3, "the publisher's bounded retries"
    first = message_ids(account.drain())
    assert first == ALL_IDS[:10], "the first PutEvents call went through"
    assert claims_left() == []
    (line,) = [r for r in caplog.records if r.getMessage() == "publishing failed"]
    assert (line.provider, line.registration, line.failed) == ("360dialog", "d360", 2)  # type: ignore[attr-defined]

    assert call(receiver_app, batch_event()) == (200, {"accepted": 2, "duplicates": 10})
    assert call(receiver_app, batch_event()) == (200, {"accepted": 0, "duplicates": MESSAGES})
    assert message_ids(account.drain()) == ALL_IDS[10:]


def test_a_failed_completion_still_answers_200_publishes_once_and_a_replay_is_not_published(
    account: Account, receiver_app: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body, datetime.now(UTC)))
    with failing(aws.client("dynamodb"), "BatchWriteItem") as fault:
        assert call(receiver_app, event) == (200, {"accepted": 1, "duplicates": 0})
    assert fault.failed == 1
    (line,) = [r for r in caplog.records if r.getMessage() == "dedupe bookkeeping failed"]
    assert (line.provider, line.registration, line.error) == (  # type: ignore[attr-defined]
        "sinch_conversation",
        "sinch-demo",
        "cannot complete claims: InternalServerError",
    )
    assert len(account.drain()) == 1, "the event is on the bus: nothing lost"
    # The claim (carrying the nonce) stays in flight until it expires: the replay is refused.
    assert call(receiver_app, event) == (503, {"message": "retry later"})
    assert account.drain() == []


def test_the_same_signed_request_delivered_concurrently_is_published_once(
    account: Account, receiver_app: ModuleType
) -> None:
    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body, datetime.now(UTC)))
    start = threading.Barrier(4)

    def deliver() -> tuple[int, dict[str, Any]]:
        start.wait()
        return call(receiver_app, event)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: deliver(), range(4)))
    accepted = [a for a in answers if a == (200, {"accepted": 1, "duplicates": 0})]
    refusals = [(503, {"message": "retry later"}), (401, {"message": "unauthorized"})]
    refused = [a for a in answers if a in refusals]
    assert len(accepted) == 1 and len(refused) == 3, answers
    assert len(account.drain()) == 1


def test_an_event_another_invocation_is_publishing_answers_503_and_publishes_nothing(
    account: Account, receiver_app: ModuleType
) -> None:
    assert call(receiver_app, batch_event()) == (200, {"accepted": MESSAGES, "duplicates": 0})
    account.drain()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items = dynamodb.scan(TableName=TABLE)["Items"]
    last = max((i for i in items if i["pk"]["S"].startswith("event#")), key=lambda i: i["pk"]["S"])
    # Another invocation has claimed one of the events and not finished publishing it.
    in_flight_until = str(int(datetime.now(UTC).timestamp()) + 600)
    dynamodb.put_item(
        TableName=TABLE,
        Item={**last, "status": {"S": "IN_PROGRESS"}, "expires_at": {"N": in_flight_until}},
    )
    assert call(receiver_app, batch_event()) == (503, {"message": "retry later"})
    assert account.drain() == []
    assert [i["pk"] for i in claims_left()] == [last["pk"]], "this call's claims were released"


def test_each_store_answer_names_its_outcome_stage_and_registration(
    account: Account, receiver_app: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    from hookgate.apigw import request_from_event
    from hookgate.runtime import get_receiver

    body = SAMPLE_PAYLOADS["sdk_test_vector"]
    event = event_for(body, signed(body, datetime.now(UTC)))
    receiver = get_receiver()

    def answer(request_event: dict[str, Any]) -> tuple[Any, ...]:
        outcome = receiver.receive(
            request_from_event(request_event), "sinch_conversation", "sinch-demo"
        )
        return (
            outcome.status,
            outcome.outcome,
            outcome.reason,
            outcome.stage,
            outcome.provider,
            outcome.registration,
        )

    names = ("sinch_conversation", "sinch-demo")
    with failing(aws.client("dynamodb"), "PutItem"):
        assert answer(event) == (503, "store_unavailable", None, "current", *names)
    (line,) = [r for r in caplog.records if r.getMessage() == "dedupe store unavailable"]
    assert (line.provider, line.registration) == names  # type: ignore[attr-defined]
    assert line.error == "de-duplication store failed: InternalServerError"  # type: ignore[attr-defined]

    assert answer(event)[:2] == (200, "accepted")
    assert answer(event) == (401, "rejected", "replayed nonce", "current", *names)

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    (item,) = [i for i in claims_or_records() if i["pk"]["S"].startswith("event#sinch-demo#")]
    in_flight_until = str(int(datetime.now(UTC).timestamp()) + 600)
    dynamodb.put_item(
        TableName=TABLE,
        Item={**item, "status": {"S": "IN_PROGRESS"}, "expires_at": {"N": in_flight_until}},
    )
    retry = event_for(body, signed(body, datetime.now(UTC)))  # the provider's, a new nonce
    assert answer(retry) == (503, "in_flight", None, "current", *names)
    assert len(account.drain()) == 1


def claims_or_records() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb", region_name=REGION).scan(
        TableName=TABLE
    )["Items"]
    return items


def outcome_fields(outcome: Any) -> tuple[Any, ...]:
    return (
        outcome.status,
        outcome.outcome,
        outcome.stage,
        outcome.accepted,
        outcome.duplicates,
        outcome.body,
        outcome.provider,
        outcome.registration,
        outcome.reason,
    )


def test_a_failed_publish_and_its_retry_count_what_reached_the_bus(account: Account) -> None:
    from hookgate.apigw import request_from_event
    from hookgate.runtime import get_receiver

    receiver = get_receiver()

    def receive() -> Any:
        return receiver.receive(request_from_event(batch_event()), "360dialog", "d360")

    def carries_the_last_message(request: dict[str, Any]) -> bool:
        return any(f"wamid.TEST{MESSAGES - 1:02d}" in e["Detail"] for e in request["Entries"])

    names = ("360dialog", "d360", None)
    with failing(aws.client("events"), "PutEvents", carries_the_last_message):
        failed = receive()
        failed_again = receive()
    message = {"message": "temporarily unavailable"}
    assert outcome_fields(failed) == (503, "publish_failed", "current", 10, 0, message, *names)
    assert failed.events == []
    assert outcome_fields(failed_again) == (
        503,
        "publish_failed",
        "current",
        0,
        10,
        message,
        *names,
    )

    retried = receive()
    counts = {"accepted": 2, "duplicates": 10}
    assert outcome_fields(retried) == (200, "accepted", "current", 2, 10, counts, *names)
    assert sorted(e.raw["id"] for e in retried.events) == ALL_IDS[10:]

    again = receive()
    counts = {"accepted": 0, "duplicates": MESSAGES}
    assert outcome_fields(again) == (200, "duplicate", "current", 0, MESSAGES, counts, *names)
    assert again.events == []
