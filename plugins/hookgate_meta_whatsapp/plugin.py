"""The hooks of the ``meta_whatsapp`` provider: WhatsApp Cloud API webhooks sent by Meta.

Meta signs every delivery with ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the
raw body keyed with the app secret; hookgate checks it on the exact bytes, in constant time,
against every secret version in force. Before delivering, Meta verifies the callback URL with a
``GET`` carrying ``hub.mode=subscribe``, ``hub.verify_token`` and ``hub.challenge``; hookgate
echoes the challenge as plain text when the token matches one of the registration's
``verify_token`` versions. Bodies are parsed by :mod:`hookgate.meta_whatsapp`, the parser 360dialog
and Insider One share, so every type it knows appears here too.

Meta offers no API to change an app secret (it is reset by hand in the App Dashboard), so
rotation never changes it: ``ProviderInfo.rotates`` names only ``verify_token``. With
``settings.sync_subscription`` (and ``app_id``), sync keeps the app's WhatsApp webhook
subscription pointed at hookgate through the Graph API (:mod:`hookgate_meta_whatsapp.register`),
and rotation pushes a new verify token by posting the subscription again, which Meta checks at
once with a verification request the handshake answers (it accepts every version in force, the
pending one included). Without it the subscription and the verify token are set by hand: sync
reports ``unmanaged`` and a rotation fails with a configuration error, changing nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Final

from hookgate.plugin import (
    META_EVENT_TYPES,
    UNKNOWN,
    HandshakeResponse,
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersion,
    SecretVersions,
    Verdict,
    hookimpl,
    is_envelope,
    load_object,
    parse_envelope,
)
from hookgate_meta_whatsapp.settings import MetaWhatsAppSettings

if TYPE_CHECKING:
    from hookgate.plugin import PlannedChange

PROVIDER: Final = "meta_whatsapp"
APP_SECRET_KEY: Final = "app_secret"  # noqa: S105 - the key's name, not a secret
VERIFY_TOKEN_KEY: Final = "verify_token"  # noqa: S105 - the key's name, not a secret
SIGNATURE_HEADER: Final = "x-hub-signature-256"
SIGNATURE_PREFIX: Final = "sha256="
MAX_CHALLENGE_LENGTH: Final = 256
EVENT_TYPE_MAP: Final = dict(META_EVENT_TYPES)


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the provider: the verify token rotates; the app secret has no API to push it to."""
    return ProviderInfo(
        name=PROVIDER,
        title="Meta WhatsApp Cloud API (app secret set by hand; verify token rotates with sync)",
        settings_model=MetaWhatsAppSettings,
        secret_keys=(APP_SECRET_KEY, VERIFY_TOKEN_KEY),
        rotates=(VERIFY_TOKEN_KEY,),
        rotates_when="sync_subscription",
        supports_handshake=True,
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions
) -> Verdict:
    """Check ``X-Hub-Signature-256`` over the raw body with each ``app_secret`` version."""
    if not isinstance(registration.settings, MetaWhatsAppSettings):
        return Verdict.settings_mismatch(PROVIDER)
    candidates = secrets.candidates(APP_SECRET_KEY)
    if not candidates:
        return Verdict.reject("no secret configured")
    presented = (request.header(SIGNATURE_HEADER) or "").strip()
    if not presented.startswith(SIGNATURE_PREFIX) or len(presented) == len(SIGNATURE_PREFIX):
        return Verdict.reject("missing signature", retryable_with_fresh_secrets=False)
    given = presented.removeprefix(SIGNATURE_PREFIX).lower().encode("ascii", "replace")
    for version, secret in candidates:
        expected = hmac.new(secret.encode("utf-8"), request.body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected.encode("ascii"), given):
            return Verdict.accept(version.stage)
    return Verdict.reject("signature mismatch")


@hookimpl
def hookgate_register(
    registration: Registration, webhook_url: str, secrets: SecretVersions, apply: bool
) -> list[PlannedChange]:
    """Keep the app's ``whatsapp_business_account`` subscription on hookgate's URL."""
    from hookgate_meta_whatsapp.register import reconcile  # noqa: PLC0415 - httpx

    return reconcile(registration, webhook_url, secrets, apply)


@hookimpl
def hookgate_rotate_secret(
    registration: Registration,
    webhook_url: str,
    new_secret: SecretVersion,
    secrets: SecretVersions,
) -> bool:
    """Give Meta the new verify token by posting hookgate's subscription again."""
    from hookgate_meta_whatsapp.register import push_secret  # noqa: PLC0415 - httpx

    return push_secret(registration, webhook_url, new_secret, secrets)


@hookimpl
def hookgate_handshake(request: InboundRequest, secrets: SecretVersions) -> HandshakeResponse:
    """Answer Meta's verification request: echo ``hub.challenge`` when the token matches.

    403 for a wrong token, a mode other than ``subscribe`` or no token configured; 400 when the
    challenge is missing or implausible (the answer is never longer than a challenge Meta sends).
    """
    mode = request.query.get("hub.mode", "")
    token = request.query.get("hub.verify_token", "")
    challenge = request.query.get("hub.challenge", "")
    if mode != "subscribe" or not token:
        return HandshakeResponse(status_code=403, body="forbidden")
    if not challenge or len(challenge) > MAX_CHALLENGE_LENGTH or not challenge.isprintable():
        return HandshakeResponse(status_code=400, body="bad challenge")
    given = token.encode("utf-8")
    matched = sum(
        hmac.compare_digest(value.encode("utf-8"), given)
        for _, value in secrets.candidates(VERIFY_TOKEN_KEY)
    )
    if not matched:
        return HandshakeResponse(status_code=403, body="forbidden")
    return HandshakeResponse(status_code=200, body=challenge, content_type="text/plain")


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse Meta's envelope into one event per item; another JSON object is one ``unknown``."""
    registration.settings_as(MetaWhatsAppSettings)
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
            type=UNKNOWN,
            provider=PROVIDER,
            registration=registration.name,
            provider_event="unrecognised",
            dedupe_key=f"unrecognised:{request.body_sha256()}",
            received_at=request.received_at,
            raw=payload,
        )
    ]
