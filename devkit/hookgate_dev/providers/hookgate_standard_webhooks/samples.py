"""Sample Standard Webhooks deliveries, a made-up test secret and the headers a sender sends.

``TEST_SECRET`` is made up for tests; never use it for a real registration. The payloads follow
the specification's recommended structure (``type``, ``timestamp``, ``data``).
``EXPECTED_TYPES`` is the golden data: the types parse returns with the default settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Final

TEST_SECRET: Final[Mapping[str, str]] = {
    "signing_secret": "whsec_" + base64.b64encode(b"standard-webhooks-test-key-only!").decode()
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "delivered": (
        b'{"type":"message.delivered","timestamp":"2026-11-20T11:59:00.000000Z",'
        b'"data":{"id":"msg_1","status":"delivered"}}'
    ),
    "contact_created": (
        b'{"type":"contact.created","timestamp":"2026-11-20T11:58:00Z",'
        b'"data":{"id":"ct_1","email":"person@example.com"}}'
    ),
    "something_new": b'{"type":"invoice.paid","timestamp":"2026-11-20T11:57:00Z","data":{}}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "delivered": ("message.delivered",),
    "contact_created": ("contact.created",),
    "something_new": ("unknown",),
}


def message_id(body: bytes) -> str:
    """Return the ``webhook-id`` a sender would give ``body`` (the same on every retry)."""
    return "msg_" + hashlib.sha256(body).hexdigest()[:24]


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the three Standard Webhooks headers for ``body``, signed at ``now``.

    Written from the specification, not with the plugin's code, so the samples are a second
    opinion (the ``standardwebhooks`` library is a third, in the tests).
    """
    key_text = secret["signing_secret"].removeprefix("whsec_")
    try:
        key = base64.b64decode(key_text, validate=True)
    except ValueError:  # a deliberately wrong secret in the contract suite
        key = key_text.encode()
    webhook_id, timestamp = message_id(body), str(int(now.timestamp()))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(mac.digest()).decode(),
    }
