"""360dialog provider: a custom header token, optionally the partner HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from hookgate.plugin import (
    UNKNOWN,
    HandshakeResponse,
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretStage,
    SecretVersions,
    Verdict,
    hookimpl,
    is_envelope,
    load_object,
    parse_envelope,
    sync_hooks,
)
from hookgate_360dialog.event_types import EVENT_TYPE_MAP
from hookgate_360dialog.settings import Dialog360Settings

if TYPE_CHECKING:
    pass

PROVIDER = "360dialog"
TOKEN_KEY = "header_token"  # noqa: S105 - the key's name, not a secret
# Optional: the Partner Hub platform secret. Not in ProviderInfo.secret_keys, which the local
# stack fills with random values: a partner secret there would require partner signatures.
PARTNER_KEY = "partner_secret"
SIGNATURE_HEADER = "x-360dialog-signature"


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the 360dialog provider."""
    return ProviderInfo(
        name=PROVIDER,
        title="360dialog WhatsApp Business API",
        settings_model=Dialog360Settings,
        secret_keys=(TOKEN_KEY,),
        rotates=(TOKEN_KEY,),
        api_credential_keys=("api_key",),
    )


def partner_signature(secret: str, body: bytes) -> str:
    """Return the partner signature of ``body``: lower-case hex HMAC-SHA256."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _token_stage(presented: str, secrets: SecretVersions) -> SecretStage | None:
    given = presented.strip().encode("utf-8")
    for version, token in secrets.candidates(TOKEN_KEY):
        if hmac.compare_digest(token.encode("utf-8"), given):
            return version.stage
    return None


def _partner_ok(presented: str, body: bytes, secrets: SecretVersions) -> bool:
    # The encoding is not in 360dialog's text [GUESS, providers.md §4.2]: third parties send
    # lower-case hex, one claims a "sha256=" prefix, so both are accepted (hex in any case).
    given = presented.strip().lower().removeprefix("sha256=").encode("utf-8")
    return any(
        hmac.compare_digest(partner_signature(secret, body).encode("ascii"), given)
        for _, secret in secrets.candidates(PARTNER_KEY)
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions
) -> Verdict:
    """Check the registration's custom header token, then the partner signature if configured.

    The header token is compared in constant time with each version's ``header_token``; the
    stage reported is the one whose token matched. When any version holds ``partner_secret``
    (or the settings require it), ``x-360dialog-signature`` must also match one of them.
    """
    settings = registration.settings
    if not isinstance(settings, Dialog360Settings):
        return Verdict.settings_mismatch(PROVIDER)
    if not secrets.candidates(TOKEN_KEY):
        return Verdict.reject("no secret configured")
    presented = request.header(settings.auth_header)
    if not presented:
        return Verdict.reject("missing auth header", retryable_with_fresh_secrets=False)
    stage = _token_stage(presented, secrets)
    if stage is None:
        return Verdict.reject("header token mismatch")
    partner_configured = bool(secrets.candidates(PARTNER_KEY))
    if settings.require_partner_signature and not partner_configured:
        return Verdict.reject("no partner secret configured")
    if partner_configured:
        signature = request.header(SIGNATURE_HEADER)
        if not signature:
            return Verdict.reject("missing partner signature")
        if not _partner_ok(signature, request.body, secrets):
            return Verdict.reject("partner signature mismatch")
    return Verdict.accept(stage)


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse Meta's Cloud API envelope (or the legacy On-Premise body) into events.

    A JSON object that is neither is delivered as one ``unknown`` event (``unrecognised``).
    """
    payload = load_object(request.body)
    if is_envelope(payload):
        return parse_envelope(
            payload,
            provider=PROVIDER,
            registration=registration.name,
            received_at=request.received_at,
            body_digest=request.body_sha256(),
            type_map=EVENT_TYPE_MAP,
        )
    return [
        NormalisedEvent(
            type=EVENT_TYPE_MAP.get("unrecognised", UNKNOWN),
            provider=PROVIDER,
            registration=registration.name,
            provider_event="unrecognised",
            dedupe_key=f"unrecognised:{request.body_sha256()}",
            received_at=request.received_at,
            raw=payload,
        )
    ]


@hookimpl
def hookgate_handshake() -> HandshakeResponse | None:
    """Return None: 360dialog makes no GET handshake on its webhook URLs (providers.md §4.2)."""
    return None


# register.py: the sync engine over the provider's webhook API (imported when sync runs).
hookgate_register, hookgate_rotate_secret = sync_hooks("hookgate_360dialog.register")
