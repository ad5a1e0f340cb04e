"""Insider One deliveries → normalised events; the tracking ``key`` is kept on every event.

Seed 004's shapes, checked in this order:

1. an empty body or ``{}`` → no event (see :func:`parse_delivery`);
2. ``{"error": {…}, "key"}`` (Cloud API error) → one ``send_error``;
3. Meta's envelope (``entry[]``) → :func:`hookgate.meta_whatsapp.parse_envelope`;
4. ``{"errors": […], "key"}`` (On-Premise errors) → one ``send_error`` per item;
5. ``{"messaging_product", "contacts", "messages": [{"id"}], "key"}`` → one ``accepted`` per
   message (told apart from an On-Premise inbound message by having no ``from``);
6. a template message (``"type": "template"`` or a ``template`` object) → ``template_message``;
7. the On-Premise shape (top-level ``messages``/``statuses``) → the shared parser;
8. anything else, or an ``errors`` list without an error object in it → ``unrecognised``
   (delivered as ``unknown``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hookgate.plugin import (
    UNKNOWN,
    InboundRequest,
    NormalisedEvent,
    Registration,
    epoch_time,
    error_of,
    load_object,
    parse_envelope,
)
from hookgate.plugin import WHATSAPP_CHANNEL as CHANNEL
from hookgate_insider_one.event_types import EVENT_TYPE_MAP

PROVIDER = "insider_one"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) or None


class _Events:
    """Builds the events of one request, each carrying the tracking key."""

    def __init__(self, request: InboundRequest, registration: Registration, key: str) -> None:
        self.request = request
        self.registration = registration
        self.key = key
        self.events: list[NormalisedEvent] = []

    def add(self, provider_event: str, raw: Any, *, dedupe_key: str = "", **fields: Any) -> None:
        data = {"key": self.key, **fields.pop("data", {})}
        fallback = f"{provider_event}:{self.request.body_sha256()}:{len(self.events)}"
        self.events.append(
            NormalisedEvent(
                type=EVENT_TYPE_MAP.get(provider_event, UNKNOWN),
                provider=PROVIDER,
                registration=self.registration.name,
                provider_event=provider_event,
                dedupe_key=dedupe_key or fallback,
                received_at=self.request.received_at,
                channel=CHANNEL,
                data=data,
                raw=raw,
                **fields,
            )
        )


def _accepted(events: _Events, payload: Mapping[str, Any]) -> None:
    contacts = _items(payload.get("contacts"))
    messages = _items(payload.get("messages"))
    for index, message in enumerate(messages):
        contact = contacts[index] if index < len(contacts) else {}
        message_id = _text(message.get("id"))
        data = {"input": _text(contact.get("input"))} if _text(contact.get("input")) else {}
        events.add(
            "accepted",
            payload if len(messages) == 1 else {**payload, "messages": [message]},
            dedupe_key=f"accepted:{message_id}" if message_id else "",
            message_id=message_id,
            contact_id=_text(contact.get("wa_id")),
            data=data,
        )


def _template(events: _Events, payload: Mapping[str, Any]) -> None:
    # The event "mirrors the send request" to Meta plus `timestamp` and `content`; seed 004
    # publishes no sample, so the fields read here are [GUESS] from Meta's send request.
    template = _mapping(payload.get("template"))
    language = _mapping(template.get("language"))
    data = {
        "template_name": _text(template.get("name")),
        "template_language": _text(language.get("code")),
        "content": payload.get("content"),
    }
    events.add(
        "template_message",
        payload,
        occurred_at=epoch_time(payload.get("timestamp")),
        contact_id=_text(payload.get("to")),
        data={name: value for name, value in data.items() if value is not None},
    )


def parse_delivery(request: InboundRequest, registration: Registration) -> list[NormalisedEvent]:
    """Parse every shape Insider One documents (seed 004) into events.

    An empty body or ``{}`` yields no event, so hookgate answers 200 and publishes nothing.
    Insider validates the webhook URL with a request carrying the new key when its settings are
    saved, and wants 200 back; that request's body is [NOT FOUND]. An empty or ``{}`` body
    carries no event, and an ``unknown`` event on every settings save would only be noise.
    """
    if not request.body.strip():
        return []
    payload = load_object(request.body)
    if not payload:
        return []
    events = _Events(request, registration, _text(payload.get("key")) or "")
    if isinstance(payload.get("error"), Mapping):
        events.add("send_error", payload, error=error_of(payload["error"]))
    elif isinstance(payload.get("entry"), list):
        return parse_envelope(
            payload,
            provider=PROVIDER,
            registration=registration.name,
            received_at=request.received_at,
            body_digest=request.body_sha256(),
            type_map=EVENT_TYPE_MAP,
            extra={"key": events.key},
        )
    elif isinstance(payload.get("errors"), list):
        for item in _items(payload["errors"]):
            events.add("send_error", item, error=error_of(item))
    elif _items(payload.get("messages")) and not any(
        "from" in message for message in _items(payload.get("messages"))
    ):
        _accepted(events, payload)
    elif payload.get("type") == "template" or isinstance(payload.get("template"), Mapping):
        _template(events, payload)
    elif isinstance(payload.get("messages"), list) or isinstance(payload.get("statuses"), list):
        return parse_envelope(
            payload,
            provider=PROVIDER,
            registration=registration.name,
            received_at=request.received_at,
            body_digest=request.body_sha256(),
            type_map=EVENT_TYPE_MAP,
            extra={"key": events.key},
        )
    if not events.events:
        events.add("unrecognised", payload)
    return events.events
