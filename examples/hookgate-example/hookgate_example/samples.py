"""Test data for the ``example`` provider, laid out as hookgate's contract suite expects.

``TEST_SECRET`` is made up for tests; never use it for a real registration.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Final

TEST_SECRET: Final[Mapping[str, str]] = {"signing_secret": "example-test-secret-not-real"}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "delivered": (
        b'{"id":"evt_1","type":"message.delivered","message_id":"msg_1","created":1795435200}'
    ),
    "inbound": b'{"id":"evt_2","type":"message.inbound","message_id":"msg_2"}',
    "something_new": b'{"id":"evt_3","type":"message.teleported"}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "delivered": ("message.delivered",),
    "inbound": ("message.received",),
    "something_new": ("unknown",),
}


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Example Co sends with ``body`` (its scheme signs no time)."""
    digest = hmac.new(secret["signing_secret"].encode(), body, hashlib.sha256).hexdigest()
    return {"x-example-signature": digest}
