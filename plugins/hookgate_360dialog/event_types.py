"""360dialog (Meta WhatsApp Cloud API payloads) → hookgate's normalised event types.

Names follow :mod:`hookgate.meta_whatsapp`: ``message:<type>``, ``status:<status>``, ``error``,
``<field>:<event>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

INBOUND_TYPES: Final = (
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
    "unsupported",
)

EVENT_TYPE_MAP: Final[Mapping[str, str]] = {
    **{f"message:{kind}": "message.received" for kind in INBOUND_TYPES},
    "status:sent": "message.sent",
    "status:delivered": "message.delivered",
    "status:read": "message.read",
    "status:failed": "message.failed",
    "status:deleted": "message.deleted",
    "error": "request.error",
    "message_template_status_update:APPROVED": "template.approved",
    "message_template_status_update:REJECTED": "template.rejected",
    "message_template_status_update:DISABLED": "template.updated",
    "message_template_status_update:PAUSED": "template.updated",
    "message_template_quality_update": "template.updated",
    "template_category_update": "template.updated",
    "phone_number_quality_update": "sender.updated",
    "phone_number_name_update": "sender.updated",
    "account_update": "account.updated",
    "account_review_update": "account.updated",
}
