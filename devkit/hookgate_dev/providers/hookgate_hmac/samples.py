"""Sample deliveries for the ``hmac`` provider, three senders' schemes and a signer for each.

``TEST_SECRET`` is made up for tests; never use it for a real registration. The schemes are
public: GitHub's ``X-Hub-Signature-256`` (``sha256=`` and the hex HMAC-SHA256 of the body),
Shopify's ``X-Shopify-Hmac-Sha256`` (the base64 HMAC-SHA256 of the body) and Slack's
``X-Slack-Signature`` (``v0=`` and the hex HMAC-SHA256 of ``v0:{timestamp}:{body}``, with
``X-Slack-Request-Timestamp``). Each signer is written from the sender's documentation, not
with the plugin's code. ``EXPECTED_TYPES`` is the golden data for every scheme.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

TEST_SECRET: Final[Mapping[str, str]] = {"signing_secret": "test-only-hmac-shared-secret"}

GITHUB_SETTINGS: Final[Mapping[str, Any]] = {
    "signature_header": "X-Hub-Signature-256",
    "algorithm": "sha256",
    "encoding": "hex",
    "prefix": "sha256=",
}
SHOPIFY_SETTINGS: Final[Mapping[str, Any]] = {
    "signature_header": "X-Shopify-Hmac-Sha256",
    "algorithm": "sha256",
    "encoding": "base64",
}
SLACK_SETTINGS: Final[Mapping[str, Any]] = {
    "signature_header": "X-Slack-Signature",
    "prefix": "v0=",
    "signed_payload": "v0:{timestamp}:{body}",
    "timestamp_header": "X-Slack-Request-Timestamp",
    "timestamp_tolerance_seconds": 300,
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "delivered": b'{"id":"evt_1","type":"message.delivered","data":{"message_id":"m1"}}',
    "received": b'{"id":"evt_2","type":"message.received","data":{"text":"hi"}}',
    "something_new": b'{"id":"evt_3","type":"order.created","data":{"total":"12.00"}}',
    "no_id": b'{"type":"contact.updated","data":{"contact":"c1"}}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "delivered": ("message.delivered",),
    "received": ("message.received",),
    "something_new": ("unknown",),
    "no_id": ("contact.updated",),
}


def _mac(secret: Mapping[str, str], message: bytes) -> bytes:
    return hmac.new(secret["signing_secret"].encode(), message, hashlib.sha256).digest()


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header GitHub sends (``GITHUB_SETTINGS``): ``sha256=`` and the hex HMAC."""
    return {"x-hub-signature-256": "sha256=" + _mac(secret, body).hex()}


def shopify_signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Shopify sends (``SHOPIFY_SETTINGS``): the base64 HMAC of the body."""
    return {"x-shopify-hmac-sha256": base64.b64encode(_mac(secret, body)).decode()}


def slack_signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the headers Slack sends (``SLACK_SETTINGS``): ``v0:{timestamp}:{body}`` signed."""
    stamp = str(int(now.timestamp()))
    digest = _mac(secret, b"v0:" + stamp.encode() + b":" + body).hex()
    return {"x-slack-signature": "v0=" + digest, "x-slack-request-timestamp": stamp}
