"""Exactly-once publishing across provider retries, and replay protection for nonces.

One DynamoDB table (key ``pk``, TTL attribute ``expires_at``) holds two kinds of record:

* ``event#<registration>#<dedupe key>`` — claimed (``IN_PROGRESS``) before an event is
  published, marked ``COMPLETED`` once it is on the bus, deleted if publishing failed, so a
  provider's retry after a failure goes through and a retry after success publishes nothing.
* ``nonce#<registration>#<nonce>`` — written only after a request carrying it was accepted.

DynamoDB deletes expired items lazily, so every read treats ``expires_at`` in the past as absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hookgate.errors import DedupeStoreError, InFlightError

DEFAULT_TTL_SECONDS = 8 * 24 * 3600  # longer than the longest provider retry window (7 days)
DEFAULT_IN_FLIGHT_SECONDS = 60
_MAX_KEY_CHARS = 512
_BATCH_WRITE_LIMIT = 25  # DynamoDB BatchWriteItem's maximum
_BATCH_WRITE_ATTEMPTS = 3

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"


def _key(kind: str, registration: str, value: str) -> str:
    if len(value) > _MAX_KEY_CHARS:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return f"{kind}#{registration}#{value}"


@dataclass
class Claim:
    """The outcome of claiming a request's events: which to publish, which were seen before."""

    to_publish: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


class DedupeStore:
    """Claims, completes and releases events; remembers accepted nonces."""

    def __init__(
        self,
        table_name: str,
        client_factory: Callable[[], Any],
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        in_flight_seconds: int = DEFAULT_IN_FLIGHT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create a store on ``table_name``; ``client_factory`` returns a DynamoDB client."""
        self._table = table_name
        self._client_factory = client_factory
        self._ttl = ttl_seconds
        self._in_flight = in_flight_seconds
        self._clock = clock

    def claim(self, registration: str, dedupe_keys: Sequence[str]) -> Claim:
        """Claim each key for publishing; keys already published come back as duplicates.

        Raises InFlightError (after releasing this call's claims) when another invocation is
        publishing one of the events right now, and DedupeStoreError when DynamoDB fails.
        """
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        client = self._client_factory()
        now = int(self._clock())
        claim = Claim()
        try:
            for dedupe_key in dict.fromkeys(dedupe_keys):
                try:
                    client.put_item(
                        TableName=self._table,
                        Item={
                            "pk": {"S": _key("event", registration, dedupe_key)},
                            "status": {"S": IN_PROGRESS},
                            "expires_at": {"N": str(now + self._in_flight)},
                        },
                        ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                        ExpressionAttributeValues={":now": {"N": str(now)}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                except ClientError as exc:
                    if (
                        exc.response.get("Error", {}).get("Code")
                        != "ConditionalCheckFailedException"
                    ):
                        raise
                    old: Any = exc.response.get("Item") or {}
                    if old.get("status", {}).get("S") == COMPLETED:
                        claim.duplicates.append(dedupe_key)
                        continue
                    self.release(registration, claim.to_publish)
                    raise InFlightError("an event of this request is being published now") from None
                claim.to_publish.append(dedupe_key)
        except (ClientError, BotoCoreError) as exc:
            self._release_quietly(registration, claim.to_publish)
            raise DedupeStoreError(f"de-duplication store failed: {type(exc).__name__}") from None
        return claim

    def complete(self, registration: str, dedupe_keys: Sequence[str]) -> None:
        """Mark published events as done for the de-duplication window.

        Written in batches of 25 (BatchWriteItem), so a large Meta batch costs a few calls,
        not one per event; unprocessed items are retried a bounded number of times.
        """
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        expires = str(int(self._clock()) + self._ttl)
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": _key("event", registration, dedupe_key)},
                        "status": {"S": COMPLETED},
                        "expires_at": {"N": expires},
                    }
                }
            }
            for dedupe_key in dict.fromkeys(dedupe_keys)
        ]
        try:
            for start in range(0, len(requests), _BATCH_WRITE_LIMIT):
                pending = requests[start : start + _BATCH_WRITE_LIMIT]
                for _ in range(_BATCH_WRITE_ATTEMPTS):
                    answer = self._client_factory().batch_write_item(
                        RequestItems={self._table: pending}
                    )
                    pending = answer.get("UnprocessedItems", {}).get(self._table, [])
                    if not pending:
                        break
                if pending:
                    raise DedupeStoreError(f"{len(pending)} completions left unprocessed")
        except (ClientError, BotoCoreError) as exc:
            raise DedupeStoreError(f"cannot complete claims: {type(exc).__name__}") from None

    def release(self, registration: str, dedupe_keys: Sequence[str]) -> None:
        """Drop claims of events that were not published, so a retry can publish them."""
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        for dedupe_key in dedupe_keys:
            try:
                self._client_factory().delete_item(
                    TableName=self._table,
                    Key={"pk": {"S": _key("event", registration, dedupe_key)}},
                    ConditionExpression="#s = :in_progress",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":in_progress": {"S": IN_PROGRESS}},
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue
                raise DedupeStoreError(f"cannot release claims: {type(exc).__name__}") from None
            except BotoCoreError as exc:
                raise DedupeStoreError(f"cannot release claims: {type(exc).__name__}") from None

    def _release_quietly(self, registration: str, dedupe_keys: Sequence[str]) -> None:
        # Claims left behind expire on their own after the in-flight window.
        with contextlib.suppress(DedupeStoreError):
            self.release(registration, dedupe_keys)

    def nonce_seen(self, registration: str, nonce: str) -> bool:
        """Return True when ``nonce`` was accepted before and has not expired."""
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        try:
            item = (
                self._client_factory()
                .get_item(
                    TableName=self._table,
                    Key={"pk": {"S": _key("nonce", registration, nonce)}},
                    ConsistentRead=True,
                )
                .get("Item")
            )
        except (ClientError, BotoCoreError) as exc:
            raise DedupeStoreError(f"nonce store failed: {type(exc).__name__}") from None
        return bool(item) and int(item["expires_at"]["N"]) >= int(self._clock())

    def remember_nonce(self, registration: str, nonce: str, expires_at: float) -> None:
        """Record an accepted nonce until ``expires_at`` (epoch seconds)."""
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

        try:
            self._client_factory().put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": _key("nonce", registration, nonce)},
                    "expires_at": {"N": str(int(expires_at) + 1)},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise DedupeStoreError(f"cannot record nonce: {type(exc).__name__}") from None
