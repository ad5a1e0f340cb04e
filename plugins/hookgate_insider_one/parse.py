"""Insider One deliveries → normalised events; the tracking ``key`` is kept on every event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from hookgate.errors import MalformedPayloadError
from hookgate.meta_whatsapp import epoch_time, error_of, is_envelope, parse_envelope
from hookgate.models import InboundRequest, NormalisedEvent, Registration
from hookgate.taxonomy import UNKNOWN
from hookgate_insider_one.event_types import EVENT_TYPE_MAP

PROVIDER = "insider_one"


def _event(
    request: InboundRequest,
    registration: Registration,
    provider_event: str,
    dedupe_key: str,
    *,
    raw: Any,
    data: Mapping[str, Any],
    **fields: Any,
) -> NormalisedEvent:
    return NormalisedEvent(
        type=EVENT_TYPE_MAP.get(provider_event, UNKNOWN),
        provider=PROVIDER,
        registration=registration.name,
        provider_event=provider_event,
        dedupe_key=dedupe_key,
        received_at=request.received_at,
        channel="WHATSAPP",
        data=data,
        raw=raw,
        **fields,
    )


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def parse_delivery(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse every shape Insider One documents (seed 004)."""
    if not request.body.strip():
        # Insider validates a webhook URL when settings are saved; that request's shape is
        # [NOT FOUND]. An empty body carries no event: accept it with none.
        return []
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedPayloadError("body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedPayloadError("body is not a JSON object")
    if not payload:
        return []  # `{}`: the same save-time validation probe, carrying no event
    key = payload.get("key") if isinstance(payload.get("key"), str) else None
    data = {"key": key or ""}

    if isinstance(payload.get("error"), Mapping):
        error = error_of(payload["error"])
        return [
            _event(
                request,
                registration,
                "send_error",
                f"error:{key or _digest(payload)}",
                raw=payload,
                data=data,
                error=error,
            )
        ]
    if isinstance(payload.get("errors"), list) and not isinstance(payload.get("entry"), list):
        items = [e for e in payload["errors"] if isinstance(e, Mapping)]
        return [
            _event(
                request,
                registration,
                "send_error",
                f"errors:{key or _digest(payload)}:{index}",
                raw=item,
                data=data,
                error=error_of(item),
            )
            for index, item in enumerate(items)
        ]
    if is_envelope(payload) and "messaging_product" not in payload:
        return parse_envelope(
            payload,
            provider=PROVIDER,
            registration=registration.name,
            received_at=request.received_at,
            type_map=EVENT_TYPE_MAP,
            extra=data,
        )
    if payload.get("type") == "template" or isinstance(payload.get("template"), Mapping):
        # The template message event "mirrors the send request" plus timestamp and content;
        # no sample is published [GUESS: shape taken from Meta's send request].
        found = payload.get("template")
        template: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        return [
            _event(
                request,
                registration,
                "template_message",
                f"template:{key or _digest(payload)}",
                raw=payload,
                data={**data, "template": template.get("name")},
                occurred_at=epoch_time(payload.get("timestamp")),
                contact_id=payload.get("to") if isinstance(payload.get("to"), str) else None,
            )
        ]
    if isinstance(payload.get("messages"), list) and "messaging_product" in payload:
        ids = [m.get("id") for m in payload["messages"] if isinstance(m, Mapping)]
        return [
            _event(
                request,
                registration,
                "accepted",
                f"accepted:{message_id}",
                raw=payload,
                data=data,
                message_id=str(message_id),
            )
            for message_id in ids
            if message_id
        ] or [
            _event(
                request,
                registration,
                "accepted",
                f"accepted:{_digest(payload)}",
                raw=payload,
                data=data,
            )
        ]
    return [
        _event(
            request,
            registration,
            "unrecognised",
            f"unrecognised:{request.body_sha256()}",
            raw=payload,
            data=data,
        )
    ]
