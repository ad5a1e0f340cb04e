"""hookgate's normalised event types: one small taxonomy shared by every provider.

docs/events.md documents each type and, per provider, which provider event maps to it; a test
keeps that document and the parsers in agreement. A provider event that maps to nothing here is
delivered as :data:`UNKNOWN`, never dropped.
"""

from __future__ import annotations

from typing import Final

UNKNOWN: Final = "unknown"

EVENT_TYPES: Final[dict[str, str]] = {
    # messages sent by the business
    "message.submitted": "The provider accepted an outbound message for delivery.",
    "message.queued": "The message was queued on the channel.",
    "message.sent": "The channel sent the message to the recipient.",
    "message.delivered": "The message reached the recipient's device.",
    "message.read": "The recipient read the message.",
    "message.failed": "The message could not be delivered; `error` says why.",
    "message.switching_channel": "Delivery failed on one channel and moves to the next.",
    "message.deleted": "The message was deleted.",
    "message.played": "The recipient played a voice message the business sent.",
    "message.echoed": "The business sent a message from another app (WhatsApp Business app).",
    # messages and events from end users
    "message.received": "An end user sent a message to the business.",
    "message.redacted": "An inbound message was redacted.",
    "message.edited": "An end user edited a message they sent.",
    "message.revoked": "An end user deleted (revoked) a message they sent.",
    "event.received": "An end user produced an event (typing, reaction, read receipt).",
    "event.queued": "An outbound event was queued on the channel.",
    "event.switching_channel": "An outbound event failed on one channel and moves to the next.",
    "event.delivered": "An outbound event (such as a typing indicator) was delivered.",
    "event.failed": "An outbound event could not be delivered.",
    # conversations and contacts
    "conversation.started": "A conversation started.",
    "conversation.stopped": "A conversation stopped.",
    "conversation.deleted": "A conversation was deleted.",
    "contact.created": "A contact was created.",
    "contact.updated": "A contact was updated.",
    "contact.deleted": "A contact was deleted.",
    "contact.merged": "Two contacts were merged.",
    "contact.identities_duplicated": "Duplicate channel identities were found for contacts.",
    "contact.capability": "The result of a channel capability check for a contact.",
    "consent.opted_in": "An end user opted in.",
    "consent.opted_out": "An end user opted out.",
    "call.started": "A voice call connected.",
    "call.ended": "A voice call ended.",
    "call.updated": "A business-initiated call rang, was accepted or was rejected.",
    "channel.event": "A channel-specific notification (quality, limits, account state).",
    "smart_conversation.analysed": "An analysis result for a message.",
    "record.notification": "A recording notification.",
    "request.error": "The provider reported an error about a request, not about a message.",
    # templates, senders, accounts (provisioning)
    "template.approved": "A message template was approved.",
    "template.rejected": "A message template was rejected.",
    "template.updated": "A template's status, category or quality changed.",
    "template.deleted": "A message template was deleted.",
    "template.comment_added": "A comment was added to a template.",
    "sender.active": "A sender became active.",
    "sender.inactive": "A sender became inactive.",
    "sender.pending": "A sender awaits verification.",
    "sender.rejected": "A sender was rejected.",
    "sender.error": "A sender is in error.",
    "sender.updated": "A sender's settings, limits or quality changed.",
    "sender.deleted": "A sender was deleted.",
    "sender.comment_added": "A comment was added to a sender.",
    "account.onboarded": "An account was onboarded.",
    "account.pending": "An account awaits verification.",
    "account.rejected": "An account was rejected.",
    "account.updated": "An account changed.",
    "account.comment_added": "A comment was added to an account.",
    "bundle.done": "A provisioning bundle finished.",
    UNKNOWN: "An event hookgate does not recognise; `raw` holds it unchanged.",
}


def is_known(event_type: str) -> bool:
    """Return True when ``event_type`` belongs to the taxonomy."""
    return event_type in EVENT_TYPES
