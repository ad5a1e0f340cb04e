"""The one parser for Meta's WhatsApp webhook payloads (Cloud API envelope and On-Premise).

360dialog and Insider One forward Meta's payloads, and a direct Meta plugin would receive them
as they are. One request becomes one event per item, in payload order (within one ``value``:
messages, then statuses, then errors):

* each ``messages[]`` item → ``message:<type>`` (``message:text``, ``message:button``, …), with
  the sender's profile name from ``contacts[]`` and the useful bits of the type's object in
  ``data``;
* each ``statuses[]`` item → ``status:<status>`` (``status:delivered``, ``status:failed``, …),
  with ``errors[0]`` as the event's error and ``conversation``/``pricing`` kept in ``data``.
  Statuses are kept in the order they came, each with its own timestamp: Meta does not order
  them (``delivered`` can follow ``failed``);
* each value-level ``errors[]`` item → ``error``;
* each ``changes[]`` entry of another ``field`` (template status updates, account updates, …)
  → ``<field>:<event>`` when the caller's type map knows that name, else ``<field>``;
* a ``messages`` change with none of the three lists → ``messages`` (typed ``unknown`` unless
  mapped), so a shape Meta adds later is delivered, not dropped.

Each name is looked up in the caller's type map; a name missing from it becomes type
``unknown``. De-duplication keys: ``message:<wamid>`` and ``status:<wamid>:<status>`` (stable
across retries, distinct per event); an item without an id (errors, other fields) gets
``<name>:<body digest>:<index>``, the convention for id-less payloads.

Missing or oddly typed fields never raise: Meta documents many optional fields and payloads
evolve. Only a body that is not a JSON object raises :class:`MalformedPayloadError` (from
:func:`load_object`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from hookgate import safe_json
from hookgate.models import EventError, NormalisedEvent
from hookgate.taxonomy import UNKNOWN

CHANNEL: Final = "WHATSAPP"
MAX_DEPTH: Final = safe_json.MAX_DEPTH

INBOUND_MESSAGE_TYPES: Final = (
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "order",
    "system",
    "unsupported",  # a type the Cloud API cannot deliver; `errors` says why
    "unknown",  # older API versions' name for the same
)
_ITEM_LISTS: Final = ("messages", "statuses", "errors")
_MEDIA_TYPES: Final = frozenset({"image", "audio", "video", "document", "sticker"})

# Event names this module produces, mapped to hookgate's taxonomy. Plugins forwarding Meta's
# payloads start their EVENT_TYPE_MAP from this. Template status values and the other fields are
# Meta's webhook reference names; a value not listed here is delivered as `unknown`.
META_EVENT_TYPES: Final[Mapping[str, str]] = {
    **{f"message:{kind}": "message.received" for kind in INBOUND_MESSAGE_TYPES},
    "status:sent": "message.sent",
    "status:delivered": "message.delivered",
    "status:read": "message.read",
    "status:failed": "message.failed",
    # Seen in some BSPs' docs only [3P]; Meta's reference lists sent/delivered/read/failed.
    "status:deleted": "message.deleted",
    "error": "request.error",
    "message_template_status_update:APPROVED": "template.approved",
    "message_template_status_update:REJECTED": "template.rejected",
    "message_template_status_update:DISABLED": "template.updated",
    "message_template_status_update:PAUSED": "template.updated",
    "message_template_status_update:FLAGGED": "template.updated",
    "message_template_status_update:REINSTATED": "template.updated",
    "message_template_status_update:PENDING_DELETION": "template.updated",
    "message_template_status_update:DELETED": "template.deleted",
    "message_template_quality_update": "template.updated",
    "template_category_update": "template.updated",
    "phone_number_quality_update": "sender.updated",
    "phone_number_name_update": "sender.updated",
    "account_update": "account.updated",
    "account_review_update": "account.updated",
}


def load_object(body: bytes) -> dict[str, Any]:
    """Decode a request body that must be a JSON object (:func:`hookgate.safe_json.load_object`).

    Raises MalformedPayloadError when it is not UTF-8 JSON, not an object, nests deeper than
    :data:`MAX_DEPTH` (such an event could not be published, so it is refused up front) or holds
    what :mod:`hookgate.safe_json` refuses (NaN, huge numbers, duplicate keys).
    """
    return safe_json.load_object(body)


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """Return a string or integer field as text; anything else (bools too) as None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) or None


def epoch_time(value: Any) -> datetime | None:
    """Turn Meta's epoch-seconds timestamp (a string or a number) into aware UTC, else None."""
    if isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def error_of(item: Mapping[str, Any]) -> EventError:
    """Build an EventError from a Meta error object.

    Takes ``code``; ``title`` (or the API error's ``type``); and ``error_data.details``, else
    ``message``, else On-Premise ``details``.
    """
    details = _object(item.get("error_data")).get("details")
    return EventError(
        code=_text(item.get("code")),
        title=_text(item.get("title")) or _text(item.get("type")),
        detail=_text(details) or _text(item.get("message")) or _text(item.get("details")),
    )


def is_envelope(payload: Mapping[str, Any]) -> bool:
    """Return True for a Cloud API envelope (``entry[]``) or an On-Premise body."""
    return isinstance(payload.get("entry"), list) or any(
        isinstance(payload.get(key), list) for key in _ITEM_LISTS
    )


def _message_data(kind: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields of a message's type-specific object that consumers most often need."""
    content = _object(message.get(kind))
    found: dict[str, Any] = {}
    if kind == "text":
        found["text"] = _text(content.get("body"))
    elif kind == "button":
        found["button_text"] = _text(content.get("text"))
        found["button_payload"] = _text(content.get("payload"))
    elif kind == "interactive":
        reply_kind = _text(content.get("type"))
        reply = _object(content.get(reply_kind)) if reply_kind else {}
        found["interactive_type"] = reply_kind
        found["reply_id"] = _text(reply.get("id"))
        found["reply_title"] = _text(reply.get("title"))
    elif kind == "reaction":
        found["reaction_emoji"] = _text(content.get("emoji"))
        found["reaction_to"] = _text(content.get("message_id"))
    elif kind in _MEDIA_TYPES:
        found["media_id"] = _text(content.get("id"))
        found["mime_type"] = _text(content.get("mime_type"))
        found["caption"] = _text(content.get("caption"))
        found["filename"] = _text(content.get("filename"))
    reply_to = _text(_object(message.get("context")).get("id"))
    if reply_to:
        found["reply_to"] = reply_to
    return {key: value for key, value in found.items() if value is not None}


class _Builder:
    """Collects the events of one request, numbering id-less items for their dedupe keys."""

    def __init__(
        self,
        *,
        provider: str,
        registration: str,
        received_at: datetime,
        body_digest: str,
        type_map: Mapping[str, str],
        extra: Mapping[str, Any],
    ) -> None:
        self.provider = provider
        self.registration = registration
        self.received_at = received_at
        self.body_digest = body_digest
        self.type_map = type_map
        self.extra = dict(extra)
        self.events: list[NormalisedEvent] = []

    def fallback_key(self, name: str) -> str:
        return f"{name}:{self.body_digest}:{len(self.events)}"

    def add(
        self, provider_event: str, dedupe_key: str, raw: Any, data: Mapping[str, Any], **fields: Any
    ) -> None:
        self.events.append(
            NormalisedEvent(
                type=self.type_map.get(provider_event, UNKNOWN),
                provider=self.provider,
                registration=self.registration,
                provider_event=provider_event,
                dedupe_key=dedupe_key,
                received_at=self.received_at,
                channel=CHANNEL,
                data={**self.extra, **data},
                raw=raw,
                **fields,
            )
        )

    def value(self, value: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add one event per message, status and error of ``value``."""
        names: dict[str, str] = {}
        for contact in _list(value.get("contacts")):
            wa_id = _text(contact.get("wa_id"))
            name = _text(_object(contact.get("profile")).get("name"))
            if wa_id and name:
                names[wa_id] = name
        for message in _list(value.get("messages")):
            self.message(message, names, context)
        for status in _list(value.get("statuses")):
            self.status(status, context)
        for error in _list(value.get("errors")):
            code = _text(error.get("code")) or "-"
            key = self.fallback_key(f"error:{code}")
            self.add("error", key, error, context, error=error_of(error))

    def message(
        self, message: Mapping[str, Any], names: Mapping[str, str], context: Mapping[str, Any]
    ) -> None:
        kind = _text(message.get("type")) or "unknown"
        sender = _text(message.get("from"))
        data: dict[str, Any] = {**context, "message_type": kind, **_message_data(kind, message)}
        if sender:
            data["from"] = sender
            if sender in names:
                data["profile_name"] = names[sender]
        errors = _list(message.get("errors"))
        message_id = _text(message.get("id"))
        name = f"message:{kind}"
        self.add(
            name,
            f"message:{message_id}" if message_id else self.fallback_key(name),
            message,
            data,
            occurred_at=epoch_time(message.get("timestamp")),
            message_id=message_id,
            contact_id=sender,
            error=error_of(errors[0]) if errors else None,
        )

    def status(self, status: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        state = _text(status.get("status")) or "unknown"
        message_id = _text(status.get("id"))
        recipient = _text(status.get("recipient_id"))
        errors = _list(status.get("errors"))
        data = {**context}
        if recipient:
            data["recipient_id"] = recipient
        for key in ("conversation", "pricing", "biz_opaque_callback_data"):
            if status.get(key) is not None:
                data[key] = status[key]
        name = f"status:{state}"
        self.add(
            name,
            f"status:{message_id}:{state}" if message_id else self.fallback_key(name),
            status,
            data,
            occurred_at=epoch_time(status.get("timestamp")),
            message_id=message_id,
            contact_id=recipient,
            status=state,
            error=error_of(errors[0]) if errors else None,
        )

    def change(
        self,
        field: str,
        change: Mapping[str, Any],
        context: Mapping[str, Any],
        occurred_at: datetime | None,
    ) -> None:
        """Add one event for a change of a field other than ``messages``."""
        value = _object(change.get("value"))
        event = _text(value.get("event"))
        name = f"{field}:{event}" if event and f"{field}:{event}" in self.type_map else field
        data = {**context}
        if event:
            data["event"] = event
        for key in ("message_template_id", "message_template_name", "message_template_language"):
            if _text(value.get(key)):
                data[key.removeprefix("message_")] = _text(value.get(key))
        if _text(value.get("reason")):
            data["reason"] = _text(value.get("reason"))
        self.add(name, self.fallback_key(field), change, data, occurred_at=occurred_at)


def parse_envelope(
    payload: Mapping[str, Any],
    *,
    provider: str,
    registration: str,
    received_at: datetime,
    body_digest: str,
    type_map: Mapping[str, str],
    extra: Mapping[str, Any] | None = None,
) -> list[NormalisedEvent]:
    """Parse a Cloud API envelope or an On-Premise body into one event per item.

    :param payload: the decoded body (see :func:`load_object`).
    :param body_digest: ``request.body_sha256()``: the dedupe key basis of items without an id.
    :param type_map: provider event name → normalised type (start from
        :data:`META_EVENT_TYPES`); names not in it become ``unknown``.
    :param extra: merged into every event's ``data`` (e.g. Insider's tracking ``key``).
    """
    builder = _Builder(
        provider=provider,
        registration=registration,
        received_at=received_at,
        body_digest=body_digest,
        type_map=type_map,
        extra=extra or {},
    )
    if not isinstance(payload.get("entry"), list):
        builder.value(payload, {})  # On-Premise: the lists are top-level
        return builder.events
    for entry in _list(payload.get("entry")):
        waba_id = _text(entry.get("id"))
        for change in _list(entry.get("changes")):
            field = _text(change.get("field")) or "messages"
            value = _object(change.get("value"))
            metadata = _object(value.get("metadata"))
            context = {
                key: _text(metadata.get(key))
                for key in ("display_phone_number", "phone_number_id")
                if _text(metadata.get(key))
            }
            if waba_id:
                context["waba_id"] = waba_id
            if field != "messages":
                builder.change(field, change, context, epoch_time(entry.get("time")))
            elif any(isinstance(value.get(key), list) for key in _ITEM_LISTS):
                builder.value(value, context)
            else:
                builder.add(field, builder.fallback_key(field), change, context)
    return builder.events
