"""How a Sinch Provisioning callback is authenticated: one small, replaceable verifier per scheme.

ASSUMPTION: Sinch documents that a Provisioning webhook's ``secret`` is "used to sign contents
of webhooks", but publishes no header names, signed string or algorithm (providers.md §2.6,
[NOT FOUND]). The one scheme here, ``sinch_conversation_hmac``, is the Sinch Conversation API's
(providers.md §1.3): headers ``x-sinch-webhook-signature`` (+ ``-nonce``, ``-timestamp``,
``-algorithm``), ``base64(HMAC-SHA256(secret, body + "." + nonce + "." + timestamp))``. It is
unverified against real Provisioning deliveries. When the real scheme is known, add a function
here and its name to :data:`~hookgate_sinch_provisioning.settings.SignatureScheme`.

The signature primitive itself is the Conversation plugin's
(:mod:`hookgate_sinch.signature`), so both providers sign identically; this module
adds only what the assumption needs: header checks, the timestamp window and the replay guard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Final

from hookgate.plugin import InboundRequest, ReplayGuard, SecretVersions, Verdict
from hookgate_sinch.signature import (
    ALGORITHM,
    ALGORITHM_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    matching,
    sign,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHM_HEADER",
    "NONCE_HEADER",
    "SCHEMES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Verifier",
    "sign",
    "verify_sinch_conversation_hmac",
]

Verifier = Callable[[InboundRequest, SecretVersions, str, timedelta, datetime], Verdict]
"""A scheme's verifier: (request, secrets, secret key, timestamp tolerance, now) → verdict."""


def verify_sinch_conversation_hmac(
    request: InboundRequest,
    secrets: SecretVersions,
    key: str,
    tolerance: timedelta,
    now: datetime,
) -> Verdict:
    """Verify ``request`` with the Sinch Conversation signature scheme (an ASSUMPTION, above).

    Tries each secret version in order and names the one that matched. The signature is
    checked before the timestamp window; an accepted verdict carries the nonce as a replay
    guard that lasts as long as the timestamp stays inside the window.
    """
    candidates = secrets.candidates(key)
    if not candidates:
        return Verdict.reject("no secret configured")
    signature = request.header(SIGNATURE_HEADER)
    nonce = request.header(NONCE_HEADER)
    timestamp = request.header(TIMESTAMP_HEADER)
    if not (signature and nonce and timestamp):
        return Verdict.reject("missing signature headers", retryable_with_fresh_secrets=False)
    algorithm = request.header(ALGORITHM_HEADER)
    if algorithm is not None and algorithm != ALGORITHM:
        return Verdict.reject("unsupported signature algorithm", retryable_with_fresh_secrets=False)
    try:
        signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        return Verdict.reject("malformed timestamp", retryable_with_fresh_secrets=False)

    version = matching(candidates, request.body, nonce, timestamp, signature)
    if version is None:
        return Verdict.reject("signature mismatch")
    if not abs(now - signed_at) <= tolerance:  # fail closed: inside the window or refused
        return Verdict.reject("stale timestamp", retryable_with_fresh_secrets=False)
    guard = ReplayGuard(nonce=nonce, expires_at=max(now, signed_at) + tolerance)
    return Verdict.accept(version.stage, guard)


SCHEMES: Final[Mapping[str, Verifier]] = {
    "sinch_conversation_hmac": verify_sinch_conversation_hmac,
}
"""Scheme name (the registration's ``signature_scheme`` setting) → its verifier."""
