"""The one parser for Meta's WhatsApp webhook payloads (Cloud API envelope and On-Premise).

360dialog and Insider One forward Meta's payloads, and a direct Meta plugin would receive them
as they are. One request becomes one event per item, in payload order (within one ``value``:
messages, then statuses, then errors):

* each ``messages[]`` item → ``message:<type>`` (``message:text``, ``message:button``, …), with
  the sender's profile name from ``contacts[]`` and the useful bits of the type's object in
  ``data`` (text, media, location, shared contacts, Flow replies, the ad a message came from).
  A sender known only by a business-scoped user id (BSUID) keeps it as ``contact_id``;
* each ``statuses[]`` item → ``status:<status>`` (``status:delivered``, ``status:failed``, …),
  with ``errors[0]`` as the event's error and ``conversation``/``pricing`` kept in ``data``.
  Statuses are kept in the order they came, each with its own timestamp: Meta does not order
  them (``delivered`` can follow ``failed``);
* each value-level ``errors[]`` item → ``error``;
* each item of the list fields in :data:`ITEM_FIELDS`: ``smb_message_echoes`` (messages the
  business sent from the WhatsApp Business app), ``calls:<event>`` and ``call_status:<status>``,
  ``user_preferences:<stop|resume>``;
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
from hookgate.errors import MalformedPayloadError
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
    "unsupported",  # a type the Cloud API cannot deliver; `errors` says why
    "unknown",  # older API versions' name for the same
)
_ITEM_LISTS: Final = ("messages", "statuses", "errors")
# Fields whose ``value`` holds a list of items, one event each: field → list key. Shapes from
# Meta's webhook reference pages for these fields; list keys not in a payload fall back to one
# event per change, so a shape that differs is still delivered.
ITEM_FIELDS: Final[Mapping[str, str]] = {
    "smb_message_echoes": "message_echoes",
    "calls": "calls",
    "user_preferences": "user_preferences",
}
_MEDIA_TYPES: Final = frozenset({"image", "audio", "video", "document", "sticker"})

# Meta's template status values (message_template_status_update webhook reference). UNLOCKED is
# [GUESS]: the reference mentions templates being "locked or unlocked" but lists only LOCKED.
TEMPLATE_STATUS_TYPES: Final[Mapping[str, str]] = {
    "APPROVED": "template.approved",
    "REJECTED": "template.rejected",
    "PENDING": "template.updated",
    "IN_APPEAL": "template.updated",
    "DISABLED": "template.updated",
    "PAUSED": "template.updated",
    "FLAGGED": "template.updated",
    "REINSTATED": "template.updated",
    "LOCKED": "template.updated",
    "UNLOCKED": "template.updated",
    "ARCHIVED": "template.updated",
    "UNARCHIVED": "template.updated",
    "LIMIT_EXCEEDED": "template.updated",
    "PENDING_DELETION": "template.updated",
    "DELETED": "template.deleted",
}

# Event names this module produces, mapped to hookgate's taxonomy. Plugins forwarding Meta's
# payloads start their EVENT_TYPE_MAP from this. Template status values and the other fields are
# Meta's webhook reference names; a value not listed here is delivered as `unknown`.
META_EVENT_TYPES: Final[Mapping[str, str]] = {
    **{f"message:{kind}": "message.received" for kind in INBOUND_MESSAGE_TYPES},
    "message:system": "contact.updated",  # the customer changed number or identity
    "message:edit": "message.edited",  # Business app (coexistence) users only
    "message:revoke": "message.revoked",  # Business app (coexistence) users only
    "status:sent": "message.sent",
    "status:delivered": "message.delivered",
    "status:read": "message.read",
    "status:played": "message.played",  # a voice message the business sent was played
    "status:failed": "message.failed",
    # Seen in some BSPs' docs only [3P]; Meta's reference lists sent/delivered/read/failed.
    "status:deleted": "message.deleted",
    "error": "request.error",
    **{
        f"message_template_status_update:{event}": kind
        for event, kind in TEMPLATE_STATUS_TYPES.items()
    },
    "message_template_quality_update": "template.updated",
    "message_template_components_update": "template.updated",
    "template_category_update": "template.updated",
    "phone_number_quality_update": "sender.updated",
    "phone_number_name_update": "sender.updated",
    "account_update": "account.updated",
    "account_review_update": "account.updated",
    "smb_message_echoes": "message.echoed",
    "calls:connect": "call.started",
    "calls:terminate": "call.ended",
    # Call status values of business-initiated calls [GUESS: from Meta's calling pages].
    "call_status:RINGING": "call.updated",
    "call_status:ACCEPTED": "call.updated",
    "call_status:REJECTED": "call.updated",
    "user_preferences:stop": "consent.opted_out",
    "user_preferences:resume": "consent.opted_in",
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


def _number(value: Any) -> float | None:
    """Return a JSON number (not a bool) as float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _compact(found: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in found.items() if value not in (None, [], {})}


def _referral(message: Mapping[str, Any]) -> dict[str, Any]:
    """Return the click-to-WhatsApp ad a message came from (``referral``), typed."""
    referral = _object(message.get("referral"))
    keys = ("source_url", "source_id", "source_type", "headline", "body", "media_type")
    return _compact(
        {
            **{key: _text(referral.get(key)) for key in keys},
            "media_url": _text(referral.get("image_url")) or _text(referral.get("video_url")),
            "ctwa_clid": _text(referral.get("ctwa_clid")),
        }
    )


def _flow_reply(reply: Mapping[str, Any]) -> dict[str, Any]:
    """Return a Flow's answer (``interactive.nfm_reply``): ``response_json`` decoded if it can be.

    Meta sends ``response_json`` as a string holding a JSON object; anything else is kept as
    the text it is, so a malformed reply is still delivered.
    """
    response_text = _text(reply.get("response_json"))
    response: Any = response_text
    if response_text is not None:
        try:
            response = safe_json.load_object(response_text.encode())
        except MalformedPayloadError:
            response = response_text
    return _compact(
        {
            "flow_name": _text(reply.get("name")),
            "flow_body": _text(reply.get("body")),
            "flow_response": response,
        }
    )


def _shared_contacts(content: Any) -> list[dict[str, Any]]:
    """Return the cards of a ``contacts`` message: name, phones and their WhatsApp ids."""
    cards = []
    for card in _list(content):
        phones = _list(card.get("phones"))
        cards.append(
            _compact(
                {
                    "name": _text(_object(card.get("name")).get("formatted_name")),
                    "phones": [p for p in (_text(phone.get("phone")) for phone in phones) if p],
                    "wa_ids": [w for w in (_text(phone.get("wa_id")) for phone in phones) if w],
                }
            )
        )
    return cards


def _kind_data(kind: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """Return the typed fields of the message's own ``kind`` object."""
    content = _object(message.get(kind))
    if kind == "text":
        return {"text": _text(content.get("body"))}
    if kind == "button":
        return {
            "button_text": _text(content.get("text")),
            "button_payload": _text(content.get("payload")),
        }
    if kind == "interactive":
        reply_kind = _text(content.get("type"))
        reply = _object(content.get(reply_kind)) if reply_kind else {}
        found = {"interactive_type": reply_kind}
        if reply_kind == "nfm_reply":
            return {**found, **_flow_reply(reply)}
        return {
            **found,
            "reply_id": _text(reply.get("id")),
            "reply_title": _text(reply.get("title")),
        }
    if kind == "reaction":
        return {
            "reaction_emoji": _text(content.get("emoji")),
            "reaction_to": _text(content.get("message_id")),
        }
    if kind == "location":
        return {
            "latitude": _number(content.get("latitude")),
            "longitude": _number(content.get("longitude")),
            "location_name": _text(content.get("name")),
            "location_address": _text(content.get("address")),
            "location_url": _text(content.get("url")),
        }
    if kind == "contacts":
        return {"shared_contacts": _shared_contacts(message.get("contacts"))}
    if kind == "system":
        # ``wa_id`` in the reference; older payloads spell it ``new_wa_id``.
        return {
            "system_type": _text(content.get("type")),
            "system_body": _text(content.get("body")),
            "new_wa_id": _text(content.get("wa_id")) or _text(content.get("new_wa_id")),
        }
    if kind == "revoke":
        return {"original_message_id": _text(content.get("original_message_id"))}
    if kind == "edit":
        # [GUESS] the edited message sits in ``edit.message`` shaped like an inbound message.
        edited = _object(content.get("message"))
        edited_kind = _text(edited.get("type"))
        inner = _kind_data(edited_kind, edited) if edited_kind not in (None, "edit") else {}
        return {
            "original_message_id": _text(content.get("original_message_id")),
            "edited_type": edited_kind,
            **inner,
        }
    if kind in _MEDIA_TYPES:
        return {
            "media_id": _text(content.get("id")),
            "mime_type": _text(content.get("mime_type")),
            "caption": _text(content.get("caption")),
            "filename": _text(content.get("filename")),
        }
    return {}


def _message_data(kind: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields of a message that consumers most often need, typed."""
    found = _kind_data(kind, message)
    found["reply_to"] = _text(_object(message.get("context")).get("id"))
    found["referral"] = _referral(message)
    return _compact(found)


def _contacts(value: Mapping[str, Any]) -> list[tuple[str | None, str | None, str | None]]:
    """Return ``(wa_id, bsuid, profile name)`` of each ``contacts[]`` item.

    A business-scoped user id (BSUID, ``user_id``) is sent for every user and may be the only
    id when the user hides their number behind a username (Meta's business-scoped user ids page).
    """
    return [
        (
            _text(contact.get("wa_id")),
            _text(contact.get("user_id")),
            _text(_object(contact.get("profile")).get("name")),
        )
        for contact in _list(value.get("contacts"))
    ]


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
        contacts = _contacts(value)
        for message in _list(value.get("messages")):
            self.message(message, contacts, context)
        for status in _list(value.get("statuses")):
            self.status(status, context)
        for error in _list(value.get("errors")):
            code = _text(error.get("code")) or "-"
            key = self.fallback_key(f"error:{code}")
            self.add("error", key, error, context, error=error_of(error))

    def message(
        self,
        message: Mapping[str, Any],
        contacts: list[tuple[str | None, str | None, str | None]],
        context: Mapping[str, Any],
    ) -> None:
        kind = _text(message.get("type")) or "unknown"
        sender = _text(message.get("from"))
        # [GUESS] field name from Meta's BSUID page; a lone contact's ids fill in when absent.
        bsuid = _text(message.get("from_user_id"))
        if len(contacts) == 1:
            sender = sender or contacts[0][0]
            bsuid = bsuid or contacts[0][1]
        data: dict[str, Any] = {**context, "message_type": kind, **_message_data(kind, message)}
        if sender:
            data["from"] = sender
        if bsuid:
            data["from_user_id"] = bsuid
        profile = next(
            (
                name
                for wa_id, user_id, name in contacts
                if name and {sender, bsuid} & {wa_id, user_id} - {None}
            ),
            None,
        )
        if profile:
            data["profile_name"] = profile
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
            contact_id=sender or bsuid,
            error=error_of(errors[0]) if errors else None,
        )

    def status(self, status: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        state = _text(status.get("status")) or "unknown"
        message_id = _text(status.get("id"))
        recipient = _text(status.get("recipient_id"))
        bsuid = _text(status.get("recipient_user_id"))  # [GUESS] name, Meta's BSUID page
        errors = _list(status.get("errors"))
        data = {**context}
        if recipient:
            data["recipient_id"] = recipient
        if bsuid:
            data["recipient_user_id"] = bsuid
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
            contact_id=recipient or bsuid,
            status=state,
            error=error_of(errors[0]) if errors else None,
        )

    def echo(self, echo: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add a message the business sent from the WhatsApp Business app (coexistence)."""
        kind = _text(echo.get("type")) or "unknown"
        recipient = _text(echo.get("to")) or _text(echo.get("to_user_id"))
        message_id = _text(echo.get("id"))
        data = {**context, "message_type": kind, **_message_data(kind, echo)}
        if _text(echo.get("from")):
            data["from"] = _text(echo.get("from"))
        name = "smb_message_echoes"
        self.add(
            name,
            f"echo:{message_id}" if message_id else self.fallback_key(name),
            echo,
            data,
            occurred_at=epoch_time(echo.get("timestamp")),
            message_id=message_id,
            contact_id=recipient,
        )

    def call(self, call: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add a call event (``connect``, ``terminate``) of the ``calls`` field."""
        event = _text(call.get("event")) or "-"
        call_id = _text(call.get("id"))
        data = {**context, "event": event}
        for key in ("direction", "status", "duration", "start_time", "end_time"):
            if _text(call.get(key)):
                data[key] = _text(call.get(key))
        customer = _text(call.get("from")) if data.get("direction") == "USER_INITIATED" else None
        name = f"calls:{event}"
        self.add(
            name,
            f"call:{call_id}:{event}" if call_id else self.fallback_key(name),
            call,
            data,
            occurred_at=epoch_time(call.get("timestamp")),
            contact_id=customer or _text(call.get("to")),
            status=_text(call.get("status")),
        )

    def call_status(self, status: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add a status of a business-initiated call (``calls`` field, ``statuses[]``)."""
        state = _text(status.get("status")) or "unknown"
        call_id = _text(status.get("id"))
        name = f"call_status:{state}"
        self.add(
            name,
            f"call_status:{call_id}:{state}" if call_id else self.fallback_key(name),
            status,
            {**context, "call_id": call_id} if call_id else dict(context),
            occurred_at=epoch_time(status.get("timestamp")),
            contact_id=_text(status.get("recipient_id")),
            status=state,
        )

    def preference(self, item: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add a user's marketing-message preference (``stop`` or ``resume``)."""
        choice = _text(item.get("value"))
        name = f"user_preferences:{choice}"
        name = name if name in self.type_map else "user_preferences"
        data = {**context}
        for key in ("category", "detail"):
            if _text(item.get(key)):
                data[key] = _text(item.get(key))
        if choice:
            data["preference"] = choice
        self.add(
            name,
            self.fallback_key(name),
            item,
            data,
            occurred_at=epoch_time(item.get("timestamp")),
            contact_id=_text(item.get("wa_id")) or _text(item.get("user_id")),
        )

    def items(self, field: str, value: Mapping[str, Any], context: Mapping[str, Any]) -> None:
        """Add one event per item of a field listed in :data:`ITEM_FIELDS`."""
        for item in _list(value.get(ITEM_FIELDS[field])):
            if field == "smb_message_echoes":
                self.echo(item, context)
            elif field == "calls":
                self.call(item, context)
            else:
                self.preference(item, context)
        if field == "calls":
            for status in _list(value.get("statuses")):
                self.call_status(status, context)

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


def _has_items(field: str, value: Mapping[str, Any]) -> bool:
    """Return True when ``field`` is one of :data:`ITEM_FIELDS` and ``value`` has its list."""
    lists = (ITEM_FIELDS[field], "statuses") if field == "calls" else (ITEM_FIELDS.get(field),)
    return field in ITEM_FIELDS and any(isinstance(value.get(key), list) for key in lists if key)


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
            if _has_items(field, value):
                builder.items(field, value, context)
            elif field != "messages":
                builder.change(field, change, context, epoch_time(entry.get("time")))
            elif any(isinstance(value.get(key), list) for key in _ITEM_LISTS):
                builder.value(value, context)
            else:
                builder.add(field, builder.fallback_key(field), change, context)
    return builder.events
