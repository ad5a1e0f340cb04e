"""Publisher and DedupeStore on moto: batching, partial failures, oversize, claims."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from hookgate.dedupe import DedupeStore
from hookgate.errors import DedupeStoreError, InFlightError
from hookgate.models import EventError, NormalisedEvent
from hookgate.publish import Publisher, detail_json, event_detail

REGION: Final = "eu-west-1"


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        events = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        events.create_event_bus(Name="bus")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="r",
            EventBusName="bus",
            EventPattern=json.dumps({"source": [{"prefix": "hookgate."}]}),
        )
        events.put_targets(Rule="r", EventBusName="bus", Targets=[{"Id": "q", "Arn": arn}])
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="big", CreateBucketConfiguration={"LocationConstraint": REGION})
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield {"events": events, "sqs": sqs, "url": url, "s3": s3, "ddb": ddb}


def _drain(account: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while (
        batch := account["sqs"]
        .receive_message(QueueUrl=account["url"], MaxNumberOfMessages=10)
        .get("Messages", [])
    ):
        for m in batch:
            out.append(json.loads(m["Body"]))
            account["sqs"].delete_message(QueueUrl=account["url"], ReceiptHandle=m["ReceiptHandle"])
    return out


def _event(i: int, raw: Any = None) -> NormalisedEvent:
    return NormalisedEvent(
        type="message.delivered",
        provider="acme",
        registration="r",
        provider_event="DELIVERED",
        dedupe_key=f"k{i}",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        message_id=f"m{i}",
        raw=raw or {"i": i},
    )


class FlakyEvents:
    """A real moto client whose first PutEvents call fails every other entry."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls > 1:
            return self.real.put_events(Entries=Entries)  # type: ignore[no-any-return]
        ok = self.real.put_events(Entries=Entries[::2])["Entries"]
        results: list[dict[str, Any]] = []
        for i in range(len(Entries)):
            results.append(
                ok[i // 2] if i % 2 == 0 else {"ErrorCode": "InternalFailure", "ErrorMessage": "x"}
            )
        return {"FailedEntryCount": len(Entries) // 2, "Entries": results}


def test_batches_of_ten_all_arrive(account: dict[str, Any]) -> None:
    outcome = Publisher("bus", lambda: account["events"]).publish(
        [_event(i) for i in range(25)], "current"
    )
    assert sorted(outcome.published) == sorted(f"k{i}" for i in range(25)) and outcome.failed == []
    received = _drain(account)
    assert sorted(m["detail"]["message_id"] for m in received) == sorted(f"m{i}" for i in range(25))
    assert {m["detail"]["verified_with"] for m in received} == {"current"}


def test_partial_failure_is_retried_without_duplicates(account: dict[str, Any]) -> None:
    flaky = FlakyEvents(account["events"])
    outcome = Publisher("bus", lambda: flaky, sleep=lambda _: None).publish(
        [_event(i) for i in range(6)]
    )
    assert flaky.calls == 2 and outcome.failed == [] and len(outcome.published) == 6
    assert len(_drain(account)) == 6


def test_persistent_failure_is_reported(account: dict[str, Any]) -> None:
    outcome = Publisher("missing-bus", lambda: account["events"], sleep=lambda _: None).publish(
        [_event(1)]
    )
    assert outcome.published == [] and outcome.failed == ["k1"]


def test_oversized_event_is_stored_in_s3(account: dict[str, Any]) -> None:
    publisher = Publisher(
        "bus",
        lambda: account["events"],
        s3_client_factory=lambda: account["s3"],
        oversize_bucket="big",
    )
    outcome = publisher.publish([_event(1, raw={"blob": "x" * 300_000}), _event(2)])
    assert sorted(outcome.published) == ["k1", "k2"]
    by_id = {m["detail"]["message_id"]: m["detail"] for m in _drain(account)}
    ref = by_id["m1"]["payload_ref"]
    assert "raw" not in by_id["m1"] and by_id["m2"]["raw"] == {"i": 2}
    body = json.loads(account["s3"].get_object(Bucket="big", Key=ref["key"])["Body"].read())
    assert body["raw"]["blob"] == "x" * 300_000 and body["event_id"] == by_id["m1"]["event_id"]


def test_oversized_copy_keeps_every_field_but_the_payload(account: dict[str, Any]) -> None:
    publisher = Publisher(
        "bus",
        lambda: account["events"],
        s3_client_factory=lambda: account["s3"],
        oversize_bucket="big",
    )
    big = _event(1, raw={"blob": "x" * 300_000})
    event = big.model_copy(update={"status": "DELIVERED", "data": {"note": "small"}})
    assert publisher.publish([event], "pending").published == ["k1"]
    (copy,) = [m["detail"] for m in _drain(account)]
    whole = event_detail(event, "pending")
    assert copy.pop("payload_ref")["key"].endswith(f"{event.event_id}.json")
    assert copy == {k: v for k, v in whole.items() if k != "raw"}
    assert copy["verified_with"] == "pending" and copy["data"] == {"note": "small"}


def test_oversized_data_is_left_out_too_when_the_copy_would_not_fit(
    account: dict[str, Any],
) -> None:
    publisher = Publisher(
        "bus",
        lambda: account["events"],
        s3_client_factory=lambda: account["s3"],
        oversize_bucket="big",
    )
    event = _event(1, raw={"blob": "x" * 300_000}).model_copy(
        update={"data": {"text": "y" * 300_000}}
    )
    assert publisher.publish([event], "current").published == ["k1"]
    (copy,) = [m["detail"] for m in _drain(account)]
    assert "raw" not in copy and "data" not in copy
    assert copy["verified_with"] == "current" and copy["message_id"] == "m1"


def test_oversized_event_without_bucket_fails_instead_of_vanishing(account: dict[str, Any]) -> None:
    outcome = Publisher("bus", lambda: account["events"]).publish(
        [_event(1, raw={"blob": "x" * 300_000})]
    )
    assert outcome.failed == ["k1"]


def test_claim_complete_release(account: dict[str, Any]) -> None:
    now = [1000.0]
    store = DedupeStore("t", lambda: account["ddb"], clock=lambda: now[0], in_flight_seconds=60)
    claim = store.claim("r", ["a", "b", "a"])
    assert claim.to_publish == ["a", "b"] and claim.duplicates == []
    with pytest.raises(InFlightError):
        store.claim("r", ["c", "a"])
    assert store.claim("r", ["c"]).to_publish == ["c"]  # "c" was released when "a" was in flight
    store.complete("r", ["a"])
    store.release("r", ["b", "c"])
    claim = store.claim("r", ["a", "b"])
    assert claim.duplicates == ["a"] and claim.to_publish == ["b"]
    now[0] += 61  # the in-flight claim on "b" expired: a retry can take it over
    assert store.claim("r", ["b"]).to_publish == ["b"]
    assert store.claim("other-registration", ["a"]).to_publish == ["a"]


def test_a_completed_claim_carrying_the_requests_nonce_marks_a_replay(
    account: dict[str, Any],
) -> None:
    store = DedupeStore("t", lambda: account["ddb"])
    assert store.claim("r", ["a"], nonce="n1").to_publish == ["a"]
    store.complete("r", ["a"], nonce="n1")
    replay = store.claim("r", ["a"], nonce="n1")
    assert (replay.duplicates, replay.replayed, replay.is_replay) == (["a"], True, True)
    retry = store.claim("r", ["a"], nonce="n2")  # the provider's retry signs with a new nonce
    assert (retry.duplicates, retry.replayed, retry.is_replay) == (["a"], False, False)
    unsigned = store.claim("r", ["a"])
    assert (unsigned.duplicates, unsigned.replayed) == (["a"], False)
    assert store.claim("r2", ["a"], nonce="n1").to_publish == ["a"]


def test_a_replay_while_the_first_is_in_flight_is_refused_as_in_flight(
    account: dict[str, Any],
) -> None:
    store = DedupeStore("t", lambda: account["ddb"])
    assert store.claim("r", ["a", "b"], nonce="n1").to_publish == ["a", "b"]
    with pytest.raises(InFlightError) as caught:
        store.claim("r", ["a", "b"], nonce="n1")
    assert str(caught.value) == "an event of this request is being published now"
    store.complete("r", ["a", "b"], nonce="n1")
    assert store.claim("r", ["a", "b"], nonce="n1").is_replay


def test_a_replay_with_an_event_left_to_publish_is_not_refused(account: dict[str, Any]) -> None:
    # The first delivery published "a" and failed to publish "b" (released, answered 503):
    # the same request again must publish "b", as the provider's own retry would.
    store = DedupeStore("t", lambda: account["ddb"])
    store.claim("r", ["a", "b"], nonce="n1")
    store.complete("r", ["a"], nonce="n1")
    store.release("r", ["b"])
    again = store.claim("r", ["a", "b"], nonce="n1")
    assert (again.to_publish, again.duplicates, again.replayed) == (["b"], ["a"], True)
    assert not again.is_replay


def test_the_nonce_is_written_with_the_claim_and_the_completion(account: dict[str, Any]) -> None:
    now = [1000.0]
    store = DedupeStore("t", lambda: account["ddb"], clock=lambda: now[0], ttl_seconds=500)
    store.claim("r", ["a"], nonce="n1")
    item = account["ddb"].get_item(TableName="t", Key={"pk": {"S": "event#r#a"}})["Item"]
    assert item == {
        "pk": {"S": "event#r#a"},
        "status": {"S": "IN_PROGRESS"},
        "expires_at": {"N": "1060"},
        "nonce": {"S": "n1"},
    }
    store.complete("r", ["a"], nonce="n1")
    item = account["ddb"].get_item(TableName="t", Key={"pk": {"S": "event#r#a"}})["Item"]
    assert item["status"] == {"S": "COMPLETED"} and item["nonce"] == {"S": "n1"}
    assert item["expires_at"] == {"N": "1500"}
    store.claim("r", ["b"])
    item = account["ddb"].get_item(TableName="t", Key={"pk": {"S": "event#r#b"}})["Item"]
    assert "nonce" not in item


def test_a_store_failure_is_one_error_naming_the_step(account: dict[str, Any]) -> None:
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def __getattr__(self, name: str) -> Any:
            def fail(**_: Any) -> Any:
                raise EndpointConnectionError(endpoint_url="http://dynamodb")

            return fail

    store = DedupeStore("t", Unreachable)
    for call, step in (
        (lambda: store.claim("r", ["a"], nonce="n"), "de-duplication store failed"),
        (lambda: store.complete("r", ["a"], nonce="n"), "cannot complete claims"),
        (lambda: store.release("r", ["a"]), "cannot release claims"),
    ):
        with pytest.raises(DedupeStoreError) as caught:
            call()
        assert str(caught.value) == f"{step}: EndpointConnectionError"


def test_a_claim_that_fails_half_way_reports_the_claims_failure_even_if_releasing_fails(
    account: dict[str, Any],
) -> None:
    from botocore.exceptions import EndpointConnectionError

    class FailsAfterTheFirstClaim:
        def __init__(self) -> None:
            self.claims = 0

        def put_item(self, **kwargs: Any) -> Any:
            self.claims += 1
            if self.claims > 1:
                raise EndpointConnectionError(endpoint_url="http://dynamodb")
            return account["ddb"].put_item(**kwargs)

        def delete_item(self, **kwargs: Any) -> Any:
            raise EndpointConnectionError(endpoint_url="http://dynamodb")

    client = FailsAfterTheFirstClaim()
    store = DedupeStore("t", lambda: client)
    with pytest.raises(DedupeStoreError) as caught:
        store.claim("r", ["a", "b"], nonce="n")
    assert str(caught.value) == "de-duplication store failed: EndpointConnectionError"
    # The first claim could not be released: it expires after the in-flight window.
    item = account["ddb"].get_item(TableName="t", Key={"pk": {"S": "event#r#a"}})["Item"]
    assert item["status"] == {"S": "IN_PROGRESS"}


class CountingDynamoDB:
    """The real moto client, counting the calls made through it."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self.real, name)


def test_a_large_batch_completes_in_few_calls(account: dict[str, Any]) -> None:
    counting = CountingDynamoDB(account["ddb"])
    store = DedupeStore("t", lambda: counting)
    keys = [f"k{i}" for i in range(60)]
    assert store.claim("r", keys).to_publish == keys
    store.complete("r", keys)
    assert counting.calls["batch_write_item"] == 3 and "put_item" in counting.calls
    assert counting.calls["put_item"] == 60  # the conditional claims only
    assert store.claim("r", keys).duplicates == keys


def test_release_keeps_completed_records_and_reports_any_other_store_error(
    account: dict[str, Any],
) -> None:
    store = DedupeStore("t", lambda: account["ddb"])
    store.claim("r", ["a", "b"])
    store.complete("r", ["a"])
    store.release("r", ["a", "b"])  # "a" is published: its record must stay
    items = {i["pk"]["S"]: i["status"]["S"] for i in account["ddb"].scan(TableName="t")["Items"]}
    assert items == {"event#r#a": "COMPLETED"}

    with pytest.raises(DedupeStoreError) as caught:
        DedupeStore("no-such-table", lambda: account["ddb"]).release("r", ["a"])
    assert str(caught.value) == "cannot release claims: ResourceNotFoundException"


class Throttled:
    """The real moto client, but BatchWriteItem writes only ``per_call`` items a call."""

    def __init__(self, real: Any, per_call: int) -> None:
        self.real = real
        self.per_call = per_call
        self.batch_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.batch_calls += 1
        ((table, requests),) = RequestItems.items()
        done, left = requests[: self.per_call], requests[self.per_call :]
        if done:
            self.real.batch_write_item(RequestItems={table: done})
        return {"UnprocessedItems": {table: left} if left else {}}


def test_unprocessed_completions_are_retried_and_a_bounded_failure_is_reported(
    account: dict[str, Any],
) -> None:
    slow = Throttled(account["ddb"], per_call=2)
    store = DedupeStore("t", lambda: slow)
    store.claim("r", ["a", "b", "c"])
    store.complete("r", ["a", "b", "c"])
    assert slow.batch_calls == 2
    items = {i["pk"]["S"]: i["status"]["S"] for i in account["ddb"].scan(TableName="t")["Items"]}
    assert items == {f"event#r#{k}": "COMPLETED" for k in "abc"}

    stuck = Throttled(account["ddb"], per_call=0)
    with pytest.raises(DedupeStoreError) as caught:
        DedupeStore("t", lambda: stuck).complete("r", ["d", "e"])
    assert str(caught.value) == "2 completions left unprocessed"
    assert stuck.batch_calls == 3


def test_a_key_over_512_characters_is_stored_by_its_sha256_and_one_at_512_as_is(
    account: dict[str, Any],
) -> None:
    import hashlib

    store = DedupeStore("t", lambda: account["ddb"])
    at_limit, over = "k" * 512, "k" * 513
    store.claim("r", [at_limit, over])
    digest = hashlib.sha256(over.encode()).hexdigest()
    keys = {i["pk"]["S"] for i in account["ddb"].scan(TableName="t")["Items"]}
    assert keys == {f"event#r#{at_limit}", f"event#r#sha256:{digest}"}
    store.complete("r", [at_limit, over])
    assert store.claim("r", [over, at_limit]).duplicates == [over, at_limit]


def test_a_signed_request_meeting_a_record_completed_without_a_nonce_is_a_duplicate(
    account: dict[str, Any],
) -> None:
    store = DedupeStore("t", lambda: account["ddb"])
    store.claim("r", ["a"])
    store.complete("r", ["a"])
    signed = store.claim("r", ["a"], nonce="n1")
    assert (signed.duplicates, signed.replayed, signed.is_replay) == (["a"], False, False)


@pytest.mark.parametrize("stage", [None, "", "current", "pending", "previous", 'odd"stage'])
@pytest.mark.parametrize(
    "raw",
    [
        None,
        {"i": 1},
        {"text": 'héllo \u2028 \U0001f600 "quoted" back\\slash \x00\x1f', "n": [0.1, 1e16]},
        {"big": 2**64 - 1, "neg": -(2**63), "tiny": 5e-324, "nested": [[{"a": {}}], []]},
        ["not", "an", "object"],
        "a string",
    ],
)
def test_detail_json_is_the_documented_detail(raw: Any, stage: str | None) -> None:
    event = _event(7, raw=raw).model_copy(
        update={
            "occurred_at": datetime(2026, 1, 1, 0, 0, 1, 123456, tzinfo=UTC),
            "error": EventError(code="1", detail="é"),
            "data": {"k": "v", "list": (1, 2)},
        }
    )
    if raw is None:  # _event's default
        event = event.model_copy(update={"raw": None})
    text = detail_json(event, stage)
    assert json.loads(text) == event_detail(event, stage)
    assert list(json.loads(text)) == list(event_detail(event, stage))  # same keys, same order
    assert text == json.dumps(event_detail(event, stage), separators=(",", ":"), ensure_ascii=False)
