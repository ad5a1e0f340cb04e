"""Sinch Conversation callbacks → hookgate's normalised event types.

Keys are Sinch's trigger names; delivery reports add their status after a colon
(``MESSAGE_DELIVERY:READ``) because one trigger covers several outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# Top-level payload key of each callback kind → its trigger name (providers.md §1.5).
PAYLOAD_KEYS: Final[Mapping[str, str]] = {
    "message_delivery_report": "MESSAGE_DELIVERY",
    "event_delivery_report": "EVENT_DELIVERY",
    "message": "MESSAGE_INBOUND",
    "event": "EVENT_INBOUND",
    "message_submit_notification": "MESSAGE_SUBMIT",
    "conversation_start_notification": "CONVERSATION_START",
    "conversation_stop_notification": "CONVERSATION_STOP",
    "conversation_delete_notification": "CONVERSATION_DELETE",
    "contact_create_notification": "CONTACT_CREATE",
    "contact_delete_notification": "CONTACT_DELETE",
    "contact_merge_notification": "CONTACT_MERGE",
    "contact_update_notification": "CONTACT_UPDATE",
    "duplicated_contact_identities_notification": "CONTACT_IDENTITIES_DUPLICATION",
    "capability_notification": "CAPABILITY",
    "opt_in_notification": "OPT_IN",
    "opt_out_notification": "OPT_OUT",
    "channel_event_notification": "CHANNEL_EVENT",
    "unsupported_callback": "UNSUPPORTED",
    "smart_conversation_notification": "SMART_CONVERSATION",
    "message_redaction": "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION",
    "record_notification": "RECORD_NOTIFICATION",
}

# Trigger names a webhook may subscribe to (providers.md §1.5, the SDKs' enums). Using
# UNSPECIFIED_TRIGGER "will cause errors", so it is not accepted. The Node SDK spells one trigger
# SMART_CONVERSATIONS where Java has SMART_CONVERSATION [GUESS: both accepted].
TRIGGERS: Final = frozenset({*PAYLOAD_KEYS.values(), "SMART_CONVERSATIONS"} - {"UNKNOWN"})

EVENT_TYPE_MAP: Final[Mapping[str, str]] = {
    "MESSAGE_DELIVERY:QUEUED_ON_CHANNEL": "message.queued",
    "MESSAGE_DELIVERY:DELIVERED": "message.delivered",
    "MESSAGE_DELIVERY:READ": "message.read",
    "MESSAGE_DELIVERY:FAILED": "message.failed",
    "MESSAGE_DELIVERY:SWITCHING_CHANNEL": "message.switching_channel",
    # Event delivery reports carry the same status values as message delivery reports
    # (providers.md §1.6; the callbacks doc's example is QUEUED_ON_CHANNEL).
    "EVENT_DELIVERY:QUEUED_ON_CHANNEL": "event.queued",
    "EVENT_DELIVERY:DELIVERED": "event.delivered",
    # [GUESS] no doc says what READ means for an event (typing indicator, …): it was delivered.
    "EVENT_DELIVERY:READ": "event.delivered",
    "EVENT_DELIVERY:FAILED": "event.failed",
    "EVENT_DELIVERY:SWITCHING_CHANNEL": "event.switching_channel",
    "MESSAGE_INBOUND": "message.received",
    "EVENT_INBOUND": "event.received",
    "MESSAGE_SUBMIT": "message.submitted",
    "CONVERSATION_START": "conversation.started",
    "CONVERSATION_STOP": "conversation.stopped",
    "CONVERSATION_DELETE": "conversation.deleted",
    "CONTACT_CREATE": "contact.created",
    "CONTACT_DELETE": "contact.deleted",
    "CONTACT_MERGE": "contact.merged",
    "CONTACT_UPDATE": "contact.updated",
    "CONTACT_IDENTITIES_DUPLICATION": "contact.identities_duplicated",
    "CAPABILITY": "contact.capability",
    "OPT_IN": "consent.opted_in",
    "OPT_OUT": "consent.opted_out",
    "CHANNEL_EVENT": "channel.event",
    "UNSUPPORTED": "unknown",
    "SMART_CONVERSATION": "smart_conversation.analysed",
    "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION": "message.redacted",
    "RECORD_NOTIFICATION": "record.notification",
}
