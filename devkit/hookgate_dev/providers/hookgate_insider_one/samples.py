"""Sample Insider One deliveries (every shape in seed 004), a test key, and Insider's headers.

``TEST_SECRET`` is made up for tests, never a real key. The ``seed_*`` samples are seed 004's own
payloads (:mod:`hookgate_dev.providers.hookgate_insider_one.seed_samples`), with placeholders such
as ``{{MESSAGE_ID}}`` left in; the others use concrete made-up values and add what the seed does not
show: every status, statuses out of order, a multi-item batch, every inbound message type, another
``field``, the template message event, and the save-time validation probe. ``EXPECTED_TYPES`` is the
golden data: the types parse must return, in order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from hookgate_dev.meta_samples import (
    INBOUND_CONTENT,
    INBOUND_TYPES,
    METADATA,
    envelope,
    inbound,
    status,
)
from hookgate_dev.providers.hookgate_insider_one import seed_samples as seed

TEST_SECRET: Final[Mapping[str, str]] = {"api_key": "test-only-insider-one-api-key"}
KEY: Final = "whatsapp-4b9f0c1e2d"


def signed_headers(body: bytes, secret: Mapping[str, str], now: datetime) -> dict[str, str]:
    """Return the header Insider One (V1) sends: ``Authorization: Bearer <apiKey>``."""
    return {"authorization": f"Bearer {secret['api_key']}"}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# The three seed samples that are not JSON as published, with the smallest edit that makes
# them JSON: a made-up error code for the placeholder; the `// be empty` comment dropped.
_SEED_FIXED = {
    "seed_error": seed.SEED_ERROR.replace("{{ERROR_CODE}}", "130429"),
    "seed_failed": seed.SEED_FAILED.replace("{{ERROR_CODE}}", "131026"),
    "seed_reply_text": seed.SEED_REPLY_TEXT.replace(" // be empty", ""),
}

_SEED_TYPES: dict[str, tuple[str, ...]] = {
    "seed_accepted": ("message.submitted",),
    "seed_error": ("message.failed",),
    "seed_error_with_error_data": ("message.failed",),
    "seed_error_auth_0": ("message.failed",),
    "seed_error_token_expired_190": ("message.failed",),
    "seed_error_rate_limit_130429": ("message.failed",),
    "seed_error_spam_131048": ("message.failed",),
    "seed_error_access_denied_131005": ("message.failed",),
    "seed_error_blocked_368": ("message.failed",),
    "seed_on_premise_402": ("message.failed",),
    "seed_on_premise_408": ("message.failed",),
    "seed_on_premise_429": ("message.failed",),
    "seed_on_premise_2000": ("message.failed",),
    "seed_on_premise_2060": ("message.failed",),
    "seed_on_premise_500": ("message.failed",),
    # "status": "{{STATUS}}" is a placeholder, not a status: delivered as unknown.
    "seed_status": ("unknown",),
    "seed_failed": ("message.failed",),
    "seed_reply_text": ("message.received",),
    "seed_reply_sticker": ("message.received",),
    "seed_reply_video": ("message.received",),
    "seed_reply_image": ("message.received",),
    "seed_reply_document": ("message.received",),
    "seed_reply_button": ("message.received",),
}

_BATCH = {
    "key": KEY,
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
                        "statuses": [
                            {
                                "id": f"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJJTlNJREVSQkFUQ0gw{i}AA==",
                                "status": state,
                                "timestamp": str(1731600400 + i),
                                "recipient_id": "16505551234",
                            }
                            for i, state in enumerate(("sent", "delivered", "sent"))
                        ],
                    },
                }
            ],
        }
    ],
}

SAMPLE_PAYLOADS: Final[Mapping[str, bytes]] = {
    "accepted": _json(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
            "key": KEY,
        }
    ),
    **{
        name.lower(): _SEED_FIXED.get(name.lower(), getattr(seed, name.upper())).encode()
        for name in _SEED_TYPES
    },
    "status_sent": status("sent", key=KEY),
    "status_delivered": status("delivered", key=KEY),
    "status_read": status("read", key=KEY),
    "status_failed": status("failed", key=KEY),
    "statuses_out_of_order": status("read", "delivered", "failed", "sent", key=KEY),
    "statuses_batch": _json(_BATCH),
    "user_initiated_reply_empty_key": inbound("text", INBOUND_CONTENT["text"], 1, key=""),
    **{
        f"reply_{kind}": inbound(kind, content, index, key=KEY)
        for index, (kind, content) in enumerate(INBOUND_CONTENT.items(), 2)
    },
    "template_status_field": envelope(
        {"event": "APPROVED", "message_template_id": 7, "message_template_name": "order_update"},
        field="message_template_status_update",
        key="",
    ),
    "unknown_field": envelope({"something": "new"}, field="brand_new_field", key=KEY),
    "template_message": _json(
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "16505551234",
            "type": "template",
            "template": {"name": "order_update", "language": {"code": "en"}},
            "timestamp": "1731600200",
            "content": "Your order A-1029 has shipped.",
            "key": KEY,
        }
    ),
    "validation_probe_empty_object": b"{}",
    "validation_probe_empty_body": b"",
    "unrecognised": _json({"something": "else", "key": KEY}),
}

EXPECTED_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "accepted": ("message.submitted",),
    **_SEED_TYPES,
    "status_sent": ("message.sent",),
    "status_delivered": ("message.delivered",),
    "status_read": ("message.read",),
    "status_failed": ("message.failed",),
    "statuses_out_of_order": (
        "message.read",
        "message.delivered",
        "message.failed",
        "message.sent",
    ),
    "statuses_batch": ("message.sent", "message.delivered", "message.sent"),
    "user_initiated_reply_empty_key": ("message.received",),
    **{f"reply_{kind}": (INBOUND_TYPES[kind],) for kind in INBOUND_CONTENT},
    "template_status_field": ("template.approved",),
    "unknown_field": ("unknown",),
    "template_message": ("message.submitted",),
    "validation_probe_empty_object": (),
    "validation_probe_empty_body": (),
    "unrecognised": ("unknown",),
}
