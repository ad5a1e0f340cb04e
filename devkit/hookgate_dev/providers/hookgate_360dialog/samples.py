"""Sample 360dialog deliveries, documented test secrets, and the headers 360dialog sends.

``TEST_SECRET`` values are made up for tests, never real secrets. 360dialog forwards Meta's
Cloud API payloads unchanged (providers.md §4.4), so the samples are Meta's shapes (§6): one
per inbound message type, every status (also out of order), value-level errors, other fields,
a multi-item batch, the legacy On-Premise shape, and bodies hookgate does not recognise.
Identifiers are made up; the samples named ``providers_*`` are copied verbatim from
providers.md. ``EXPECTED_TYPES`` is the golden data: the types parse must return, in order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from hookgate_dev.meta_samples import (
    CUSTOMER,
    INBOUND_CONTENT,
    INBOUND_TYPES,
    METADATA,
    NEWER_SAMPLES,
    envelope,
    inbound,
    status,
)

TEST_SECRET: Final[Mapping[str, str]] = {"header_token": "test-only-360dialog-header-token"}
# Add this under "partner_secret" to test the optional partner signature.
TEST_PARTNER_SECRET: Final = "test-only-360dialog-partner-secret"  # noqa: S105 - documented fake
DEFAULT_AUTH_HEADER: Final = "x-hookgate-token"


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the headers 360dialog sends: the registered custom header (and partner signature).

    The custom header is the default ``x-hookgate-token``; ``x-360dialog-signature`` (lower-case
    hex HMAC-SHA256 of the body) is added when ``secret`` holds ``partner_secret``.
    """
    headers = {DEFAULT_AUTH_HEADER: secret["header_token"]}
    if partner_secret := secret.get("partner_secret"):
        # Computed here, not with the verifier's code, so the samples are a second opinion.
        digest = hmac.new(partner_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["x-360dialog-signature"] = digest
    return headers


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _message(index: int, kind: str, content: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "from": CUSTOMER,
        "id": f"wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQkFUQ0gwMDAwMDAwMDAwMDAwMDAA{index:03d}",
        "timestamp": str(1731600300 + index),
        "type": kind,
        **content,
    }


# providers.md §6, "Error object" (the `…` is in the document).
_META_ERROR = {
    "code": 130429,
    "title": "Rate limit hit",
    "message": "Rate limit hit",
    "error_data": {"details": "…"},
    "href": "/documentation/business-messaging/whatsapp/support/error-codes",
}

_BATCH = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": METADATA,
                        "contacts": [
                            {"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER},
                            {"profile": {"name": "Ada Byron"}, "wa_id": "447700900123"},
                        ],
                        "messages": [
                            _message(1, "text", {"text": {"body": "first"}}),
                            {
                                **_message(2, "text", {"text": {"body": "second"}}),
                                "from": "447700900123",
                            },
                        ],
                        "statuses": [
                            {
                                "id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSFNUQVRVUzAxAA==",
                                "status": "delivered",
                                "timestamp": "1731600310",
                                "recipient_id": CUSTOMER,
                            },
                            {
                                "id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCQVRDSFNUQVRVUzAxAA==",
                                "status": "read",
                                "timestamp": "1731600311",
                                "recipient_id": CUSTOMER,
                            },
                        ],
                    },
                }
            ],
        },
        {
            "id": "102290129340399",
            "time": 1731600320,
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "15550783882",
                            "phone_number_id": "106540352242923",
                        },
                        "errors": [_META_ERROR],
                    },
                },
                {
                    "field": "message_template_status_update",
                    "value": {
                        "event": "REJECTED",
                        "message_template_id": 2,
                        "message_template_name": "promo",
                        "message_template_language": "en_US",
                        "reason": "INCORRECT_CATEGORY",
                    },
                },
            ],
        },
    ],
}


def _field(field: str, value: dict[str, Any]) -> bytes:
    return envelope(value, field=field)


def _template(event: str) -> bytes:
    return _field(
        "message_template_status_update",
        {
            "event": event,
            "message_template_id": 1,
            "message_template_name": "welcome",
            "message_template_language": "en_US",
            "reason": "NONE",
        },
    )


_ON_PREMISE_MESSAGE = {
    "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER}],
    "messages": [
        {
            "from": CUSTOMER,
            "id": "ABGGFlA5FpafAgo6EhzXg1rSWHKi",
            "timestamp": "1518694235",
            "text": {"body": "Hello this is an answer"},
            "type": "text",
        }
    ],
}
_ON_PREMISE_STATUS = {
    "statuses": [
        {
            "id": "gBGGFlA5FpafAgkOuJbRq54qwbM",
            "recipient_id": CUSTOMER,
            "status": "read",
            "timestamp": "1518694700",
        }
    ]
}
_ON_PREMISE_ERRORS = {
    "errors": [{"code": 1005, "title": "Access denied", "details": "Unable to download media"}]
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    **{
        f"inbound_{kind}": inbound(kind, content, i)
        for i, (kind, content) in enumerate(INBOUND_CONTENT.items())
    },
    "inbound_interactive_list_reply": inbound(
        "interactive",
        {
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "row-2", "title": "Tomorrow", "description": "9-12"},
            },
            "context": {"from": "15550783881", "id": "wamid.list-menu"},
        },
        20,
    ),
    **{name: body for name, (body, _) in NEWER_SAMPLES.items()},
    "inbound_type_unknown": inbound(
        "unknown", {"errors": [{"code": 131051, "title": "Message type unknown"}]}, 21
    ),
    "inbound_brand_new_type": inbound("hologram", {"hologram": {"id": "h-1"}}, 22),
    "status_sent": status("sent"),
    "status_delivered": status("delivered"),
    "status_read": status("read"),
    "status_failed": status("failed"),
    "status_deleted": status("deleted"),
    "statuses_out_of_order": status("read", "failed", "delivered", "sent"),
    "status_unknown": status("teleported"),
    "value_errors": envelope(
        {"messaging_product": "whatsapp", "metadata": METADATA, "errors": [_META_ERROR]}
    ),
    "batch": _json(_BATCH),
    "template_approved": _template("APPROVED"),
    "template_rejected": _template("REJECTED"),
    "template_new_status": _template("SOMETHING_NEW"),
    "quality_update": _field(
        "phone_number_quality_update",
        {"display_phone_number": "15550783881", "event": "FLAGGED", "current_limit": "TIER_1K"},
    ),
    "account_update": _field(
        "account_update", {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"}
    ),
    "unknown_field": _field("brand_new_field", {"something": "new"}),
    "messages_without_items": envelope(
        {"messaging_product": "whatsapp", "metadata": METADATA, "calls": [{"id": "call-1"}]}
    ),
    # providers.md §6: the body of the X-Hub-Signature-256 example; an envelope with no entries.
    "providers_empty_envelope": b'{"object":"whatsapp_business_account","entry":[]}',
    "on_premise_message": _json(_ON_PREMISE_MESSAGE),
    "on_premise_status": _json(_ON_PREMISE_STATUS),
    "on_premise_errors": _json(_ON_PREMISE_ERRORS),
    "not_whatsapp": b'{"hello":"world"}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    **{f"inbound_{kind}": (INBOUND_TYPES[kind],) for kind in INBOUND_CONTENT},
    **{name: types for name, (_, types) in NEWER_SAMPLES.items()},
    "inbound_interactive_list_reply": ("message.received",),
    "inbound_type_unknown": ("message.received",),
    "inbound_brand_new_type": ("unknown",),
    "status_sent": ("message.sent",),
    "status_delivered": ("message.delivered",),
    "status_read": ("message.read",),
    "status_failed": ("message.failed",),
    "status_deleted": ("message.deleted",),
    "statuses_out_of_order": (
        "message.read",
        "message.failed",
        "message.delivered",
        "message.sent",
    ),
    "status_unknown": ("unknown",),
    "value_errors": ("request.error",),
    "batch": (
        "message.received",
        "message.received",
        "message.delivered",
        "message.read",
        "request.error",
        "template.rejected",
    ),
    "template_approved": ("template.approved",),
    "template_rejected": ("template.rejected",),
    "template_new_status": ("unknown",),
    "quality_update": ("sender.updated",),
    "account_update": ("account.updated",),
    "unknown_field": ("unknown",),
    "messages_without_items": ("unknown",),
    "providers_empty_envelope": (),
    "on_premise_message": ("message.received",),
    "on_premise_status": ("message.read",),
    "on_premise_errors": ("request.error",),
    "not_whatsapp": ("unknown",),
}
