"""The one parser for Meta's WhatsApp webhook payloads (Cloud API envelope and On-Premise).

360dialog and Insider One forward Meta's payloads, and a direct Meta plugin would receive them
as they are. One request becomes one event per item: each ``messages[]`` item, each
``statuses[]`` item (out-of-order statuses are kept as they come, each with its own time) and
each ``errors[]`` item, plus one event per ``changes[]`` entry of any other field (template
status updates, account updates, …). Every event gets its own de-duplication key.

Provider event names, looked up in the caller's type map:

* ``message:<type>`` for inbound messages (``message:text``, ``message:button``, …);
* ``status:<status>`` for outbound statuses (``status:delivered``, ``status:failed``, …);
* ``error`` for value-level errors;
* ``<field>:<event>`` or ``<field>`` for other fields (``message_template_status_update:APPROVED``).

A name missing from the map becomes type ``unknown``; nothing is dropped. Missing or oddly typed
fields never raise: Meta documents many optional fields and payloads evolve.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from hookgate.models import EventError, NormalisedEvent
from hookgate.taxonomy import UNKNOWN

CHANNEL = "WHATSAPP"


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) != "" else None


def epoch_time(value: Any) -> datetime | None:
    """Turn Meta's epoch-seconds timestamp (a string or a number) into aware UTC."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _digest(item: Any) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()[:32]


def error_of(item: Mapping[str, Any]) -> EventError:
    """Build an EventError from a Meta error object (``code``, ``title``, ``message``, …)."""
    details = _object(item.get("error_data")).get("details")
    return EventError(
        code=_text(item.get("code")),
        title=_text(item.get("title")) or _text(item.get("type")),
        detail=_text(details) or _text(item.get("message")) or _text(item.get("details")),
    )


def is_envelope(payload: Mapping[str, Any]) -> bool:
    """Return True for a Cloud API envelope (``entry[]``) or an On-Premise body."""
    return isinstance(payload.get("entry"), list) or any(
        isinstance(payload.get(key), list) for key in ("messages", "statuses", "errors")
    )


class _Builder:
    def __init__(
        self,
        *,
        provider: str,
        registration: str,
        received_at: datetime,
        type_map: Mapping[str, str],
        extra: Mapping[str, Any],
    ) -> None:
        self.provider = provider
        self.registration = registration
        self.received_at = received_at
        self.type_map = type_map
        self.extra = dict(extra)
        self.events: list[NormalisedEvent] = []

    def add(self, provider_event: str, dedupe_key: str, raw: Any, **fields: Any) -> None:
        data = {**self.extra, **fields.pop("data", {})}
        self.events.append(
            NormalisedEvent(
                type=self.type_map.get(provider_event, UNKNOWN),
                provider=self.provider,
                registration=self.registration,
                provider_event=provider_event,
                dedupe_key=dedupe_key,
                received_at=self.received_at,
                channel=CHANNEL,
                data=data,
                raw=raw,
                **fields,
            )
        )

    def value(self, value: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        names = {
            _text(c.get("wa_id")): _text(_object(c.get("profile")).get("name"))
            for c in _list(value.get("contacts"))
        }
        for message in _list(value.get("messages")):
            kind = _text(message.get("type")) or "unknown"
            sender = _text(message.get("from"))
            data: dict[str, Any] = {**context, "message_type": kind}
            if sender:
                data["from"] = sender
            if names.get(sender):
                data["profile_name"] = names[sender]
            if kind == "text":
                data["text"] = _text(_object(message.get("text")).get("body"))
            if kind == "button":
                data["button_text"] = _text(_object(message.get("button")).get("text"))
            if _object(message.get("context")).get("id"):
                data["reply_to"] = _text(_object(message.get("context")).get("id"))
            message_id = _text(message.get("id"))
            self.add(
                f"message:{kind}",
                f"message:{message_id}" if message_id else f"message:{_digest(message)}",
                message,
                occurred_at=epoch_time(message.get("timestamp")),
                message_id=message_id,
                contact_id=sender,
                data=data,
            )
        for status in _list(value.get("statuses")):
            state = _text(status.get("status")) or "unknown"
            message_id = _text(status.get("id"))
            errors = _list(status.get("errors"))
            data = {**context}
            for key in ("conversation", "pricing", "biz_opaque_callback_data"):
                if status.get(key) is not None:
                    data[key] = status[key]
            self.add(
                f"status:{state}",
                f"status:{message_id}:{state}" if message_id else f"status:{_digest(status)}",
                status,
                occurred_at=epoch_time(status.get("timestamp")),
                message_id=message_id,
                contact_id=_text(status.get("recipient_id")),
                status=state,
                error=error_of(errors[0]) if errors else None,
                data=data,
            )
        for index, error in enumerate(_list(value.get("errors"))):
            self.add(
                "error",
                f"error:{_text(error.get('code')) or '-'}:{_digest(error)}:{index}",
                error,
                error=error_of(error),
                data={**context},
            )


def parse_envelope(
    payload: Mapping[str, Any],
    *,
    provider: str,
    registration: str,
    received_at: datetime,
    type_map: Mapping[str, str],
    extra: Mapping[str, Any] | None = None,
) -> list[NormalisedEvent]:
    """Parse a Cloud API envelope or an On-Premise body into one event per item.

    ``extra`` is merged into every event's ``data`` (e.g. Insider's tracking ``key``).
    """
    builder = _Builder(
        provider=provider,
        registration=registration,
        received_at=received_at,
        type_map=type_map,
        extra=extra or {},
    )
    entries: Sequence[Mapping[str, Any]] = _list(payload.get("entry"))
    if not isinstance(payload.get("entry"), list):
        builder.value(payload, {})
        return builder.events
    for entry in entries:
        for change in _list(entry.get("changes")):
            field = _text(change.get("field")) or "messages"
            value = _object(change.get("value"))
            metadata = _object(value.get("metadata"))
            context = {
                key: metadata[key]
                for key in ("display_phone_number", "phone_number_id")
                if metadata.get(key) is not None
            }
            if entry.get("id") is not None:
                context["waba_id"] = entry["id"]
            if field == "messages":
                builder.value(value, context)
                continue
            event = _text(value.get("event"))
            name = f"{field}:{event}" if event and f"{field}:{event}" in type_map else field
            builder.add(name, f"{field}:{_digest(change)}", change, data={**context})
    return builder.events
