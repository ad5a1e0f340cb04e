"""The hooks of the ``example`` provider (Example Co).

Example Co signs each delivery with the hex HMAC-SHA256 of the raw body, keyed with the
registration's ``signing_secret``, in the ``x-example-signature`` header. The body is one
JSON event, ``{"id": "evt_1", "type": "message.delivered", "message_id": "msg_1",
"created": 1795435200}``; ``message_id`` and ``created`` (epoch seconds) are optional.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from hookgate.plugin import (
    UNKNOWN,
    InboundRequest,
    MalformedPayloadError,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
    hookimpl,
    load_object,
)

PROVIDER: Final = "example"
SIGNATURE_HEADER: Final = "x-example-signature"
SIGNING_KEY_NAME: Final = "signing_secret"

# Example Co's event names -> hookgate's taxonomy (docs/events.md). Anything else: "unknown".
EVENT_TYPE_MAP: Final[dict[str, str]] = {
    "message.sent": "message.sent",
    "message.delivered": "message.delivered",
    "message.read": "message.read",
    "message.failed": "message.failed",
    "message.inbound": "message.received",
}


class ExampleSettings(BaseModel):
    """Example Co registrations need no settings (``settings:`` stays empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe Example Co: its name in URLs and hookgate.yaml, settings and secret keys."""
    return ProviderInfo(
        name=PROVIDER,
        title="Example Co",
        settings_model=ExampleSettings,
        secret_keys=(SIGNING_KEY_NAME,),
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions
) -> Verdict:
    """Accept a request whose signature matches the raw body under one secret version."""
    if not isinstance(registration.settings, ExampleSettings):
        return Verdict.settings_mismatch(PROVIDER)  # reject, never raise (a raise answers 500)
    candidates = secrets.candidates(SIGNING_KEY_NAME)
    if not candidates:
        return Verdict.reject("no secret configured")  # fail closed
    submitted = request.header(SIGNATURE_HEADER)
    if not submitted:
        return Verdict.reject("missing signature", retryable_with_fresh_secrets=False)
    presented = submitted.strip().lower().encode("ascii", errors="replace")
    for version, secret in candidates:
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected.encode("ascii"), presented):
            return Verdict.accept(version.stage)
    return Verdict.reject("signature mismatch")


def _epoch_seconds(value: Any) -> datetime | None:
    """Return epoch seconds as aware UTC; None when absent or out of datetime's range."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Return the one event a delivery carries; raise MalformedPayloadError if it is not one."""
    # hookgate's loader refuses what no provider sends: deep nesting, NaN, duplicate keys.
    payload = load_object(request.body)
    event_id, kind = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not event_id:
        raise MalformedPayloadError("example: body has no 'id'")
    if not isinstance(kind, str) or not kind:
        raise MalformedPayloadError("example: body has no 'type'")
    created = payload.get("created")
    message_id = payload.get("message_id")
    return [
        NormalisedEvent(
            type=EVENT_TYPE_MAP.get(kind, UNKNOWN),
            provider=PROVIDER,
            registration=registration.name,
            provider_event=kind,
            dedupe_key=event_id,
            occurred_at=_epoch_seconds(created),
            received_at=request.received_at,
            message_id=message_id if isinstance(message_id, str) else None,
            raw=payload,
        )
    ]
