"""Test data for the ``acme`` provider, laid out as hookgate's contract suite expects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

TEST_SECRET: Final[Mapping[str, str]] = {"token": "acme-test-token-not-real"}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "delivered_and_read": (
        b'{"events":[{"id":"ev-1","kind":"delivered","message_id":"m-1"},'
        b'{"id":"ev-2","kind":"read","message_id":"m-1"}]}'
    ),
    "something_new": b'{"events":[{"id":"ev-3","kind":"teleported"}]}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "delivered_and_read": ("message.delivered", "message.read"),
    "something_new": ("unknown",),
}


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Acme sends: the shared token (the body is not signed)."""
    return {"x-acme-token": secret["token"]}
