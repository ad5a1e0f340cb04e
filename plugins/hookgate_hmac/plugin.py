"""The hooks of the ``hmac`` provider: any sender that signs with an HMAC of a shared secret.

Each registration says how its sender signs (:class:`~hookgate_hmac.settings.HmacSettings`):
which header carries the signature, the hash, hex or base64, a prefix such as ``sha256=``, and
whether the raw body alone or a template like ``{timestamp}.{body}`` is signed. The signature is
recomputed over the exact bytes received and compared in constant time with each secret version
in force. The secret is set by hand at the sender and in Secrets Manager: nothing rotates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Final

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
from hookgate_hmac.settings import HmacSettings

PROVIDER: Final = "hmac"
SECRET_KEY: Final = "signing_secret"  # noqa: S105 - the key's name, not a secret
MAX_SIGNATURE_LENGTH: Final = 512
_DIGESTS: Final = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the provider: the sender's secret is set by hand, so nothing rotates."""
    return ProviderInfo(
        name=PROVIDER,
        title="Configurable HMAC signature (any sender; secret set by hand)",
        settings_model=HmacSettings,
        secret_keys=(SECRET_KEY,),
    )


def signed_bytes(settings: HmacSettings, body: bytes, timestamp: str) -> bytes:
    """Return what the sender signs: ``settings.signed_payload`` with the raw body in place."""
    before, _, after = settings.signed_payload.partition("{body}")
    return (
        before.replace("{timestamp}", timestamp).encode("utf-8")
        + body
        + after.replace("{timestamp}", timestamp).encode("utf-8")
    )


def _encoded(settings: HmacSettings, key: str, message: bytes) -> bytes:
    mac = hmac.new(key.encode("utf-8"), message, _DIGESTS[settings.algorithm]).digest()
    return mac.hex().encode() if settings.encoding == "hex" else base64.b64encode(mac)


def _timestamp_problem(settings: HmacSettings, timestamp: str, now: datetime) -> str | None:
    if not timestamp:
        return "missing timestamp"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "malformed timestamp"
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if abs((now - signed_at).total_seconds()) > settings.timestamp_tolerance_seconds:
        return "stale timestamp"
    return None


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions, now: datetime
) -> Verdict:
    """Recompute the configured HMAC over the raw body (and timestamp) for each secret version."""
    settings = registration.settings
    if not isinstance(settings, HmacSettings):
        return Verdict.settings_mismatch(PROVIDER)
    candidates = secrets.candidates(SECRET_KEY)
    if not candidates:
        return Verdict.reject("no secret configured")
    presented = (request.header(settings.signature_header) or "").strip()
    if not presented.startswith(settings.prefix) or len(presented) == len(settings.prefix):
        return Verdict.reject("missing signature", retryable_with_fresh_secrets=False)
    if len(presented) > MAX_SIGNATURE_LENGTH:
        return Verdict.reject("malformed signature", retryable_with_fresh_secrets=False)
    timestamp = ""
    if settings.timestamp_header is not None:
        timestamp = (request.header(settings.timestamp_header) or "").strip()
        if problem := _timestamp_problem(settings, timestamp, now):
            return Verdict.reject(problem, retryable_with_fresh_secrets=False)
    given = presented.removeprefix(settings.prefix)
    # Hex digests are compared in lower case: senders differ in the case they print.
    given_bytes = (given.lower() if settings.encoding == "hex" else given).encode(
        "ascii", "replace"
    )
    message = signed_bytes(settings, request.body, timestamp)
    for version, key in candidates:
        if hmac.compare_digest(_encoded(settings, key, message), given_bytes):
            return Verdict.accept(version.stage)
    return Verdict.reject("signature mismatch")


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Return the delivery's one event, typed from the configured JSON path or header."""
    settings = registration.settings_as(HmacSettings)
    delivery_id = None
    if settings.event_id_header is not None:
        delivery_id = (request.header(settings.event_id_header) or "").strip()[:200] or None
    return parse_generic(request, registration, settings, provider=PROVIDER, event_id=delivery_id)
