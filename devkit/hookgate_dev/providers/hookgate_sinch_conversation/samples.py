"""Sample Sinch Conversation callbacks, a documented test secret, and a signer for them.

``TEST_SECRET`` is the secret of the Sinch SDKs' published test vector (providers.md §1.3):
a public test value, never a real secret. The payloads are Sinch's documented samples
(§1.3, §1.6) verbatim where they exist, otherwise built from the documented key names (§1.5).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from hookgate_sinch.signature import (
    ALGORITHM,
    ALGORITHM_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

TEST_SECRET: Final[Mapping[str, str]] = {"webhook_secret": "foo_secret1234"}


def signed_headers(
    body: bytes, secret: Mapping[str, str], now: datetime, nonce: str | None = None
) -> dict[str, str]:
    """Return the signature headers Sinch sends with ``body``, signed with ``secret``."""
    nonce = nonce or secrets.token_hex(13).upper()
    timestamp = str(int(now.timestamp()))
    return {
        SIGNATURE_HEADER: sign(secret["webhook_secret"], body, nonce, timestamp),
        NONCE_HEADER: nonce,
        TIMESTAMP_HEADER: timestamp,
        ALGORITHM_HEADER: ALGORITHM,
    }


_ENVELOPE = (
    b'"app_id":"01EB37HMH1M6SV18ASNS3G135H","project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61",'
    b'"accepted_time":"2020-11-17T15:09:11.659Z","event_time":"2020-11-17T15:09:13.267185Z"'
)


def _notification(key: str, inner: bytes) -> bytes:
    return b"{" + _ENVELOPE + b',"' + key.encode() + b'":' + inner + b"}"


# Every delivery status Sinch documents, as an event delivery report (the callbacks doc's own
# example is QUEUED_ON_CHANNEL) → the type it is parsed to.
_EVENT_DELIVERY_TYPES: Final[Mapping[str, str]] = {
    "QUEUED_ON_CHANNEL": "event.queued",
    "DELIVERED": "event.delivered",
    "READ": "event.delivered",
    "FAILED": "event.failed",
    "SWITCHING_CHANNEL": "event.switching_channel",
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "sdk_test_vector": (
        b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
        b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61","message_delivery_report":'
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
        b'"status":"QUEUED_ON_CHANNEL","contact_id":"01EXA07N79THJ20WSN6AS30TMW"}}'
    ),
    "delivery_report": (
        b'{"app_id":"01EB37HMH1M6SV18BSNS3G135H","accepted_time":"2020-11-17T15:09:11.659Z",'
        b'"event_time":"2020-11-17T15:09:13.267185Z",'
        b'"project_id":"c36f3d3d-1513-2edd-ae42-11995557ff61",'
        b'"message_delivery_report":{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R",'
        b'"conversation_id":"01EPYATA64TMNZ1FV02JKF12JF","status":"QUEUED_ON_CHANNEL",'
        b'"channel_identity":{"channel":"MESSENGER","identity":"2734085512340733",'
        b'"app_id":"01EB27HMH1M6SV18ASNS3G135H"},"contact_id":"01EXA07N79THJ20WSN6AS30TMW",'
        b'"metadata":""}}'
    ),
    "delivered_report": _notification(
        "message_delivery_report",
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
        b'"status":"DELIVERED","channel_identity":{"channel":"WHATSAPP","identity":"46700000001"},'
        b'"contact_id":"01EXA07N79THJ20WSN6AS30TMW","processing_mode":"CONVERSATION"}',
    ),
    "read_report": _notification(
        "message_delivery_report",
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","status":"READ",'
        b'"channel_identity":{"channel":"WHATSAPP","identity":"46700000001"}}',
    ),
    "failed_delivery_report": _notification(
        "message_delivery_report",
        b'{"message_id":"01EQBF0BT63J7S1FEKJZ0Z08VD","conversation_id":"01EQBCFQR3EGE60P42H6H1117J",'
        b'"status":"FAILED","channel_identity":{"channel":"WHATSAPP","identity":"12345678910",'
        b'"app_id":""},"contact_id":"01EXA07N79THJ20WSN6AS30TMW","reason":{"code":'
        b'"OUTSIDE_ALLOWED_SENDING_WINDOW","description":"The underlying channel reported: '
        b"Message failed to send because more than 24 hours have passed since the customer last "
        b'replied to this number","sub_code":"UNSPECIFIED_SUB_CODE"},"metadata":""}',
    ),
    "switching_channel_report": _notification(
        "message_delivery_report",
        b'{"message_id":"01EQBF0BT63J7S1FEKJZ0Z08VD","status":"SWITCHING_CHANNEL",'
        b'"channel_identity":{"channel":"RCS","identity":"46700000001"},'
        b'"reason":{"code":"RECIPIENT_NOT_REACHABLE","description":"not reachable"}}',
    ),
    "inbound_message": (
        b'{"app_id":"01EB37HMH1M6SV18ABNS3G135H","accepted_time":"2020-11-16T08:17:44.993024Z",'
        b'"event_time":"2020-11-16T08:17:42.814Z","project_id":"c36f3d3d-1523-4edd-ae42-11995557ff61",'
        b'"message":{"id":"01EQ8235TD19N21XQTH12B145D","direction":"TO_APP","contact_message":'
        b'{"text_message":{"text":"Hi!"}},"channel_identity":{"channel":"MESSENGER",'
        b'"identity":"2742085512340733","app_id":"01EB37HMH1M6SV18ABNS3G135H"},'
        b'"conversation_id":"01EQ8172WMDB8008EFT4M30481","contact_id":"01EQ4174TGGY5B1VPTPGHW19R0",'
        b'"metadata":"","accept_time":"2020-11-16T08:17:43.915829Z"}}'
    ),
    "inbound_event": _notification(
        "event",
        b'{"id":"01EQ8235TD19N21XQTH12B146E","direction":"TO_APP","contact_event":'
        b'{"composing_event":{}},"channel_identity":{"channel":"WHATSAPP","identity":"46700000001"},'
        b'"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","accept_time":"2020-11-16T08:17:43.915829Z"}',
    ),
    "event_delivery_report": _notification(
        "event_delivery_report",
        b'{"event_id":"01EQBF0BT63J7S1FEKJZ0Z0E01","status":"DELIVERED",'
        b'"channel_identity":{"channel":"WHATSAPP","identity":"46700000001"}}',
    ),
    **{
        f"event_delivery_{state.lower()}": _notification(
            "event_delivery_report",
            b'{"event_id":"01EQBF0BT63J7S1FEKJZ0Z0E02","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
            b'"status":"' + state.encode() + b'","channel_identity":{"channel":"WHATSAPP",'
            b'"identity":"46700000001","app_id":"01EB27HMH1M6SV18ASNS3G135H"},'
            b'"contact_id":"01EXA07N79THJ20WSN6AS30TMW","metadata":""}',
        )
        for state in _EVENT_DELIVERY_TYPES
    },
    "message_submit": _notification(
        "message_submit_notification",
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF",'
        b'"channel_identity":{"channel":"SMS","identity":"46700000001"},'
        b'"contact_id":"01EXA07N79THJ20WSN6AS30TMW","submitted_message":{"text_message":{"text":"x"}}}',
    ),
    "conversation_start": _notification(
        "conversation_start_notification",
        b'{"conversation":{"id":"01EQ8172WMDB8008EFT4M30481","app_id":"01EB37HMH1M6SV18ASNS3G135H",'
        b'"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","active":true}}',
    ),
    "conversation_stop": _notification(
        "conversation_stop_notification",
        b'{"conversation":{"id":"01EQ8172WMDB8008EFT4M30481","active":false}}',
    ),
    "conversation_delete": _notification(
        "conversation_delete_notification", b'{"conversation":{"id":"01EQ8172WMDB8008EFT4M30481"}}'
    ),
    "contact_create": _notification(
        "contact_create_notification",
        b'{"contact":{"id":"01EQ4174TGGY5B1VPTPGHW19R0","display_name":"Ada"}}',
    ),
    "contact_update": _notification(
        "contact_update_notification", b'{"contact":{"id":"01EQ4174TGGY5B1VPTPGHW19R0"}}'
    ),
    "contact_delete": _notification(
        "contact_delete_notification", b'{"contact":{"id":"01EQ4174TGGY5B1VPTPGHW19R0"}}'
    ),
    "contact_merge": _notification(
        "contact_merge_notification",
        b'{"preserved_contact":{"id":"01EQ4174TGGY5B1VPTPGHW19R0"},'
        b'"deleted_contact":{"id":"01EQ4174TGGY5B1VPTPGHW19R1"}}',
    ),
    "contact_identities_duplication": _notification(
        "duplicated_contact_identities_notification",
        b'{"duplicated_identities":[{"channel":"SMS","contact_ids":["a","b"]}]}',
    ),
    "capability": _notification(
        "capability_notification",
        b'{"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","identity":"46700000001",'
        b'"channel":"RCS","capability_status":"CAPABILITY_FULL","request_id":"r-1"}',
    ),
    "opt_in": _notification(
        "opt_in_notification",
        b'{"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","channel":"WHATSAPP","status":"OPT_IN_SUCCEEDED"}',
    ),
    "opt_out": _notification(
        "opt_out_notification",
        b'{"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","channel":"WHATSAPP","status":"OPT_OUT_SUCCEEDED"}',
    ),
    "channel_event": _notification(
        "channel_event_notification",
        b'{"channel_event":{"channel":"WHATSAPP","event_type":"WHATSAPP_QUALITY_RATING_CHANGED",'
        b'"additional_data":{"quality_rating":"GREEN"}}}',
    ),
    "unsupported_callback": _notification(
        "unsupported_callback",
        b'{"channel":"WHATSAPP","payload":"{\\"kind\\":\\"something new\\"}"}',
    ),
    "smart_conversation": _notification(
        "smart_conversation_notification",
        b'{"contact_id":"01EQ4174TGGY5B1VPTPGHW19R0","message_id":"01EQ8235TD19N21XQTH12B145D",'
        b'"analysis_results":{}}',
    ),
    "message_redaction": _notification(
        "message_redaction", b'{"message_id":"01EQ8235TD19N21XQTH12B145D"}'
    ),
    "record_notification": _notification("record_notification", b'{"record":{"id":"rec-1"}}'),
    "unknown_kind": _notification("brand_new_notification", b'{"id":"x"}'),
    "unknown_status": _notification(
        "message_delivery_report",
        b'{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","status":"TELEPORTED"}',
    ),
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "sdk_test_vector": ("message.queued",),
    "delivery_report": ("message.queued",),
    "delivered_report": ("message.delivered",),
    "read_report": ("message.read",),
    "failed_delivery_report": ("message.failed",),
    "switching_channel_report": ("message.switching_channel",),
    "inbound_message": ("message.received",),
    "inbound_event": ("event.received",),
    "event_delivery_report": ("event.delivered",),
    **{f"event_delivery_{state.lower()}": (kind,) for state, kind in _EVENT_DELIVERY_TYPES.items()},
    "message_submit": ("message.submitted",),
    "conversation_start": ("conversation.started",),
    "conversation_stop": ("conversation.stopped",),
    "conversation_delete": ("conversation.deleted",),
    "contact_create": ("contact.created",),
    "contact_update": ("contact.updated",),
    "contact_delete": ("contact.deleted",),
    "contact_merge": ("contact.merged",),
    "contact_identities_duplication": ("contact.identities_duplicated",),
    "capability": ("contact.capability",),
    "opt_in": ("consent.opted_in",),
    "opt_out": ("consent.opted_out",),
    "channel_event": ("channel.event",),
    "unsupported_callback": ("unknown",),
    "smart_conversation": ("smart_conversation.analysed",),
    "message_redaction": ("message.redacted",),
    "record_notification": ("record.notification",),
    "unknown_kind": ("unknown",),
    "unknown_status": ("unknown",),
}
