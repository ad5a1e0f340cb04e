"""Sinch Provisioning webhook triggers and the normalised type each one maps to.

The trigger names are those of providers.md §2.5 (seeds 000/001, Provisioning API 1.2.36,
plus the newer values found in the Node SDK and the 1.2.91 docs). Sinch treats the list as an
open enum, so a trigger missing here is still delivered, typed ``unknown``. ``ALL`` is a
subscription value, not an event, and is deliberately absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

EVENT_TYPE_MAP: Final[Mapping[str, str]] = MappingProxyType(
    {
        "BUNDLE_DONE": "bundle.done",
        # WhatsApp senders
        "WHATSAPP_SENDER_ACTIVE": "sender.active",
        "WHATSAPP_SENDER_COMMENT_ADDED": "sender.comment_added",
        "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED": "sender.updated",
        "WHATSAPP_SENDER_DELETED": "sender.deleted",
        "WHATSAPP_SENDER_ERROR": "sender.error",
        "WHATSAPP_SENDER_INACTIVE": "sender.inactive",
        "WHATSAPP_SENDER_PENDING_VERIFICATION": "sender.pending",
        "WHATSAPP_SENDER_QUALITY_RATING_CHANGED": "sender.updated",
        "WHATSAPP_SENDER_REJECTED": "sender.rejected",
        "WHATSAPP_SENDER_USERNAME_UPDATED": "sender.updated",
        # WhatsApp templates
        "WHATSAPP_TEMPLATE_APPROVED": "template.approved",
        "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE": "template.updated",
        "WHATSAPP_TEMPLATE_CATEGORY_UPDATED": "template.updated",
        "WHATSAPP_TEMPLATE_COMMENT_ADDED": "template.comment_added",
        "WHATSAPP_TEMPLATE_DELETED": "template.deleted",
        "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED": "template.updated",
        "WHATSAPP_TEMPLATE_REJECTED": "template.rejected",
        "WHATSAPP_TEMPLATE_STATUS_UPDATED": "template.updated",
        # WhatsApp accounts
        "WHATSAPP_ACCOUNT_COMMENT_ADDED": "account.comment_added",
        "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED": "account.updated",
        "WHATSAPP_ACCOUNT_ONBOARDED": "account.onboarded",
        "WHATSAPP_ACCOUNT_PENDING_VERIFICATION": "account.pending",
        "WHATSAPP_ACCOUNT_REJECTED": "account.rejected",
        "WHATSAPP_WABA_ACCOUNT_CHANGED": "account.updated",
        # RCS
        "RCS_ACCOUNT_COMMENT_ADDED": "account.comment_added",
        "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED": "account.updated",
        "RCS_SENDER_COMMENT_ADDED": "sender.comment_added",
        "RCS_SENDER_OPERATOR_STATUS_UPDATED": "sender.updated",
        "RCS_SENDER_STATUS_UPDATED": "sender.updated",
        # KakaoTalk
        "KAKAOTALK_SENDER_ACTIVE": "sender.active",
        "KAKAOTALK_SENDER_COMMENT_ADDED": "sender.comment_added",
        "KAKAOTALK_SENDER_INACTIVE": "sender.inactive",
        "KAKAOTALK_SENDER_REJECTED": "sender.rejected",
        "KAKAOTALK_TEMPLATE_APPROVED": "template.approved",
        "KAKAOTALK_TEMPLATE_COMMENT_ADDED": "template.comment_added",
        "KAKAOTALK_TEMPLATE_REJECTED": "template.rejected",
    }
)

CHANNEL_PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {"WHATSAPP_": "WHATSAPP", "RCS_": "RCS", "KAKAOTALK_": "KAKAOTALK"}
)
"""Trigger-name prefix → the channel name Sinch uses elsewhere (Conversation API)."""


def channel_of(trigger: str) -> str | None:
    """Return the channel a trigger is about (``WHATSAPP``, ``RCS``, ``KAKAOTALK``), if any."""
    for prefix, channel in CHANNEL_PREFIXES.items():
        if trigger.startswith(prefix):
            return channel
    return None
