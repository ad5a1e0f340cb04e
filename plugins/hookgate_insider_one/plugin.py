"""Insider One provider: V1 bearer API key; V2 OAuth2 tokens from hookgate's token endpoint."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import TYPE_CHECKING

from hookgate.plugin import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
    hookimpl,
    sync_hooks,
)
from hookgate_insider_one.parse import PROVIDER, parse_delivery
from hookgate_insider_one.settings import InsiderOneSettings

if TYPE_CHECKING:
    from hookgate.plugin import BearerTokens

API_KEY = "api_key"


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the Insider One provider (V2 needs hookgate's OAuth2 token endpoint)."""
    return ProviderInfo(
        name=PROVIDER,
        title="Insider One WhatsApp (V1 bearer key; V2 OAuth2)",
        settings_model=InsiderOneSettings,
        secret_keys=(API_KEY, "client_id", "client_secret", "refresh_token"),
        rotates=(API_KEY, "client_secret", "refresh_token"),
        api_credential_keys=("client_id", "client_secret", "ins_auth_key"),
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest,
    registration: Registration,
    secrets: SecretVersions,
    now: datetime,
    tokens: BearerTokens | None,
) -> Verdict:
    """V1: compare the bearer key in constant time with each version. V2: an OAuth2 token."""
    settings = registration.settings
    if not isinstance(settings, InsiderOneSettings):
        return Verdict.settings_mismatch(PROVIDER)
    if settings.auth == "v2":
        if tokens is None or registration.oauth2 is None:
            return Verdict.reject("oauth2 not configured")
        # Insider presenting the token as "Authorization: Bearer" is [DERIVED] (seed 004).
        return tokens.check(request.bearer_token(), registration, now, secrets)
    candidates = secrets.candidates(API_KEY)
    if not candidates:
        return Verdict.reject("no secret configured")
    # The delivery header is [DERIVED]: the doc calls apiKey "your webhook Bearer token".
    token = request.bearer_token()
    if token is None:
        return Verdict.reject("missing bearer token", retryable_with_fresh_secrets=False)
    presented = token.encode("utf-8")
    for version, key in candidates:
        if hmac.compare_digest(key.encode("utf-8"), presented):
            return Verdict.accept(version.stage)
    return Verdict.reject("bearer token mismatch")


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse an Insider One delivery into normalised events."""
    return parse_delivery(request, registration)


# register.py: the sync engine over the provider's webhook API (imported when sync runs).
hookgate_register, hookgate_rotate_secret = sync_hooks("hookgate_insider_one.register")
