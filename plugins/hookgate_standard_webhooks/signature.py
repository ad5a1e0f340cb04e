"""The Standard Webhooks signature: HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``.

The secret is base64, shown with a ``whsec_`` prefix; the ``webhook-signature`` header holds
space-separated ``v1,<base64 signature>`` entries (several while a sender rotates its secret).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - the documented prefix, not a secret
VERSION: Final = "v1"
MAX_SIGNATURES: Final = 16


def secret_key(secret: str) -> bytes | None:
    """Return the key bytes of a ``whsec_`` (or bare) base64 secret; None when it is not base64.

    Standard base64 as the specification says; a secret in the URL-safe alphabet (``-`` and
    ``_``, as hookgate's local stack generates) is decoded in that alphabet rather than refused.
    """
    text = secret.strip().removeprefix(SECRET_PREFIX)
    for altchars in (None, b"-_"):
        try:
            key = base64.b64decode(text, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
        return key or None
    return None


def expected_signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> bytes:
    """Return the base64 ``v1`` signature of ``body`` for this id and timestamp, as bytes."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())


def presented_signatures(header: str) -> list[bytes]:
    """Return the ``v1`` signatures in a ``webhook-signature`` header (other versions skipped)."""
    found: list[bytes] = []
    for entry in header.split()[:MAX_SIGNATURES]:
        version, _, value = entry.partition(",")
        if version == VERSION and value:
            found.append(value.encode("ascii", "replace"))
    return found
