"""The hooks of the ``acme`` provider.

Acme authenticates a delivery with a shared token in the ``x-acme-token`` header, and sends a
JSON body ``{"events": [{"id": ..., "kind": ..., "message_id": ...}, ...]}``.
"""

from __future__ import annotations

import hmac
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from hookgate import hookimpl
from hookgate.errors import MalformedPayloadError
from hookgate.models import (
    InboundRequest,
    NormalisedEvent,
    ProviderInfo,
    Registration,
    SecretVersions,
    Verdict,
)
from hookgate.safe_json import loads
from hookgate.taxonomy import UNKNOWN

TOKEN_HEADER: Final = "x-acme-token"
TOKEN_KEY: Final = "token"
EVENT_TYPE_MAP: Final = {
    "sent": "message.sent",
    "delivered": "message.delivered",
    "read": "message.read",
    "failed": "message.failed",
}


class AcmeSettings(BaseModel):
    """Acme registrations need no settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@hookimpl
def hookgate_provider() -> ProviderInfo:
    """Describe the Acme provider."""
    return ProviderInfo(
        name="acme", title="Acme", settings_model=AcmeSettings, secret_keys=(TOKEN_KEY,)
    )


@hookimpl
def hookgate_verify(
    request: InboundRequest, registration: Registration, secrets: SecretVersions
) -> Verdict:
    """Accept a request whose token header equals one of the registration's tokens."""
    if not isinstance(registration.settings, AcmeSettings):
        return Verdict.settings_mismatch("acme")
    candidates = secrets.candidates(TOKEN_KEY)
    if not candidates:
        return Verdict.reject("no secret configured")
    submitted = request.header(TOKEN_HEADER)
    if not submitted:
        return Verdict.reject("missing token", retryable_with_fresh_secrets=False)
    presented = submitted.encode("utf-8", errors="replace")
    for version, token in candidates:
        if hmac.compare_digest(token.encode(), presented):
            return Verdict.accept(version.stage)
    return Verdict.reject("token mismatch")


@hookimpl
def hookgate_parse(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Return one normalised event per item of ``events``."""
    payload: Any = loads(request.body)  # hookgate's bounded loader: no deep nesting, no NaN
    items = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise MalformedPayloadError("acme: body has no 'events' list")
    events = []
    for index, item in enumerate(items):
        fields = item if isinstance(item, dict) else {}
        kind = str(fields.get("kind", UNKNOWN))
        event_id = fields.get("id")
        events.append(
            NormalisedEvent(
                type=EVENT_TYPE_MAP.get(kind, UNKNOWN),
                provider="acme",
                registration=registration.name,
                provider_event=kind,
                dedupe_key=str(event_id) if event_id else f"{request.body_sha256()}:{index}",
                received_at=request.received_at,
                message_id=fields.get("message_id"),
                raw=item,
            )
        )
    return events
