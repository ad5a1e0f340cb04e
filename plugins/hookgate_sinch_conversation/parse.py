"""Sinch Conversation callbacks → normalised events (one callback carries one event)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hookgate.plugin import (
    UNKNOWN,
    EventError,
    InboundRequest,
    NormalisedEvent,
    Registration,
    load_object,
)
from hookgate_sinch_conversation.event_types import EVENT_TYPE_MAP, PAYLOAD_KEYS

PROVIDER = "sinch_conversation"
_STATUS_KINDS = {"MESSAGE_DELIVERY", "EVENT_DELIVERY"}


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) else None


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO-8601 time as Sinch sends it (``2020-11-17T15:09:11.659Z``) to aware UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # "0001-01-01T00:00:00+01:00" is before year 1 in UTC
        return None


def _error(report: Mapping[str, Any]) -> EventError | None:
    reason = _object(report.get("reason"))
    if not reason:
        return None
    return EventError(
        code=_text(reason.get("code")),
        title=_text(reason.get("sub_code")),
        detail=_text(reason.get("description")),
    )


def _inbound_text(message: Mapping[str, Any]) -> str | None:
    contact_message = _object(message.get("contact_message"))
    return _text(_object(contact_message.get("text_message")).get("text"))


def _dedupe_key(
    trigger: str, item: Mapping[str, Any], channel: str | None, request: InboundRequest
) -> str:
    status = _text(item.get("status")) or "-"
    if trigger == "MESSAGE_DELIVERY" and _text(item.get("message_id")):
        return f"mdr:{item['message_id']}:{status}:{channel or '-'}"
    if trigger == "EVENT_DELIVERY" and _text(item.get("event_id")):
        return f"edr:{item['event_id']}:{status}:{channel or '-'}"
    if trigger == "MESSAGE_INBOUND" and _text(item.get("id")):
        return f"msg:{item['id']}"
    if trigger == "EVENT_INBOUND" and _text(item.get("id")):
        return f"evt:{item['id']}"
    if trigger == "MESSAGE_SUBMIT" and _text(item.get("message_id")):
        return f"submit:{item['message_id']}:{channel or '-'}"
    return f"{trigger.lower()}:{request.body_sha256()}"  # hashed only when no id names it


def parse_callback(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse one Sinch Conversation callback; unknown kinds become ``unknown`` events."""
    payload = load_object(request.body)

    key = next((k for k in PAYLOAD_KEYS if k in payload), None)
    trigger = PAYLOAD_KEYS[key] if key else "UNKNOWN"
    item = _object(payload.get(key)) if key else {}
    channel_identity = _object(item.get("channel_identity"))
    channel = _text(channel_identity.get("channel"))
    status = _text(item.get("status")) if trigger in _STATUS_KINDS else None
    provider_event = f"{trigger}:{status}" if status else trigger
    event_type = EVENT_TYPE_MAP.get(provider_event, UNKNOWN)

    data: dict[str, Any] = {
        name: payload[name]
        for name in ("app_id", "project_id", "correlation_id", "message_metadata")
        if payload.get(name) not in (None, "")
    }
    for name in ("direction", "processing_mode", "metadata"):
        if item.get(name) not in (None, ""):
            data[name] = item[name]
    if trigger == "MESSAGE_INBOUND" and (text := _inbound_text(item)):
        data["text"] = text
    if trigger == "CHANNEL_EVENT":
        data["channel_event"] = _object(item.get("channel_event"))

    message_id = _text(item.get("message_id")) or (
        _text(item.get("id")) if trigger == "MESSAGE_INBOUND" else None
    )
    return [
        NormalisedEvent(
            type=event_type,
            provider=PROVIDER,
            registration=registration.name,
            provider_event=provider_event,
            dedupe_key=_dedupe_key(trigger, item, channel, request),
            occurred_at=parse_time(payload.get("event_time"))
            or parse_time(payload.get("accepted_time")),
            received_at=request.received_at,
            message_id=message_id,
            conversation_id=_text(item.get("conversation_id")),
            contact_id=_text(item.get("contact_id")),
            channel=channel,
            status=status,
            error=_error(item) if trigger in _STATUS_KINDS else None,
            data=data,
            raw=payload,
        )
    ]
