"""A per-registration lease in hookgate's table, so sync and rotation never interleave.

Both write a registration's secret to its provider: rotation the new version (setSecret), sync
whatever version it repairs a webhook with. Done at once, the older write can land last and
leave the provider with a version that is about to be retired. Each takes the registration's
lease for the length of its write: one conditional ``PutItem`` (free, or expired) to take it,
one conditional ``DeleteItem`` (still ours) to give it back. A holder that dies loses the lease
when it expires; DynamoDB's TTL on ``expires_at`` removes the item later.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hookgate.aws import error_code
from hookgate.errors import HookgateError

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 300.0  # longer than a rotation step or a sync may run (Lambda: 60 s)


class LeaseBusyError(HookgateError):
    """Another writer holds the registration's lease."""


@dataclass
class Leases:
    """Takes and gives back registration leases in a DynamoDB table keyed by ``pk``."""

    table: str
    client_factory: Callable[[], Any]
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    poll_seconds: float = 0.25
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)

    @staticmethod
    def key(registration: str) -> str:
        """Return the table key of ``registration``'s lease."""
        return f"lease#{registration}"

    def _take(self, registration: str, owner: str) -> bool:
        now = self.clock()
        try:
            self.client_factory().put_item(
                TableName=self.table,
                Item={
                    "pk": {"S": self.key(registration)},
                    "owner": {"S": owner},
                    "expires_at": {"N": str(int(now + self.lease_seconds))},
                },
                ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                ExpressionAttributeValues={":now": {"N": str(int(now))}},
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _give_back(self, registration: str, owner: str) -> None:
        try:
            self.client_factory().delete_item(
                TableName=self.table,
                Key={"pk": {"S": self.key(registration)}},
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except Exception as exc:
            # Expired and taken by another writer, or the table is unreachable: it expires.
            logger.warning(
                "lease not given back",
                extra={"registration": registration, "error": error_code(exc) or type(exc)},
            )

    @contextmanager
    def hold(self, registration: str, wait_seconds: float = 0.0) -> Iterator[None]:
        """Hold ``registration``'s lease for the block; raise LeaseBusyError if not had in time."""
        owner = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        deadline = self.clock() + wait_seconds
        while not self._take(registration, owner):
            if self.clock() >= deadline:
                raise LeaseBusyError(
                    f"{registration}: another sync or rotation is writing its secret to the "
                    "provider; try again shortly"
                )
            self.sleep(self.poll_seconds)
        try:
            yield
        finally:
            self._give_back(registration, owner)
