"""The Sinch callback signature (Conversation API "Validating Callbacks").

``signature = base64(HMAC-SHA256(key=UTF-8(secret), msg=raw_body + "." + nonce + "." + timestamp))``
with the standard alphabet and padding. The body is the exact bytes received, never re-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

ALGORITHM = "HmacSHA256"
SIGNATURE_HEADER = "x-sinch-webhook-signature"
NONCE_HEADER = "x-sinch-webhook-signature-nonce"
TIMESTAMP_HEADER = "x-sinch-webhook-signature-timestamp"
ALGORITHM_HEADER = "x-sinch-webhook-signature-algorithm"


def sign(secret: str, body: bytes, nonce: str, timestamp: str) -> str:
    """Return the signature Sinch sends for ``body`` with this nonce and timestamp."""
    message = b".".join((body, nonce.encode("utf-8"), timestamp.encode("utf-8")))
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def matching[T](
    candidates: Iterable[tuple[T, str]], body: bytes, nonce: str, timestamp: str, signature: str
) -> T | None:
    """Return the first candidate whose secret produced ``signature``, compared in constant time.

    The presented signature is decoded once and compared as raw digest bytes.
    """
    try:
        presented = base64.b64decode(signature.strip(), validate=True)
    except ValueError:  # not base64 (binascii.Error), or not ASCII
        return None
    message = b".".join((body, nonce.encode("utf-8"), timestamp.encode("utf-8")))
    for label, secret in candidates:
        digest = hmac.digest(secret.encode("utf-8"), message, hashlib.sha256)
        if hmac.compare_digest(digest, presented):
            return label
    return None
