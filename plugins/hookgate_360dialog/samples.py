"""Sample 360dialog deliveries, documented test secrets, and the headers 360dialog sends.

``TEST_SECRET`` values are made up for tests, never real secrets. 360dialog forwards Meta's
Cloud API payloads unchanged (providers.md §4.4); the On-Premise sample is the legacy shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from hookgate.meta_samples import INBOUND_CONTENT, METADATA, envelope, inbound, status
from hookgate_360dialog.plugin import SIGNATURE_HEADER, partner_signature

TEST_SECRET: Final[Mapping[str, str]] = {"header_token": "test-only-360dialog-header-token"}
DEFAULT_AUTH_HEADER: Final = "x-hookgate-token"


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the headers 360dialog sends: the registered custom header (and partner signature)."""
    headers = {DEFAULT_AUTH_HEADER: secret["header_token"]}
    if secret.get("partner_secret"):
        headers[SIGNATURE_HEADER] = partner_signature(secret["partner_secret"], body)
    return headers


_ON_PREMISE = {
    "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": "16505551234"}],
    "messages": [
        {
            "from": "16505551234",
            "id": "ABGGFlA5FpafAgo6EhzXg1rSWHKi",
            "timestamp": "1518694235",
            "text": {"body": "Hello this is an answer"},
            "type": "text",
        }
    ],
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    **{
        f"inbound_{kind}": inbound(kind, content, i)
        for i, (kind, content) in enumerate(INBOUND_CONTENT.items())
    },
    "status_sent": status("sent"),
    "status_delivered": status("delivered"),
    "status_read": status("read"),
    "status_failed": status("failed"),
    "statuses_out_of_order": status("read", "failed", "delivered", "sent"),
    "status_unknown": status("teleported"),
    "value_errors": envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": METADATA,
            "errors": [
                {"code": 131000, "title": "Something went wrong", "message": "Something went wrong"}
            ],
        }
    ),
    "template_approved": envelope(
        {
            "event": "APPROVED",
            "message_template_id": 1,
            "message_template_name": "welcome",
            "message_template_language": "en_US",
            "reason": "NONE",
        },
        field="message_template_status_update",
    ),
    "unknown_field": envelope({"something": "new"}, field="brand_new_field"),
    "on_premise_message": json.dumps(_ON_PREMISE, separators=(",", ":")).encode(),
    "not_whatsapp": b'{"hello":"world"}',
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    **{f"inbound_{kind}": ("message.received",) for kind in INBOUND_CONTENT},
    "status_sent": ("message.sent",),
    "status_delivered": ("message.delivered",),
    "status_read": ("message.read",),
    "status_failed": ("message.failed",),
    "statuses_out_of_order": (
        "message.read",
        "message.failed",
        "message.delivered",
        "message.sent",
    ),
    "status_unknown": ("unknown",),
    "value_errors": ("request.error",),
    "template_approved": ("template.approved",),
    "unknown_field": ("unknown",),
    "on_premise_message": ("message.received",),
    "not_whatsapp": ("unknown",),
}
