"""DynamoDB's item writes made atomic in moto, as they are on AWS.

DynamoDB applies a conditional write atomically: the condition is checked against the item and
the write made in one step, so of two concurrent conditional puts of a new item one succeeds and
the other fails its condition (DynamoDB Developer Guide, "Condition expressions" and "Conditional
writes"). moto checks the condition and then writes without holding anything between the two,
so two threads (moto server serves each request on its own) can both pass the check: the
de-duplication claim, which exactly-once rests on, would then be won twice. :func:`atomic_writes`
serialises moto's item writes for as long as it is entered.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items")

# One lock for every backend: a batch or transaction writes through the single-item methods.
_LOCK = threading.RLock()


def _atomic(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return write(*args, **kwargs)

    locked.__hookgate_atomic__ = True  # type: ignore[attr-defined]
    return locked


@contextmanager
def atomic_writes() -> Iterator[None]:
    """Make moto's DynamoDB item writes atomic while entered (nesting is harmless)."""
    saved = {name: getattr(DynamoDBBackend, name) for name in WRITES}
    for name, write in saved.items():
        if not getattr(write, "__hookgate_atomic__", False):
            setattr(DynamoDBBackend, name, _atomic(write))
    try:
        yield
    finally:
        for name, write in saved.items():
            setattr(DynamoDBBackend, name, write)
