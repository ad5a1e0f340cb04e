"""Sinch Conversation API provider: signed callbacks (HMAC-SHA256 over body.nonce.timestamp)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hookgate.plugin import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    ReplayGuard,
    SecretVersions,
    Verdict,
    hookimpl,
    sync_hooks,
)
from hookgate_sinch import signature
from hookgate_sinch_conversation.event_types import TRIGGERS
from hookgate_sinch_conversation.parse import PROVIDER, parse_callback
from hookgate_sinch_conversation.settings import SinchConversationSettings

if TYPE_CHECKING:
    from hookgate.plugin import BearerTokens

SECRET_KEY = "webhook_secret"  # noqa: S105 - the key's name, not a secret


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the Sinch Conversation API provider."""
    return ProviderInfo(
        name=PROVIDER,
        title="Sinch Conversation API",
        settings_model=SinchConversationSettings,
        secret_keys=(SECRET_KEY, "client_id", "client_secret"),
        rotates=(SECRET_KEY, "client_secret"),
        api_credential_keys=("key_id", "key_secret"),
        event_names=TRIGGERS,
        sync_needs_events=True,
    )


_ALGORITHM = signature.ALGORITHM.lower()


def _timestamp(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):  # "nan" would pass every window comparison
        return None
    # Sinch sends epoch seconds (SDK test vectors); a 13-digit value is read as milliseconds
    # [GUESS: not documented, tolerated so a format change cannot lock every delivery out].
    return number / 1000 if number > 1e12 else number


@hookimpl
def hookgate_verify(
    request: InboundRequest,
    registration: Registration,
    secrets: SecretVersions,
    now: datetime,
    tokens: BearerTokens | None,
) -> Verdict:
    """Check the bearer token (OAuth2 webhooks), the signature, the timestamp window.

    An accepting verdict hands the nonce to the core, which refuses it a second time.
    """
    settings = registration.settings
    if not isinstance(settings, SinchConversationSettings):
        return Verdict.settings_mismatch(PROVIDER)
    if registration.oauth2 is not None:
        if tokens is None:
            return Verdict.reject("oauth2 not configured")
        # Sinch presenting the token as "Authorization: Bearer" is [DERIVED] (RFC 6750).
        bearer = tokens.check(request.bearer_token(), registration, now, secrets)
        if not bearer.ok:
            return bearer
        if not settings.require_signature and not secrets.candidates(SECRET_KEY):
            return bearer
    headers = request.headers  # names stored lower-cased, as the constants are spelt
    presented = headers.get(signature.SIGNATURE_HEADER)
    nonce = headers.get(signature.NONCE_HEADER)
    stamp = headers.get(signature.TIMESTAMP_HEADER)
    if not presented or not nonce or not stamp:
        return Verdict.reject("missing signature headers", retryable_with_fresh_secrets=False)
    algorithm = headers.get(signature.ALGORITHM_HEADER)
    if algorithm is not None and algorithm.strip().lower() != _ALGORITHM:
        return Verdict.reject("unsupported signature algorithm", retryable_with_fresh_secrets=False)
    candidates = secrets.candidates(SECRET_KEY)
    if not candidates:
        return Verdict.reject("no secret configured")
    matched = signature.matching(candidates, request.body, nonce, stamp, presented)
    if matched is None:
        return Verdict.reject("signature mismatch")
    signed_at = _timestamp(stamp)
    tolerance = settings.timestamp_tolerance_seconds
    # Written so that anything incomparable (a NaN) lands outside the window.
    if signed_at is None or not abs(now.timestamp() - signed_at) <= tolerance:
        return Verdict.reject("stale timestamp", retryable_with_fresh_secrets=False)
    expires = datetime.fromtimestamp(signed_at + tolerance, UTC)
    return Verdict.accept(matched.stage, ReplayGuard(nonce=nonce, expires_at=expires))


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse a Sinch Conversation callback into one normalised event."""
    return parse_callback(request, registration)


# register.py: the sync engine over the provider's webhook API (imported when sync runs).
hookgate_register, hookgate_rotate_secret = sync_hooks("hookgate_sinch_conversation.register")
