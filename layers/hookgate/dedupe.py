"""Exactly-once publishing across provider retries, and replay refusal for signed nonces.

One DynamoDB table (key ``pk``, TTL attribute ``expires_at``) holds one kind of record,
``event#<registration>#<dedupe key>``: claimed (``IN_PROGRESS``) before an event is published,
marked ``COMPLETED`` once it is on the bus, deleted if publishing failed, so a provider's retry
after a failure goes through and a retry after success publishes nothing.

A request that carries a one-time nonce (Sinch signs body, nonce and timestamp) writes the nonce
into its claims and completions. A replay of that signed request carries the same bytes, so the
same event ids: its claims meet records that carry its own nonce. Completed ones are refused as
a replay, in-flight ones as in flight, and the completed record outlives the signature's
timestamp window by days. So a nonce costs no read and no write of its own: an accepted webhook
makes one conditional ``PutItem`` per event, then one ``BatchWriteItem`` per 25 events.

DynamoDB deletes expired items lazily, so every condition treats ``expires_at`` in the past as
absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hookgate.aws import error_code
from hookgate.errors import DedupeStoreError, InFlightError

DEFAULT_TTL_SECONDS = 8 * 24 * 3600  # longer than the longest provider retry window (7 days)
DEFAULT_IN_FLIGHT_SECONDS = 60
_MAX_KEY_CHARS = 512
_BATCH_WRITE_LIMIT = 25  # DynamoDB BatchWriteItem's maximum
_BATCH_WRITE_ATTEMPTS = 3
_CONDITION_FAILED = "ConditionalCheckFailedException"

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"


def _key(kind: str, registration: str, value: str) -> str:
    if len(value) > _MAX_KEY_CHARS:
        value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return f"{kind}#{registration}#{value}"


@contextlib.contextmanager
def _store_errors(what: str) -> Iterator[None]:
    """Turn any DynamoDB failure inside the block into DedupeStoreError naming ``what``."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise DedupeStoreError(f"{what}: {type(exc).__name__}") from None


@dataclass
class Claim:
    """The outcome of claiming a request's events: which to publish, which were seen before.

    ``replayed`` is True when a completed record carries the request's own nonce: the same
    signed request was accepted before.
    """

    to_publish: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    replayed: bool = False

    @property
    def is_replay(self) -> bool:
        """Return True when nothing is left to publish and this signed request was seen."""
        return self.replayed and not self.to_publish


class DedupeStore:
    """Claims, completes and releases events; refuses a signed request's replay."""

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

    def _item(
        self, registration: str, dedupe_key: str, status: str, expires: int, nonce: str | None
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": {"S": _key("event", registration, dedupe_key)},
            "status": {"S": status},
            "expires_at": {"N": str(expires)},
        }
        if nonce is not None:
            item["nonce"] = {"S": nonce}
        return item

    def claim(
        self, registration: str, dedupe_keys: Sequence[str], nonce: str | None = None
    ) -> Claim:
        """Claim each key for publishing; keys already published come back as duplicates.

        ``nonce`` (the request's one-time value, if its provider sends one) is written into each
        claim; a completed record carrying it marks the claim ``replayed``. Raises InFlightError
        (after releasing this call's claims) when another invocation is publishing one of the
        events right now, and DedupeStoreError when DynamoDB fails.
        """
        client = self._client_factory()
        now = int(self._clock())
        claim = Claim()
        try:
            with _store_errors("de-duplication store failed"):
                for dedupe_key in dict.fromkeys(dedupe_keys):
                    old = self._put_claim(client, registration, dedupe_key, now, nonce)
                    if old is None:
                        claim.to_publish.append(dedupe_key)
                    elif old.get("status", {}).get("S") == COMPLETED:
                        claim.duplicates.append(dedupe_key)
                        if nonce is not None and old.get("nonce", {}).get("S") == nonce:
                            claim.replayed = True
                    else:
                        self.release(registration, claim.to_publish)
                        raise InFlightError("an event of this request is being published now")
        except DedupeStoreError:
            self._release_quietly(registration, claim.to_publish)
            raise
        return claim

    def _put_claim(
        self, client: Any, registration: str, dedupe_key: str, now: int, nonce: str | None
    ) -> dict[str, Any] | None:
        """Write one claim; return None when taken, else the record that holds the key."""
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            client.put_item(
                TableName=self._table,
                Item=self._item(
                    registration, dedupe_key, IN_PROGRESS, now + self._in_flight, nonce
                ),
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                ExpressionAttributeValues={":now": {"N": str(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) != _CONDITION_FAILED:
                raise
            old: Any = exc.response.get("Item") or {}
            return dict(old)
        return None

    def complete(
        self, registration: str, dedupe_keys: Sequence[str], nonce: str | None = None
    ) -> None:
        """Mark published events as done for the de-duplication window, with ``nonce``.

        Written in batches of 25 (BatchWriteItem), so a large Meta batch costs a few calls,
        not one per event; unprocessed items are retried a bounded number of times.
        """
        expires = int(self._clock()) + self._ttl
        requests = [
            {"PutRequest": {"Item": self._item(registration, key, COMPLETED, expires, nonce)}}
            for key in dict.fromkeys(dedupe_keys)
        ]
        with _store_errors("cannot complete claims"):
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

    def release(self, registration: str, dedupe_keys: Sequence[str]) -> None:
        """Drop claims of events that were not published, so a retry can publish them."""
        from botocore.exceptions import ClientError  # noqa: PLC0415

        with _store_errors("cannot release claims"):
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
                    if error_code(exc) != _CONDITION_FAILED:
                        raise

    def _release_quietly(self, registration: str, dedupe_keys: Sequence[str]) -> None:
        # Claims left behind expire on their own after the in-flight window.
        with contextlib.suppress(DedupeStoreError):
            self.release(registration, dedupe_keys)
