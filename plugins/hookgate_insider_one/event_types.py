"""Insider One deliveries → hookgate's normalised event types.

Insider forwards Meta's WhatsApp payloads (parsed by :mod:`hookgate.meta_whatsapp`, names
``message:<type>``, ``status:<status>``, ``error``) plus shapes of its own: ``accepted`` (the
send was accepted), ``send_error`` (Cloud API ``{"error": …}`` or On-Premise ``{"errors": […]}``)
and ``template_message`` (the template Insider sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

EVENT_TYPE_MAP: Final[Mapping[str, str]] = {
    "accepted": "message.submitted",
    "send_error": "message.failed",
    "template_message": "message.sent",
    "message:text": "message.received",
    "message:sticker": "message.received",
    "message:video": "message.received",
    "message:image": "message.received",
    "message:document": "message.received",
    "message:audio": "message.received",
    "message:button": "message.received",
    "message:interactive": "message.received",
    "message:location": "message.received",
    "message:contacts": "message.received",
    "message:reaction": "message.received",
    "status:sent": "message.sent",
    "status:delivered": "message.delivered",
    "status:read": "message.read",
    "status:failed": "message.failed",
    "error": "request.error",
}
