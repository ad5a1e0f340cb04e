"""Sample Meta WhatsApp webhook payloads, for the plugins that forward Meta's format.

Shapes follow Meta's webhook reference as summarised in providers.md §6 (and 360dialog §4.4,
Insider One §5.4); identifiers are made up. ``extra`` adds top-level keys (Insider's ``key``).
"""

from __future__ import annotations

import json
from typing import Any

WABA = "102290129340398"
METADATA = {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"}
CUSTOMER = "16505551234"


def envelope(value: dict[str, Any], field: str = "messages", **extra: Any) -> bytes:
    """Wrap ``value`` in the Cloud API envelope."""
    body = {
        **extra,
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA, "changes": [{"value": value, "field": field}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def inbound(kind: str, content: dict[str, Any], index: int = 1, **extra: Any) -> bytes:
    """Return an inbound message of ``kind`` with its type-specific object."""
    message = {
        "from": CUSTOMER,
        "id": f"wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA{index:03d}",
        "timestamp": str(1731600000 + index),
        "type": kind,
        **content,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": METADATA,
        "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER}],
        "messages": [message],
    }
    return envelope(value, **extra)


def status(*states: str, failed_code: int = 130429, **extra: Any) -> bytes:
    """Return one status item per state (same message), in the order given."""
    statuses = []
    for offset, state in enumerate(states):
        item: dict[str, Any] = {
            "id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
            "status": state,
            "timestamp": str(1731600100 + offset),
            "recipient_id": CUSTOMER,
        }
        if state in {"sent", "delivered"}:
            item["conversation"] = {"id": "c-1", "origin": {"type": "utility"}}
            item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "utility"}
        if state == "failed":
            item["errors"] = [
                {
                    "code": failed_code,
                    "title": "Rate limit hit",
                    "message": "Rate limit hit",
                    "error_data": {"details": "Message failed to send because of rate limits"},
                    "href": "/documentation/business-messaging/whatsapp/support/error-codes",
                }
            ]
        statuses.append(item)
    return envelope(
        {"messaging_product": "whatsapp", "metadata": METADATA, "statuses": statuses}, **extra
    )


INBOUND_CONTENT: dict[str, dict[str, Any]] = {
    "text": {"text": {"body": "Hello there"}},
    "image": {"image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "img-1"}},
    "audio": {"audio": {"mime_type": "audio/ogg", "id": "aud-1", "voice": True}},
    "video": {"video": {"mime_type": "video/mp4", "sha256": "def", "id": "vid-1"}},
    "document": {"document": {"filename": "a.pdf", "mime_type": "application/pdf", "id": "doc-1"}},
    "sticker": {"sticker": {"mime_type": "image/webp", "sha256": "ghi", "id": "stk-1"}},
    "location": {"location": {"latitude": 52.52, "longitude": 13.40, "name": "Berlin"}},
    "contacts": {"contacts": [{"name": {"formatted_name": "Ada"}, "phones": [{"phone": "+1"}]}]},
    "interactive": {
        "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}}
    },
    "button": {"button": {"payload": "CONFIRM", "text": "Confirm"}, "context": {"id": "wamid.ctx"}},
    "reaction": {"reaction": {"message_id": "wamid.x", "emoji": "👍"}},
    "order": {"order": {"catalog_id": "cat-1", "product_items": []}},
    "system": {
        "system": {
            "body": "User Kerry Fisher changed from 16505551234 to 16505559999",
            "wa_id": "16505559999",
            "type": "user_changed_number",
        }
    },
    "unsupported": {"errors": [{"code": 131051, "title": "Message type unknown"}]},
}

# The type each INBOUND_CONTENT kind is parsed to.
INBOUND_TYPES: dict[str, str] = {
    **{kind: "message.received" for kind in INBOUND_CONTENT},
    "system": "contact.updated",
}

BSUID = "US.13491208655302741918"  # the format on Meta's business-scoped user ids page


def _value(**lists: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "metadata": METADATA, **lists}


def _template_event(event: str) -> bytes:
    value = {
        "event": event,
        "message_template_id": 1689556908129832,
        "message_template_name": "order_confirmation",
        "message_template_language": "en_US",
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }
    return envelope(value, "message_template_status_update")


# Meta's template status values (its message_template_status_update reference) → our type.
TEMPLATE_EVENTS: dict[str, str] = {
    "PENDING": "template.updated",
    "IN_APPEAL": "template.updated",
    "ARCHIVED": "template.updated",
    "UNARCHIVED": "template.updated",
    "LIMIT_EXCEEDED": "template.updated",
    "LOCKED": "template.updated",
    "DISABLED": "template.updated",
    "PAUSED": "template.updated",
    "FLAGGED": "template.updated",
    "REINSTATED": "template.updated",
    "PENDING_DELETION": "template.updated",
    "DELETED": "template.deleted",
}

_WAMID = "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQUZFQ0U1NjkyNzA3OUUyMDAA"

# Newer webhook kinds, written from Meta's reference pages for each (identifiers made up):
# name → (body, the types it parses to).
NEWER_SAMPLES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    **{
        f"template_{event.lower()}": (_template_event(event), (kind,))
        for event, kind in TEMPLATE_EVENTS.items()
    },
    "status_played": (status("played"), ("message.played",)),
    "inbound_edit": (
        inbound(
            "edit",
            {
                "edit": {
                    "original_message_id": _WAMID,
                    "message": {"type": "text", "text": {"body": "Hello there, fixed"}},
                }
            },
            40,
        ),
        ("message.edited",),
    ),
    "inbound_revoke": (
        inbound("revoke", {"revoke": {"original_message_id": _WAMID}}, 41),
        ("message.revoked",),
    ),
    "inbound_referral": (
        inbound(
            "text",
            {
                "text": {"body": "I saw your ad"},
                "referral": {
                    "source_url": "https://fb.me/ad-1",
                    "source_id": "120201234",
                    "source_type": "ad",
                    "headline": "Winter sale",
                    "body": "Up to 50% off",
                    "media_type": "image",
                    "image_url": "https://example.invalid/ad.jpg",
                    "ctwa_clid": "ARAkL-clid",
                },
            },
            42,
        ),
        ("message.received",),
    ),
    "inbound_flow_reply": (
        inbound(
            "interactive",
            {
                "interactive": {
                    "type": "nfm_reply",
                    "nfm_reply": {
                        "name": "flow",
                        "body": "Sent",
                        "response_json": '{"flow_token":"t-1","size":"M"}',
                    },
                },
                "context": {"from": "15550783881", "id": "wamid.flow-message"},
            },
            43,
        ),
        ("message.received",),
    ),
    "inbound_bsuid_only": (
        envelope(
            _value(
                contacts=[{"profile": {"name": "Kerry", "username": "kerry.f"}, "user_id": BSUID}],
                messages=[
                    {
                        "from_user_id": BSUID,
                        "id": f"{_WAMID}44",
                        "timestamp": "1731600044",
                        "type": "text",
                        "text": {"body": "hi"},
                    }
                ],
            )
        ),
        ("message.received",),
    ),
    "status_bsuid_only": (
        envelope(
            _value(
                statuses=[
                    {
                        "id": _WAMID,
                        "status": "delivered",
                        "timestamp": "1731600045",
                        "recipient_user_id": BSUID,
                    }
                ]
            )
        ),
        ("message.delivered",),
    ),
    "smb_message_echoes": (
        envelope(
            _value(
                message_echoes=[
                    {
                        "from": "15550783881",
                        "to": CUSTOMER,
                        "id": f"{_WAMID}46",
                        "timestamp": "1731600046",
                        "type": "text",
                        "text": {"body": "Sent from the Business app"},
                    }
                ]
            ),
            "smb_message_echoes",
        ),
        ("message.echoed",),
    ),
    "calls": (
        envelope(
            _value(
                calls=[
                    {
                        "id": "wacid.ABGGFjFVU2AfAgo6V",
                        "to": "15550783881",
                        "from": CUSTOMER,
                        "event": "connect",
                        "timestamp": "1731600047",
                        "direction": "USER_INITIATED",
                    },
                    {
                        "id": "wacid.ABGGFjFVU2AfAgo6V",
                        "to": "15550783881",
                        "from": CUSTOMER,
                        "event": "terminate",
                        "timestamp": "1731600107",
                        "direction": "USER_INITIATED",
                        "status": "COMPLETED",
                        "duration": 60,
                    },
                ]
            ),
            "calls",
        ),
        ("call.started", "call.ended"),
    ),
    "call_status": (
        envelope(
            _value(
                statuses=[
                    {
                        "id": "wacid.ABGGFjFVU2AfAgo6W",
                        "timestamp": "1731600050",
                        "type": "call",
                        "status": "RINGING",
                        "recipient_id": CUSTOMER,
                    }
                ]
            ),
            "calls",
        ),
        ("call.updated",),
    ),
    "user_preferences": (
        envelope(
            _value(
                contacts=[{"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER}],
                user_preferences=[
                    {
                        "wa_id": CUSTOMER,
                        "detail": "User requested to stop marketing messages",
                        "category": "marketing_messages",
                        "value": "stop",
                        "timestamp": 1731600051,
                    },
                    {
                        "wa_id": CUSTOMER,
                        "detail": "User requested to resume marketing messages",
                        "category": "marketing_messages",
                        "value": "resume",
                        "timestamp": 1731600052,
                    },
                ],
            ),
            "user_preferences",
        ),
        ("consent.opted_out", "consent.opted_in"),
    ),
    "template_components_update": (
        envelope(
            {
                "message_template_id": 1689556908129832,
                "message_template_name": "order_confirmation",
                "message_template_language": "en_US",
                "message_template_element": "Your order {{1}} is confirmed",
            },
            "message_template_components_update",
        ),
        ("template.updated",),
    ),
}
