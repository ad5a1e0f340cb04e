"""The hooks of the ``standard_webhooks`` provider: any sender following Standard Webhooks.

Verification follows the specification (https://www.standardwebhooks.com/, "Verifying
webhooks"): the three headers must be present, ``webhook-timestamp`` within the tolerance of
now (either way), and one ``v1`` signature in ``webhook-signature`` must equal the HMAC-SHA256
of ``{webhook-id}.{webhook-timestamp}.{body}`` keyed with the base64-decoded secret. Every
signature in the header is tried against every secret version, so a sender that signs with its
old and new secret during its own rotation verifies throughout.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from hookgate.plugin import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
    hookimpl,
    parse_generic,
)
from hookgate_standard_webhooks.settings import StandardWebhooksSettings
from hookgate_standard_webhooks.signature import (
    expected_signature,
    presented_signatures,
    secret_key,
)

PROVIDER = "standard_webhooks"
SECRET_KEY = "signing_secret"  # noqa: S105 - the key's name, not a secret
MAX_ID_LENGTH = 256


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the provider: the sender's secret is set by hand, so nothing rotates."""
    return ProviderInfo(
        name=PROVIDER,
        title="Standard Webhooks (any sender; secret set by hand)",
        settings_model=StandardWebhooksSettings,
        secret_keys=(SECRET_KEY,),
    )


def _signed_at(timestamp: str) -> datetime | None:
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return None
    return datetime.fromtimestamp(int(timestamp), UTC)


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions, now: datetime
) -> Verdict:
    """Check ``webhook-signature`` over id, timestamp and the raw body; every entry is tried."""
    settings = registration.settings
    if not isinstance(settings, StandardWebhooksSettings):
        return Verdict.settings_mismatch(PROVIDER)
    keys = [
        (version, key)
        for version, value in secrets.candidates(SECRET_KEY)
        if (key := secret_key(value)) is not None
    ]
    if not keys:
        return Verdict.reject("no secret configured")
    webhook_id = request.header("webhook-id") or ""
    timestamp = (request.header("webhook-timestamp") or "").strip()
    header = request.header("webhook-signature") or ""
    if not webhook_id or not timestamp or not header:
        return Verdict.reject("missing signature headers", retryable_with_fresh_secrets=False)
    if len(webhook_id) > MAX_ID_LENGTH:
        return Verdict.reject("malformed webhook-id", retryable_with_fresh_secrets=False)
    signed_at = _signed_at(timestamp)
    if signed_at is None:
        return Verdict.reject("malformed timestamp", retryable_with_fresh_secrets=False)
    if abs((now - signed_at).total_seconds()) > settings.timestamp_tolerance_seconds:
        return Verdict.reject("stale timestamp", retryable_with_fresh_secrets=False)
    presented = presented_signatures(header)
    if not presented:
        return Verdict.reject("no v1 signature", retryable_with_fresh_secrets=False)
    for version, key in keys:
        expected = expected_signature(key, webhook_id, timestamp, request.body)
        # Every entry is compared, not only until the first match, so timing says nothing.
        if sum(hmac.compare_digest(expected, given) for given in presented):
            return Verdict.accept(version.stage)
    return Verdict.reject("signature mismatch")


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Return the delivery's one event, keyed by ``webhook-id`` (the same on every retry)."""
    webhook_id = (request.header("webhook-id") or "").strip() or None
    return parse_generic(
        request,
        registration,
        registration.settings_as(StandardWebhooksSettings),
        provider=PROVIDER,
        event_id=webhook_id,
    )
