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
    "system": {"system": {"body": "Number changed", "type": "user_changed_number"}},
    "unsupported": {"errors": [{"code": 131051, "title": "Message type unknown"}]},
}
